// Opening ONNX models in the page, as a user does it with "Open file…" (or by dropping the file): a damaged file
// gives a message in the reader's language and leaves the work as it was; a chain of classic
// layers (the deep example, exported by `cnnlens export`) opens with the file's weights, as one
// undo step; a graph (a ResNet) opens in the overview. Writes 1280x720 screenshots of a refusal
// and of the opened models to $CNNLENS_SCREENSHOTS (default: the temporary folder). The offline single file, which
// has no ONNX reader, says so. The ONNX button downloads a model that reads back the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST, setup } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'build/native/cnnlens');
const fixture = (name) => readFileSync(join(root, 'tests/fixtures/onnx', name));

let h;
let deepOnnx;
let deepImported;
before(async () => {
  h = await setup();
  const dir = mkdtempSync(join(tmpdir(), 'cnnlens-onnx-page-'));
  execFileSync(cli, ['export', join(root, 'examples/deep.json'), '-o', join(dir, 'deep.onnx')]);
  deepOnnx = readFileSync(join(dir, 'deep.onnx'));
  deepImported = JSON.parse(execFileSync(cli, ['import', join(dir, 'deep.onnx')]).toString());
});
after(async () => { await h?.close(); });

function openAt(url, viewport = { width: 1280, height: 900 }) {
  return h.open({ ...viewport, url, acceptDownloads: true });
}

const sceneJson = (page) => page.evaluate(() => window.cnnlens.sceneJSON());

/** What a user does: "Open file…" and pick the file. */
async function openFile(page, name, buffer) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('import-json').click();
  await (await chooser).setFiles({ name, mimeType: 'application/octet-stream', buffer });
}

test('Open file… takes .onnx: a damaged file is refused with a message, the work stays; a chain opens as one undo step; a ResNet opens in the overview', async () => {
  const page = await openAt(h.server.url);
  assert.match(await page.getByTestId('import-file').getAttribute('accept'), /\.onnx/);
  assert.equal(await page.getByTestId('import-json').textContent(), 'Open file…');
  // some work first: one edit to undo later
  await page.evaluate(() => { window.cnnlens.model.setParamElement(0, 'weight', 0, 0.5); window.cnnlens.refresh(); });
  const before = await sceneJson(page);

  const lenet = fixture('lenet5.onnx');
  await openFile(page, 'damaged.onnx', lenet.subarray(0, lenet.length >> 1));
  await page.getByTestId('notice-text').filter({ hasText: 'Could not open that file: it is not a readable ONNX model' }).waitFor();
  assert.equal(await sceneJson(page), before, 'a damaged file changes nothing');

  await page.screenshot({ path: join(process.env.CNNLENS_SCREENSHOTS ?? tmpdir(), 'onnx-refused.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });

  await openFile(page, 'channels_last.onnx', fixture('channels_last.onnx'));
  await page.getByTestId('notice-text').filter({ hasText: 'channels-last' }).waitFor();
  assert.equal(await sceneJson(page), before);

  await openFile(page, 'deep.onnx', deepOnnx);
  await page.getByTestId('notice-text').filter({ hasText: 'Opened deep.onnx.' }).waitFor();
  const opened = JSON.parse(await sceneJson(page));
  assert.deepEqual(opened.layers.map((l) => l.type), deepImported.nodes.map((n) => n.type));
  deepImported.nodes.forEach((node, i) => {
    for (const name of ['weight', 'bias']) {
      if (node[name]) assert.deepEqual(opened.layers[i][name], node[name].data ?? node[name], `layer ${i} ${name} from the file`);
    }
  });
  assert.deepEqual(opened.input.shape, [1, 10, 10]);
  assert.equal(opened.loss, 'cross_entropy', 'a classifier trains with cross-entropy');
  // the page draws the model: one card per layer
  await page.getByTestId(`layer-card-${opened.layers.length - 1}`).waitFor();
  assert.equal(await page.locator('section[data-testid^="layer-card-"]').count(), opened.layers.length);
  assert.match(await page.getByTestId('btn-undo').getAttribute('title'), /open an ONNX model/);

  await page.screenshot({ path: join(process.env.CNNLENS_SCREENSHOTS ?? tmpdir(), 'onnx-opened.png') });

  // one undo step brings back the work from before the import
  await page.getByTestId('btn-undo').click();
  await page.waitForFunction((want) => window.cnnlens.sceneJSON() === want, before);

  // a graph (residual adds, batch norm, a batch of 4) opens in the overview, every node of the file
  await openFile(page, 'small_resnet.onnx', fixture('small_resnet.onnx'));
  await page.getByTestId('notice-text').filter({ hasText: 'Opened small_resnet.onnx.' }).waitFor();
  await page.getByTestId('overview').waitFor();
  const nodes = await page.evaluate(() => window.cnnlens.model.nodeIds().length);
  assert.equal(nodes, 22);
  assert.equal(await page.locator('[data-testid="ov-nodes"] > li').count(), nodes + 1);
  assert.ok(await page.locator('.ov-edges .ov-arc').count() >= 1, 'the residual adds are arcs');
  await page.screenshot({ path: join(process.env.CNNLENS_SCREENSHOTS ?? tmpdir(), 'onnx-graph-opened.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the messages are in the reader\'s language (zh)', async () => {
  const page = await openAt(`${h.server.url}?lang=zh`);
  const before = await sceneJson(page);
  await openFile(page, 'junk.onnx', Buffer.from('not a model at all'));
  await page.getByTestId('notice-text').filter({ hasText: '它不是可读取的 ONNX 模型' }).waitFor();
  assert.equal(await sceneJson(page), before);
  await openFile(page, 'small_resnet.onnx', fixture('small_resnet.onnx'));
  await page.getByTestId('overview').waitFor();
  assert.match(await page.getByTestId('ov-node-input').textContent(), /网络输入/);
  await page.context().close();
});

test('a 1280x720 view of an opened ONNX model', async () => {
  const page = await openAt(h.server.url, { width: 1280, height: 720 });
  await openFile(page, 'deep.onnx', deepOnnx);
  await page.getByTestId('notice-text').filter({ hasText: 'Opened deep.onnx.' }).waitFor();
  await page.screenshot({ path: join(process.env.CNNLENS_SCREENSHOTS ?? tmpdir(), 'onnx-opened-1280x720.png') });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the offline single file has no ONNX reader (its size budget) and says so; the work stays', async () => {
  const page = await openAt(pathToFileURL(join(DIST, 'cnn-lens-offline.html')).href);
  const before = await sceneJson(page);
  await openFile(page, 'deep.onnx', deepOnnx);
  await page.getByTestId('notice-text').filter({ hasText: 'this offline copy of the page has no ONNX reader' }).waitFor();
  assert.equal(await sceneJson(page), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the ONNX button downloads the network as a model that reads back with the page\'s weights', async () => {
  const page = await openAt(h.server.url);
  await page.getByTestId('preset-select').selectOption('deep');
  const scene = JSON.parse(await sceneJson(page));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-onnx').click()]);
  assert.match(download.suggestedFilename(), /\.onnx$/);
  const back = JSON.parse(execFileSync(cli, ['import', await download.path()]).toString());
  assert.deepEqual(back.nodes.map((n) => n.type), scene.layers.map((l) => l.type));
  scene.layers.forEach((layer, i) => {
    for (const name of ['weight', 'bias']) if (layer[name]) assert.deepEqual(back.nodes[i][name].data, layer[name], `layer ${i} ${name}`);
  });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a .onnx file dropped on the page opens as Open file… opens it', async () => {
  const page = await openAt(h.server.url);
  await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'dropped.onnx', { type: 'application/octet-stream' }));
    const target = document.querySelector('[data-testid="layer-card-0"]');
    const over = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
    target.dispatchEvent(over);
    if (!over.defaultPrevented) throw new Error('the page does not accept the drag');
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, deepOnnx.toString('base64'));
  await page.getByTestId('notice-text').filter({ hasText: 'Opened dropped.onnx.' }).waitFor();
  assert.deepEqual(JSON.parse(await sceneJson(page)).layers.map((l) => l.type), deepImported.nodes.map((n) => n.type));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
