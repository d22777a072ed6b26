// llama.cpp's inference speed on a GGUF file, for make bench-infer (through node-llama-cpp).
// Usage: node bench.mjs <node_modules dir> <model.gguf> <threads> <prompt tokens> <new tokens>
// The prompt is token ids 1, 2, ... (the same ones our side feeds); generation is greedy and
// runs to exactly <new tokens> (no stop token). Prints `name: value` lines: load seconds, prompt
// tokens/s (time to the first new token, which needs only the prompt's pass), generated tokens/s
// (the tokens after the first), the same per second of this process's CPU time (fairer than the
// clock on a shared machine), peak RSS of this process in MiB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, modelPath, threadsArg, promptArg, newArg] = process.argv.slice(2);
const threads = Number(threadsArg), nPrompt = Number(promptArg), nNew = Number(newArg);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(join(modules, 'node-llama-cpp', 'dist', 'index.js')).href);

const t0 = performance.now();
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({
  contextSize: nPrompt + nNew + 8,
  batchSize: nPrompt,
  threads,
  flashAttention: false,
  experimentalKvCacheKeyType: 'F32',
  experimentalKvCacheValueType: 'F32',
});
const tLoad = performance.now();
const sequence = context.getSequence();
const ids = Array.from({ length: nPrompt }, (_, i) => 1 + i);
let n = 0, tFirst = 0, cFirst = 0;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const tStart = performance.now(), cStart = cpu();
for await (const token of sequence.evaluate(ids, { temperature: 0 })) {
  void token;
  n++;
  if (n === 1) { tFirst = performance.now(); cFirst = cpu(); }
  if (n >= nNew) break;
}
const tEnd = performance.now(), cEnd = cpu();
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(`load_s: ${((tLoad - t0) / 1000).toFixed(3)}\n`);
process.stdout.write(`prompt_tokens_per_s: ${(nPrompt / ((tFirst - tStart) / 1000)).toFixed(2)}\n`);
process.stdout.write(`gen_tokens_per_s: ${((n - 1) / ((tEnd - tFirst) / 1000)).toFixed(2)}\n`);
process.stdout.write(`prompt_tokens_per_cpu_s: ${(nPrompt / (cFirst - cStart)).toFixed(2)}\n`);
process.stdout.write(`gen_tokens_per_cpu_s: ${((n - 1) / (cEnd - cFirst)).toFixed(2)}\n`);
process.stdout.write(`peak_rss_mib: ${hwm ? (Number(hwm[1]) / 1024).toFixed(0) : 'unknown'}\n`);
await context.dispose();
await model.dispose();
await llama.dispose();
