// An OpenAI-compatible completion server over llama.cpp (node-llama-cpp) for the remote-backend
// test: POST /v1/completions with {prompt, max_tokens, temperature: 0, stream}, greedy decoding
// in f32, streamed as server-sent events or answered in one JSON object. Listens on 127.0.0.1
// on a free port and prints the port once the model is loaded.
// Usage: node serve.mjs <node_modules dir> <model.gguf>
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, modelPath] = process.argv.slice(2);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(join(modules, 'node-llama-cpp', 'dist', 'index.js')).href);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });

function chunk(text, finish) {
  return JSON.stringify({ id: 'cmpl-llama', object: 'text_completion', created: 0, model: 'clmodel',
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] });
}

// Greedy tokens after the prompt; `onText` gets each new piece of decoded text.
async function complete(prompt, maxTokens, onText) {
  const tokens = model.tokenize(prompt, false);
  const context = await model.createContext({
    contextSize: model.trainContextSize, batchSize: Math.max(tokens.length, 1), threads: 1,
    flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32',
  });
  const generated = [];
  let sent = 0;
  for await (const token of context.getSequence().evaluate(tokens, { temperature: 0 })) {
    generated.push(token);
    const text = model.detokenize(generated);
    if (!text.endsWith('\uFFFD') && text.length > sent) { // never cut a character in two
      onText(text.slice(sent));
      sent = text.length;
    }
    if (generated.length >= maxTokens) break;
  }
  await context.dispose();
}

const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', async () => {
    let body;
    try { body = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch (e) { body = null; }
    if (req.url !== '/v1/completions' || !body || typeof body.prompt !== 'string' || !(body.max_tokens > 0)) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'bad request' } }));
    }
    if (body.stream) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      await complete(body.prompt, body.max_tokens, (t) => res.write('data: ' + chunk(t, null) + '\n\n'));
      res.write('data: ' + chunk('', 'length') + '\n\ndata: [DONE]\n\n');
      return res.end();
    }
    let all = '';
    await complete(body.prompt, body.max_tokens, (t) => { all += t; });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(chunk(all, 'length'));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'));
process.on('SIGTERM', async () => { server.close(); await model.dispose(); await llama.dispose(); process.exit(0); });
// A test that fails half-way cannot stop us: leave when the parent process is gone.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 500).unref();
