#!/usr/bin/env node
// A small OpenAI-compatible /v1/completions server for the remote-client tests, with one
// behaviour per mode (well-behaved, garbage, slow, dropped connection, rate-limited, failing).
// Listens on 127.0.0.1 on a free port and prints the port on stdout.
// Usage: node openai-server.js <mode> [api-key-expected] [tls-key.pem tls-cert.pem]
// With a key and certificate it serves HTTPS (mode "ok" behaviour).
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');

const mode = process.argv[2] || 'ok';
const expectedKey = process.argv[3] || '';
const tlsKey = process.argv[4];
const tlsCert = process.argv[5];
let requests = 0;

// The completion answers "You said: <prompt>", cut into pieces so the client must reassemble
// events and UTF-8 characters split across network writes.
function pieces(prompt) {
  const text = 'You said: ' + prompt;
  const out = [];
  for (let i = 0; i < text.length; i += 3) out.push(text.slice(i, i + 3));
  return out;
}

function chunk(text, finish) {
  return JSON.stringify({ id: 'cmpl-test', object: 'text_completion', created: 0, model: 'test',
    choices: [{ index: 0, text: text, logprobs: null, finish_reason: finish }] });
}

function readBody(req, cb) {
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    let body = null;
    try { body = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch (e) { body = null; }
    cb(body);
  });
}

function sendError(res, status, message) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: { message: message, type: 'test' } }));
}

// Write the events as raw bytes in awkward slices: line endings vary (LF, CRLF), comments and
// an explicit event type appear, and writes split events and multi-byte characters.
function streamAnswer(res, body, dropAfter) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  const ps = pieces(body.prompt);
  let wire = ': keep-alive comment\n\n';
  ps.forEach((p, i) => {
    const last = i === ps.length - 1;
    const eol = i % 2 ? '\r\n' : '\n';
    wire += (i === 1 ? 'event: message' + eol : '') + 'data: ' + chunk(p, last ? 'stop' : null) + eol + eol;
  });
  wire += 'data: [DONE]\n\n';
  const bytes = Buffer.from(wire, 'utf8');
  let off = 0;
  let sent = 0;
  const step = () => {
    if (dropAfter !== undefined && sent >= dropAfter) { res.socket.destroy(); return; }
    if (off >= bytes.length) { res.end(); return; }
    const n = 1 + ((off * 7) % 13);
    res.write(bytes.subarray(off, off + n));
    off += n;
    sent++;
    setImmediate(step);
  };
  step();
}

function handle(req, res) {
  requests++;
  if (req.method !== 'POST' || req.url !== '/v1/completions') return sendError(res, 404, 'no such endpoint');
  if (expectedKey && req.headers.authorization !== 'Bearer ' + expectedKey) return sendError(res, 401, 'bad key');
  readBody(req, (body) => {
    if (!body || typeof body.prompt !== 'string' || !(body.max_tokens > 0)) return sendError(res, 400, 'bad request body');
    switch (mode) {
      case 'ok':
        if (body.stream) return streamAnswer(res, body);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(chunk('You said: ' + body.prompt, 'length'));
      case 'flaky':
        if (requests <= 2) {
          res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '0' });
          return res.end(JSON.stringify({ error: { message: 'slow down' } }));
        }
        return streamAnswer(res, body);
      case 'failing':
        return sendError(res, 503, 'model is loading');
      case 'garbage-body':
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        return res.end('data: {"choices": [ this is not json\n\n');
      case 'garbage-json':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('<html>hello</html>');
      case 'drop':
        return streamAnswer(res, body, 40);
      case 'hangup':
        return req.socket.destroy();
      case 'slow':
        return; // never answer
      default:
        return sendError(res, 500, 'unknown mode');
    }
  });
}

let server;
if (mode === 'garbage-raw') {
  server = net.createServer((sock) => {
    sock.once('data', () => sock.end('SSH-2.0-OpenSSH_9.2 not http at all\r\n\r\n'));
  });
} else if (tlsKey && tlsCert) {
  server = https.createServer({ key: fs.readFileSync(tlsKey), cert: fs.readFileSync(tlsCert) }, handle);
} else {
  server = http.createServer(handle);
}
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
// A test that fails half-way cannot stop us: leave when the parent process is gone.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 500).unref();
