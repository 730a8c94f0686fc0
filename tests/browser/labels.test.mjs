// Issue 18, items 3 and 4 (page side): every label true. The menu, description, document title
// and exported PNG say "(edited)" or "Your own scene"; the step counter, the curve and the
// optimizer agree; Adam proposes its own learning rate; the loss chart has a log scale;
// plurals and the core's layer names read right in English and Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const menuText = (page) => page.locator('[data-testid="preset-select"] option:checked').textContent();

test('removing a layer: menu, description, title and PNG all say the example was edited', async () => {
  const page = await h.open();
  assert.equal(await menuText(page), 'The classic example');
  assert.match(await page.title(), /^The classic example — CNN Lens$/);
  const desc0 = await page.getByTestId('scene-desc').textContent();
  await page.getByTestId('remove-0').click();
  assert.equal(await menuText(page), 'The classic example (edited)');
  assert.match(await page.getByTestId('scene-desc').textContent(), /^Edited from “The classic example”/);
  await page.waitForFunction(() => document.title.startsWith('The classic example (edited)'));
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  assert.equal(png.suggestedFilename(), 'the-classic-example-edited.png');
  // undo: the labels are true again
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.title.startsWith('The classic example —'));
  assert.equal(await menuText(page), 'The classic example');
  assert.equal(await page.getByTestId('scene-desc').textContent(), desc0);
  // a reload keeps the edited scene, still labelled as edited
  await page.getByTestId('remove-0').click();
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await menuText(page), 'The classic example (edited)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an opened file is "Your own scene"; a failed import changes no label', async () => {
  const page = await h.open();
  const bad = { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"layers": []}') };
  await page.getByTestId('import-file').setInputFiles(bad);
  // the file is read asynchronously: wait for its outcome before reading the labels
  await page.getByTestId('notice-text').filter({ hasText: 'Could not open that file' }).waitFor();
  assert.equal(await menuText(page), 'The classic example', 'a failed import leaves the labels alone');
  const scene = JSON.parse(await page.evaluate(() => window.cnnlens.sceneJSON()));
  scene.title = 'My lesson';
  delete scene.description;
  await page.getByTestId('import-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scene)) });
  await page.getByTestId('notice-text').filter({ hasText: 'Opened' }).waitFor();
  assert.equal(await menuText(page), 'Your own scene');
  assert.match(await page.getByTestId('scene-desc').textContent(), /Your own scene, opened from a file/);
  await page.waitForFunction(() => document.title.startsWith('Your own scene'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('after 2 SGD steps, Adam with one step: counter and curve both say 3 steps; Adam gets lr 0.01', async () => {
  const page = await h.open();
  await page.getByTestId('btn-step').click();
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^2 steps/);
  await page.getByTestId('optimizer-select').selectOption('adam');
  assert.equal(await page.getByTestId('lr-input').inputValue(), '0.01');
  assert.match(await page.getByTestId('lr-note').textContent(), /0\.01.*Adam/);
  await page.getByTestId('btn-step').click();
  const status = await page.getByTestId('train-status').textContent();
  assert.match(status, /^3 steps \(the last 1 step with Adam\)/);
  assert.match(await page.getByTestId('loss-chart').getAttribute('aria-label'), /over 3 steps/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('plurals: "1 step", "2 steps"; the chart goes log when the loss spans more than 2 decades', async () => {
  const page = await h.open();
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^1 step ·/);
  assert.match(await page.getByTestId('loss-chart').getAttribute('aria-label'), /over 1 step,/);
  assert.equal(await page.getByTestId('loss-chart').getAttribute('data-scale'), 'linear');
  // the classic story: the loss falls fast, so after a run the log scale switches itself on
  await page.getByTestId('steps-per-frame').fill('200');
  await page.getByTestId('steps-per-frame').press('Enter');
  await page.getByTestId('btn-run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="loss-log"]').checked, null, { timeout: 20000 });
  await page.getByTestId('btn-run').click();
  assert.equal(await page.getByTestId('loss-chart').getAttribute('data-scale'), 'log');
  // and the person's choice wins
  await page.getByTestId('loss-log').uncheck();
  assert.equal(await page.getByTestId('loss-chart').getAttribute('data-scale'), 'linear');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('core errors name the card (1-based) and the setting label, in English and Chinese', async () => {
  const page = await h.open();
  const ks = page.getByTestId('setting-0-kernel_size');
  await ks.fill('9');
  await ks.press('Enter');
  const en = await page.getByTestId('layer-error-0').textContent();
  assert.match(en, /“1\. Convolution”: kernel size 9×9 is larger than/);
  assert.doesNotMatch(en, /layer 0|kernel_size/);
  await page.goto(`${h.server.url}?lang=zh`);
  await page.waitForSelector('body[data-ready="true"]');
  const zks = page.getByTestId('setting-0-kernel_size');
  await zks.fill('9');
  await zks.press('Enter');
  const zh = await page.getByTestId('layer-error-0').textContent();
  assert.match(zh, /“1\. 卷积”：卷积核大小 9×9 大于补零后的输入/);
  await page.getByTestId('btn-step').isDisabled();
  await zks.fill('3');
  await zks.press('Enter');
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^1 步/);
  await page.context().close();
});
