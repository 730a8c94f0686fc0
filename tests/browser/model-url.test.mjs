// Opening a model from an address, as a user does it: `?model=URL` and the example menu's hosted
// model. A chain ONNX file (the classic example, written by the ONNX module's exportOnnx) is
// served by a second server, with CORS, beside the failures: 404, a damaged file, a web page, a
// file declared too large, one too large while streaming, a server without CORS and an address
// that is not http(s). Each failure says so in words (en, zh) and the saved work stays; the good
// file opens with the core's numbers, as one undo step. Copy link then gives `?model=` (and says
// what it lacks once the model was trained), and a model too large for the browser's storage is
// reported in words, by the size check and by a full storage. Screenshots (1280x720, 390x844) go
// to $CNNLENS_SCREENSHOTS (default: the temporary folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shots = process.env.CNNLENS_SCREENSHOTS ?? tmpdir();
const MB = 1024 * 1024;

let h;
let models; // the second server: { url, close }
let core;
let classicOnnx;
let deepOnnx;
let classicImported;
let resnetImported; // the hosted small ResNet as the core's import reads it
const INPUT = Array.from({ length: 36 }, (_, i) => Math.round(Math.sin(i + 1) * 1000) / 1000);

/** The files of the second server (another origin than the page). */
function serveModels() {
  const cors = { 'access-control-allow-origin': '*' };
  const sockets = new Set();
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const send = (status, headers, body) => { res.writeHead(status, headers); res.end(body); };
    switch (path) {
      case '/classic.onnx': return send(200, { ...cors, 'content-type': 'application/octet-stream' }, classicOnnx);
      case '/deep.onnx': return send(200, { ...cors, 'content-type': 'application/octet-stream' }, deepOnnx);
      case '/scene.json': return send(200, { ...cors, 'content-type': 'application/json' }, readFileSync(join(root, 'examples/deep.json')));
      case '/damaged.onnx': return send(200, { ...cors, 'content-type': 'application/octet-stream' }, classicOnnx.subarray(0, classicOnnx.length >> 1));
      case '/page.onnx': return send(200, { ...cors, 'content-type': 'text/html' }, '<!doctype html><title>Not here</title><p>Sign in to see this file.</p>');
      case '/no-cors.onnx': return send(200, { 'content-type': 'application/octet-stream' }, classicOnnx);
      case '/declared-huge.onnx':
        // says 100 MB, sends a little and then nothing: the page must stop at the header
        res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': String(100 * MB) });
        res.write(classicOnnx);
        return undefined;
      case '/streamed-huge.onnx': {
        // no length given: 1 MB pieces until the page stops reading (or 80 MB)
        res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' });
        const piece = Buffer.alloc(MB, 7);
        let sent = 0;
        const more = () => {
          while (sent < 80 && !res.destroyed) {
            sent++;
            if (!res.write(piece)) { res.once('drain', more); return; }
          }
          if (!res.destroyed) res.end();
        };
        more();
        return undefined;
      }
      default: return send(404, { ...cors, 'content-type': 'text/plain' }, 'not found');
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((done) => { for (const s of sockets) s.destroy(); server.close(done); }),
  })));
}

before(async () => {
  const onnx = await (await import(join(root, 'build/wasm/bindings/cnnlens-onnx.mjs'))).default();
  core = await (await import(join(root, 'build/wasm/bindings/cnnlens.mjs'))).default();
  classicOnnx = Buffer.from(onnx.exportOnnx(readFileSync(join(root, 'examples/classic.json'), 'utf8')));
  deepOnnx = Buffer.from(onnx.exportOnnx(readFileSync(join(root, 'examples/deep.json'), 'utf8')));
  classicImported = onnx.importOnnx(classicOnnx);
  resnetImported = onnx.importOnnx(readFileSync(join(root, 'tests/fixtures/onnx/small_resnet.onnx')));
  h = await setup();
  models = await serveModels();
});
after(async () => { await models?.close(); await h?.close(); });

/** A fresh context left on about:blank: each test goes to its own address with goto(). */
function newPage(viewport = { width: 1280, height: 900 }) {
  return h.open({ ...viewport, url: null, acceptDownloads: true, consoleErrors: false });
}

async function goto(page, search = '') {
  await page.goto(`${h.server.url}${search}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
}

const sceneJson = (page) => page.evaluate(() => window.cnnlens.sceneJSON());
const saved = (page) => page.evaluate(() => localStorage.getItem('cnnlens:work'));
const notice = (page, text) => page.getByTestId('notice-text').filter({ hasText: text }).waitFor({ timeout: 20000 });
const modelParam = (file) => `?model=${encodeURIComponent(models.url + file)}`;

/** Some work of one's own, saved: the deep example with one weight changed. Returns its scene. */
async function work(page) {
  await goto(page);
  await page.getByTestId('preset-select').selectOption('deep');
  await page.evaluate(() => { window.cnnlens.model.setParamElement(0, 'weight', 0, 0.625); window.cnnlens.refresh(); });
  const scene = await sceneJson(page);
  await page.waitForFunction(() => (localStorage.getItem('cnnlens:work') ?? '').includes('0.625'));
  return scene;
}

/** The page's output for INPUT, and the core's for the imported file (batch of 1). */
async function outputs(page) {
  const got = await page.evaluate((x) => Array.from(window.cnnlens.model.predict(Float32Array.from(x))), INPUT);
  const m = new core.Model(classicImported);
  try {
    return { got, want: Array.from(m.predict(Float32Array.from(INPUT))) };
  } finally {
    m.delete();
  }
}

test('?model= opens a chain ONNX file from another origin (CORS) with the core\'s numbers, as one undo step over the saved work', async () => {
  const page = await newPage();
  const before = await work(page);
  await goto(page, modelParam('classic.onnx'));
  await notice(page, 'Opened classic.onnx.');
  // the file's weights, as the core's import reads them
  const opened = JSON.parse(await sceneJson(page));
  const nodes = JSON.parse(classicImported).nodes;
  assert.deepEqual(opened.layers.map((l) => l.type), nodes.map((n) => n.type));
  nodes.forEach((node, i) => {
    for (const name of ['weight', 'bias']) if (node[name]) assert.deepEqual(opened.layers[i][name], node[name].data, `layer ${i} ${name}`);
  });
  const { got, want } = await outputs(page);
  assert.deepEqual(got, want, 'the page\'s output equals the core\'s for the same input');
  await page.getByTestId('layer-card-0').waitFor();
  assert.match(await page.getByTestId('btn-undo').getAttribute('title'), /open an ONNX model/);
  // the address bar forgets ?model= (a reload shows the saved work, edits included)
  assert.equal(new URL(page.url()).searchParams.get('model'), null);
  await page.screenshot({ path: join(shots, 'model-url-opened-1280x720.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });
  // one undo step: the saved work from before
  await page.getByTestId('btn-undo').click();
  await page.waitForFunction((want) => window.cnnlens.sceneJSON() === want, before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a scene file (.json) opens from ?model= too', async () => {
  const page = await newPage();
  await goto(page, modelParam('scene.json'));
  await notice(page, 'Opened scene.json.');
  const want = new core.Model(readFileSync(join(root, 'examples/deep.json'), 'utf8'));
  try {
    assert.deepEqual(JSON.parse(await sceneJson(page)).layers.map((l) => l.type), JSON.parse(want.toJSON()).layers.map((l) => l.type));
  } finally {
    want.delete();
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

const FAILURES = [
  ['missing.onnx', 'the server answered 404'],
  ['damaged.onnx', 'it is not a readable ONNX model'],
  ['page.onnx', 'is neither an ONNX model nor a scene file'],
  ['declared-huge.onnx', 'is 100.0 MB, more than the 64.0 MB this page can open'],
  ['streamed-huge.onnx', 'is larger than the 64.0 MB this page can open'],
  ['no-cors.onnx', 'does not let other sites read the file (CORS)'],
];

test('every failure says what happened and keeps the saved work: 404, damaged, a web page, too large (declared, streamed), no CORS, not http', async () => {
  const page = await newPage();
  const before = await work(page);
  for (const [file, words] of FAILURES) {
    await goto(page, modelParam(file));
    await notice(page, words);
    const text = await page.getByTestId('notice-text').textContent();
    assert.match(text, /current work is kept/, `${file}: ${text}`);
    assert.equal(await sceneJson(page), before, `${file}: the work is unchanged`);
    assert.match(await saved(page), /0\.625/, `${file}: the saved work is unchanged`);
    if (file === 'missing.onnx') {
      await page.screenshot({ path: join(shots, 'model-url-404-1280x720.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });
    }
  }
  await goto(page, `?model=${encodeURIComponent('javascript:alert(1)')}`);
  await notice(page, 'is not a web address (http or https)');
  assert.equal(await sceneJson(page), before);
  // an empty address is no address: the saved work, no notice (it used to fetch the page itself)
  await goto(page, '?model=');
  await page.waitForTimeout(500); // a fetch would have started at once
  assert.equal(await page.getByTestId('notice').count(), 0);
  assert.equal(await sceneJson(page), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the messages are in Chinese on a Chinese page (phone size)', async () => {
  const page = await newPage({ width: 390, height: 844 });
  const before = await work(page);
  await goto(page, `${modelParam('missing.onnx')}&lang=zh`);
  await notice(page, '服务器的回答是 404');
  await page.screenshot({ path: join(shots, 'model-url-404-zh-390x844.png') });
  await goto(page, `${modelParam('declared-huge.onnx')}&lang=zh`);
  await notice(page, '超过了本页面能打开的 64.0 MB');
  await goto(page, `${modelParam('page.onnx')}&lang=zh`);
  await notice(page, '既不是 ONNX 模型，也不是场景文件');
  assert.equal(await sceneJson(page), before);
  await goto(page, `${modelParam('classic.onnx')}&lang=zh`);
  await notice(page, '已打开 classic.onnx。');
  await page.screenshot({ path: join(shots, 'model-url-opened-zh-390x844.png') });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Copy link after ?model= gives ?model=, also after a reload; once trained it says the link holds the original and offers Save file', async () => {
  const page = await newPage();
  await goto(page, `${modelParam('classic.onnx')}&lang=en`);
  await notice(page, 'Opened classic.onnx.');
  const copy = async () => {
    await page.evaluate(() => { document.querySelector('[data-testid="share-link-field"]').value = ''; });
    await page.getByTestId('share-copy-link').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="share-link-field"]').value !== '');
    return new URL(await page.getByTestId('share-link-field').inputValue());
  };
  let link = await copy();
  assert.equal(link.searchParams.get('model'), `${models.url}classic.onnx`);
  assert.equal(link.searchParams.get('scene'), null, 'no weights in the link');
  assert.equal(link.searchParams.get('lang'), 'en');
  assert.equal(await page.getByTestId('model-link').isHidden(), true, 'nothing to add: the link opens this model');

  // after a reload (the work comes from storage) the link still names the address
  await goto(page);
  link = await copy();
  assert.equal(link.searchParams.get('model'), `${models.url}classic.onnx`);

  // trained: the link still opens the original, and says so
  await page.getByTestId('btn-step').click();
  await page.waitForFunction((want) => window.cnnlens.sceneJSON() !== want, classicImported);
  link = await copy();
  assert.equal(link.searchParams.get('model'), `${models.url}classic.onnx`);
  await page.getByTestId('model-link').waitFor();
  assert.match(await page.getByTestId('model-link-text').textContent(), /opens the original model from .*classic\.onnx, not your changes/);
  await page.screenshot({ path: join(shots, 'model-url-link-edited-1280x720.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-save-file').click()]);
  assert.match(download.suggestedFilename(), /\.json$/);

  // another network (an example chosen): an ordinary link with the scene
  await page.getByTestId('preset-select').selectOption('classic');
  link = await copy();
  assert.equal(link.searchParams.get('model'), null);
  assert.match(link.searchParams.get('scene'), /^1\./);

  // the link opens the model in a fresh browser
  const other = await newPage();
  await goto(other, `?model=${encodeURIComponent(`${models.url}classic.onnx`)}`);
  await notice(other, 'Opened classic.onnx.');
  assert.deepEqual((await outputs(other)).got, (await outputs(other)).want);
  assert.deepEqual([...page.problems, ...other.problems], []);
  await page.context().close();
  await other.context().close();
});

test('the example menu\'s hosted model is fetched from the page\'s models/ folder on demand and opens through the ?model path', async () => {
  const page = await newPage();
  await goto(page);
  const option = page.locator('[data-testid="preset-select"] option[value="model:small-resnet"]');
  assert.equal(await option.textContent(), 'A small ResNet from PyTorch');
  // the shipped file is the committed fixture
  const shipped = await page.evaluate(async () => new Uint8Array(await (await fetch('models/small-resnet.onnx')).arrayBuffer()).length);
  assert.equal(shipped, readFileSync(join(root, 'tests/fixtures/onnx/small_resnet.onnx')).length);
  const fetched = page.waitForRequest('**/models/small-resnet.onnx');
  await page.getByTestId('preset-select').selectOption('model:small-resnet');
  await fetched;
  await notice(page, 'Opened small-resnet.onnx.');
  // a graph (residual adds, batch norm): drawn as the overview, one column per node after the input
  const nodes = await page.evaluate(() => window.cnnlens.model.nodeIds());
  assert.ok(nodes.length > 10, `${nodes.length} nodes`);
  assert.equal(await page.locator('[data-testid="ov-nodes"] > li').count(), nodes.length + 1);
  // with the file's numbers: the page's output for an input equals the core's import of the fixture
  const m = new core.Model(resnetImported);
  try {
    const shape = m.inputShape(); // the file's batch [N, C, H, W]; predict takes one sample
    const size = shape.slice(shape.length === 4 ? 1 : 0).reduce((a, b) => a * b, 1);
    const x = Array.from({ length: size }, (_, k) => Math.sin(k * 0.37));
    const got = await page.evaluate((v) => Array.from(window.cnnlens.model.predict(Float32Array.from(v))), x);
    assert.deepEqual(got, Array.from(m.predict(Float32Array.from(x))));
  } finally {
    m.delete();
  }
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'custom', 'the menu names the opened model like an opened file');
  assert.equal(new URL(await page.evaluate(() => window.cnnlens.shareLink())).searchParams.get('model'), 'models/small-resnet.onnx');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a model that came without an input says its maps are flat, and fills its input with random values in one undo step', async () => {
  const page = await newPage();
  await goto(page);
  await page.getByTestId('preset-select').selectOption('model:small-resnet');
  await notice(page, 'Opened small-resnet.onnx.');
  const input = () => page.evaluate(() => JSON.parse(window.cnnlens.sceneJSON()).input.data);
  // how much the first node's maps vary within a channel (zero everywhere on a constant input)
  const spread = () => page.evaluate(() => {
    const m = window.cnnlens.model;
    const id = m.nodeIds()[0];
    const [n, c, hgt, w] = m.nodeTensors(id).find((t) => t.name === 'output').shape;
    const v = m.nodeCopy(id, 'output');
    let most = 0;
    for (let k = 0; k < n * c; k++) {
      const map = v.subarray(k * hgt * w, (k + 1) * hgt * w);
      most = Math.max(most, Math.max(...map) - Math.min(...map));
    }
    return most;
  });
  const note = page.getByTestId('zero-input-note');
  await note.waitFor();
  assert.match(await note.textContent(), /all zeros/);
  assert.ok((await input()).every((v) => v === 0));
  assert.equal(await spread(), 0, 'on zeros, every map of the first node is flat');
  await page.getByTestId('random-input').click();
  await note.waitFor({ state: 'hidden' });
  const filled = await input();
  assert.ok(filled.every((v) => v >= 0 && v < 1), 'values in 0..1');
  assert.ok(new Set(filled).size > filled.length / 2, 'not one value repeated');
  assert.ok(await spread() > 0, 'the first node\'s maps are no longer flat');
  // one undo step back to the zeros (and the note); redo gives the very same numbers
  await page.keyboard.press('Control+z');
  await note.waitFor();
  assert.ok((await input()).every((v) => v === 0));
  await page.keyboard.press('Control+Shift+z');
  await note.waitFor({ state: 'hidden' });
  assert.deepEqual(await input(), filled);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a model too large to keep in the browser is reported (size check): the address is kept and a reload opens it again', async () => {
  const page = await newPage();
  await goto(page);
  await page.waitForFunction(() => localStorage.getItem('cnnlens:work') !== null);
  // a limit between the saved example and the model: the model does not fit
  const limit = (await saved(page)).length + 100;
  await page.evaluate((n) => { window.cnnlensStorageLimit = n; }, limit);
  await page.evaluate((url) => window.cnnlens.openModel(url), `${models.url}deep.onnx`);
  const storageNotice = page.getByTestId('notice-storage');
  await storageNotice.waitFor();
  assert.match(await storageNotice.textContent(), /This model is too large to keep in the browser \([\d.]+ MB\): after a reload it opens again from .*deep\.onnx, without your changes/);
  assert.equal(await storageNotice.getByTestId('notice-save-file').isVisible(), true);
  await page.screenshot({ path: join(shots, 'model-url-storage-1280x720.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });
  const kept = JSON.parse(await saved(page));
  assert.equal(kept.scene, '');
  assert.equal(kept.model.url, `${models.url}deep.onnx`);
  const opened = await sceneJson(page);
  await goto(page); // no limit now: the model comes back from its address
  await notice(page, 'Opened deep.onnx.');
  assert.equal(await sceneJson(page), opened);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a full storage (QuotaExceededError) is reported in words, nothing throws, the earlier saved work stays (zh too)', async () => {
  for (const lang of ['en', 'zh']) {
    const page = await newPage(lang === 'zh' ? { width: 390, height: 844 } : undefined);
    await goto(page, `?lang=${lang}`);
    await page.waitForFunction(() => localStorage.getItem('cnnlens:work') !== null);
    const before = await saved(page);
    // fill the storage to the brim (whatever this browser's quota is)
    await page.evaluate(() => {
      // pieces of shrinking size, so no single write is large
      let n = 0;
      for (let size = 256 * 1024; size >= 256; size >>= 1) {
        for (;;) {
          try { localStorage.setItem(`filler-${n}`, 'x'.repeat(size)); n++; } catch { break; }
        }
      }
    });
    const file = page.waitForEvent('filechooser');
    await page.getByTestId('import-json').click();
    await (await file).setFiles({ name: 'deep.onnx', mimeType: 'application/octet-stream', buffer: deepOnnx });
    const storageNotice = page.getByTestId('notice-storage');
    await storageNotice.waitFor();
    assert.match(await storageNotice.textContent(), lang === 'en' ? /This model is too large to keep in the browser \([\d.]+ MB\).*use “Save file”/ : /这个模型太大（[\d.]+ MB），无法保存在浏览器中/);
    assert.equal(await saved(page), before, 'the earlier saved work stays');
    if (lang === 'zh') await page.screenshot({ path: join(shots, 'model-url-storage-zh-390x844.png') });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
