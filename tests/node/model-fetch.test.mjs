// The page's model download (web/src/share/modelFetch.ts, transpiled here with TypeScript, no
// bundler) against a local server, with small limits: a good file, an HTTP error, a declared
// length over the limit (refused before the body), a body that grows past the limit while
// streaming, and a server that goes silent (aborted after the timeout, not stuck); and what
// sniffModel calls JSON, ONNX and other text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importTypeScript, root } from './support.mjs';

let fetchModel;
let sniffModel;
let server;
let base;
const sockets = new Set();

before(async () => {
  ({ fetchModel, sniffModel } = await importTypeScript('web/src/share/modelFetch.ts'));
  server = createServer((req, res) => {
    switch (req.url) {
      case '/good': res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(Buffer.from([8, 7, 18, 3, 1, 2, 3])); return;
      case '/gone': res.writeHead(410, 'Gone'); res.end(); return;
      case '/declared': res.writeHead(200, { 'content-length': '5000' }); res.write(Buffer.alloc(10)); return; // then silence
      case '/growing': {
        res.writeHead(200); // no length: chunked
        let n = 0;
        const t = setInterval(() => { if (res.destroyed || n++ > 50) { clearInterval(t); res.end(); } else res.write(Buffer.alloc(100)); }, 5);
        return;
      }
      case '/silent': res.writeHead(200); res.write(Buffer.alloc(10)); return; // a piece, then nothing
      default: res.writeHead(404); res.end();
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => { for (const s of sockets) s.destroy(); await new Promise((ok) => server.close(ok)); });

const limits = { maxBytes: 1000, timeoutMs: 300 };

test('a good file arrives whole', async () => {
  const r = await fetchModel(`${base}/good`, limits);
  assert.equal(r.ok, true);
  assert.deepEqual([...r.bytes], [8, 7, 18, 3, 1, 2, 3]);
});

test('an HTTP error gives its status', async () => {
  assert.deepEqual(await fetchModel(`${base}/gone`, limits), { ok: false, reason: 'http', status: 410, statusText: 'Gone' });
});

test('a declared length over the limit is refused from the header, without waiting for the body', async () => {
  const t0 = Date.now();
  assert.deepEqual(await fetchModel(`${base}/declared`, limits), { ok: false, reason: 'too_large', bytes: 5000 });
  assert.ok(Date.now() - t0 < 250, 'no wait for the timeout');
});

test('a body growing past the limit is stopped while streaming', async () => {
  assert.deepEqual(await fetchModel(`${base}/growing`, limits), { ok: false, reason: 'too_large', bytes: null });
});

test('a server that goes silent is given up after the timeout', async () => {
  const t0 = Date.now();
  assert.deepEqual(await fetchModel(`${base}/silent`, limits), { ok: false, reason: 'timeout' });
  assert.ok(Date.now() - t0 < 3000);
});

test('no server: a network failure', async () => {
  assert.deepEqual(await fetchModel('http://127.0.0.1:9/x', limits), { ok: false, reason: 'network' });
});

test('sniffModel: JSON by its first character, text is not a model, anything else is for the ONNX reader', () => {
  const b = (s) => new TextEncoder().encode(s);
  assert.equal(sniffModel(b('\ufeff  {"version": 1}')), 'json');
  assert.equal(sniffModel(b('<!doctype html><p>sign in')), 'other');
  assert.equal(sniffModel(b('just some text')), 'other');
  assert.equal(sniffModel(readFileSync(join(root, 'tests/fixtures/onnx/lenet5.onnx'))), 'onnx');
  assert.equal(sniffModel(new Uint8Array()), 'onnx');
});
