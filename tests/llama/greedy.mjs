// Greedy continuations from llama.cpp (through node-llama-cpp) for the GGUF comparison test.
// Usage: node greedy.mjs <node_modules dir> <model.gguf> <request.json>
// request: {"n": <new tokens>, "prompts": [{"text": "...", "ids": [..]}]}
// Prints JSON: {"results": [{"tokenized": [ids llama.cpp makes of text], "generated": [ids]}]}
// Generation starts from the given ids (so a tokenizer difference cannot hide an engine one);
// computation is f32 throughout (f32 KV cache, no flash attention) on the CPU.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, modelPath, requestPath] = process.argv.slice(2);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(join(modules, 'node-llama-cpp', 'dist', 'index.js')).href);
const request = JSON.parse(readFileSync(requestPath, 'utf8'));

const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const results = [];
for (const p of request.prompts) {
  const context = await model.createContext({
    contextSize: model.trainContextSize,
    batchSize: p.ids.length,
    threads: 1,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  const sequence = context.getSequence();
  const generated = [];
  for await (const token of sequence.evaluate(p.ids, { temperature: 0 })) {
    generated.push(token);
    if (generated.length >= request.n) break;
  }
  results.push({ tokenized: Array.from(model.tokenize(p.text, false)), generated });
  await context.dispose();
}
await model.dispose();
await llama.dispose();
process.stdout.write(JSON.stringify({ results }) + '\n');
