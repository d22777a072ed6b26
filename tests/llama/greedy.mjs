// Greedy continuations from llama.cpp (through node-llama-cpp) for the GGUF comparison test.
// Usage: node greedy.mjs <node_modules dir> <model.gguf> <request.json> [<lora adapter.gguf>]
// request: {"n": <new tokens>, "prompts": [{"text": "...", "ids": [..]}], "top": <m, optional>}
// Prints JSON: {"results": [{"tokenized": [ids llama.cpp makes of text], "generated": [ids],
// "top": [[[id, log p] x m] per new token, with "top" in the request]}]}; the LoRA adapter, when
// given, is applied at scale 1 as llama.cpp loads it.
// Generation starts from the given ids (so a tokenizer difference cannot hide an engine one);
// computation is f32 throughout (f32 KV cache, no flash attention) on the CPU.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, modelPath, requestPath, loraPath] = process.argv.slice(2);
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
    ...(loraPath ? { lora: { adapters: [{ filePath: loraPath }] } } : {}),
  });
  const sequence = context.getSequence();
  const generated = [], top = [];
  const m = request.top || 0;
  for await (const out of sequence.evaluateWithMetadata(p.ids, { probabilities: m > 0 }, { temperature: 0 })) {
    generated.push(out.token);
    if (m > 0)
      top.push(Array.from(out.probabilities.entries()).slice(0, m).map(([id, pr]) => [id, Math.log(pr)]));
    if (generated.length >= request.n) break;
  }
  results.push({ tokenized: Array.from(model.tokenize(p.text, false)), generated, ...(m > 0 ? { top } : {}) });
  await context.dispose();
}
await model.dispose();
await llama.dispose();
process.stdout.write(JSON.stringify({ results }) + '\n');
