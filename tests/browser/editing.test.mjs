// Editing: typing into kernel and input cells, keyboard behaviour, architecture edits with the
// core's message shown in place, randomise/reset of a layer's parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, cells, lossValue } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const cell = (page, testid, i) => page.locator(`[data-testid="${testid}"] .cell`).nth(i);

test('editing a kernel cell (click, type, Enter) changes downstream matrices and the loss', async () => {
  const page = await h.open();
  const loss0 = await lossValue(page);
  await cell(page, 'matrix-0-weight-0', 0).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2');
  await page.keyboard.press('Enter');
  assert.deepEqual((await cells(page, 'matrix-0-weight-0'))[0], 2);
  const map = await cells(page, 'matrix-0-output-0');
  assert.equal(map[0], 4, 'conv output (0,0) = 3 + 1 more × 1');
  assert.equal((await cells(page, 'matrix-1-output-0'))[0], 4, 'the pooled max follows');
  assert.notEqual(await lossValue(page), loss0);
  // Enter moved on: the editor is now in the next kernel cell
  const editor = page.getByTestId('cell-editor');
  assert.equal(await editor.count(), 1);
  await page.keyboard.press('Escape');
  assert.equal(await editor.count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('input cells: typing on a focused cell, Tab moves on, Esc cancels', async () => {
  const page = await h.open();
  await cell(page, 'matrix-input-0', 1).focus();
  await page.keyboard.type('1');
  await page.keyboard.press('Tab');
  await page.keyboard.type('5');
  await page.keyboard.press('Escape');
  const input = await cells(page, 'matrix-input-0');
  assert.equal(input[1], 1);
  assert.equal(input[2], 0, 'Esc cancelled the second edit');
  assert.equal((await cells(page, 'matrix-0-output-0'))[0], 2, '3 + (−1)×1');
  // arrow keys move the roving focus
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '8');
  await page.context().close();
});

test('painting the input with the 0/1 brush', async () => {
  const page = await h.open();
  await page.getByTestId('brush-binary').click();
  const a = await cell(page, 'matrix-input-0', 1).boundingBox();
  const b = await cell(page, 'matrix-input-0', 3).boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
  await page.mouse.up();
  assert.deepEqual((await cells(page, 'matrix-input-0')).slice(0, 4), [1, 1, 1, 1]);
  await page.context().close();
});

test('invalid layer settings show the core message and keep the previous network', async () => {
  const page = await h.open();
  const ks = page.getByTestId('setting-0-kernel_size');
  await ks.fill('9');
  await ks.press('Enter');
  const err = page.getByTestId('layer-error-0');
  await err.waitFor();
  assert.match(await err.textContent(), /kernel/i);
  assert.deepEqual(await cells(page, 'matrix-0-output-0'), [3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1]);
  // a valid change afterwards applies and clears the message
  await ks.fill('5');
  await ks.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="shape-0"]').textContent.includes('2×2×2'));
  assert.equal(await err.isHidden(), true);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('add, reorder and remove layers; shapes are recomputed', async () => {
  const page = await h.open();
  // insert a ReLU after the convolution
  await page.getByTestId('insert-1').selectOption('relu');
  assert.equal(await page.evaluate(() => window.cnnlens.model.layerType(1)), 'relu');
  // cards are built within a time budget per frame (views/pipeline.ts): on a busy machine the last
  // ones come a frame later
  await page.getByTestId('layer-card-5').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-testid^="layer-card-"]').count(), 6);
  assert.deepEqual(await cells(page, 'matrix-1-output-0'), [3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0]);
  // the conv weights survived the edit
  assert.deepEqual(await cells(page, 'matrix-0-weight-0'), [1, -1, -1, -1, 1, -1, -1, -1, 1]);
  // move it after the pooling, then remove it
  await page.getByTestId('layer-card-1').getByRole('button', { name: 'Move later' }).click();
  assert.equal(await page.evaluate(() => window.cnnlens.model.layerType(2)), 'relu');
  await page.getByTestId('remove-2').click();
  await page.getByTestId('layer-card-4').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-testid^="layer-card-"]').count(), 5);
  // more output channels: 3 maps, dense re-initialised to fit 12 inputs
  await page.getByTestId('setting-0-out_channels').fill('3');
  await page.getByTestId('setting-0-out_channels').press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="shape-0"]').textContent.includes('3×4×4'));
  assert.match(await page.getByTestId('shape-2').textContent(), /12/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an absurd count of filters or units gets the core range message at once, builds nothing, and keeps the network', async () => {
  const page = await h.open();
  const before = await page.evaluate(() => window.cnnlens.sceneJSON());
  for (const [testid, layer, text] of [['setting-0-out_channels', 0, '1e9'], ['setting-0-out_channels', 0, '100000'], ['setting-3-out_features', 3, '3e8']]) {
    const field = page.getByTestId(testid);
    await field.fill(text);
    await field.press('Enter');
    const err = page.getByTestId(`layer-error-${layer}`);
    // the weights for a count past the core's limit are never built (they held the page for seconds)
    await err.waitFor({ timeout: 5000 });
    assert.match(await err.textContent(), /1024|range/, text);
    assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before, `${text}: the network is the one before`);
    await field.fill('2');
    await field.press('Enter');
    await err.waitFor({ state: 'hidden' });
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a move the core refuses names the cards as they are now, not as they would have been', async () => {
  const page = await h.open();
  // Flatten (card 3) before Max pooling (card 2): pooling would get a vector
  await page.getByTestId('layer-card-2').getByRole('button', { name: 'Move earlier' }).click();
  const err = page.getByTestId('layer-error-2');
  await err.waitFor();
  assert.match(await err.textContent(), /“2\. Max pooling”: it needs feature maps/);
  assert.equal(await page.evaluate(() => window.cnnlens.model.layerType(2)), 'flatten', 'the network is as it was');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('randomise and reset a layer', async () => {
  const page = await h.open();
  await page.getByTestId('randomise-0').click();
  const w = await cells(page, 'matrix-0-weight-0');
  assert.notDeepEqual(w, [1, -1, -1, -1, 1, -1, -1, -1, 1]);
  await page.getByTestId('reset-params-0').click();
  assert.deepEqual(await cells(page, 'matrix-0-weight-0'), [1, -1, -1, -1, 1, -1, -1, -1, 1]);
  assert.deepEqual(await cells(page, 'matrix-0-output-0'), [3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1]);
  await page.context().close();
});

test('changing the loss gives a matching target', async () => {
  const page = await h.open();
  await page.getByTestId('loss-select').selectOption('cross_entropy');
  assert.equal(await page.getByTestId('target-class').inputValue(), '0');
  const g = await cells(page, 'matrix-lossgrad-0');
  assert.ok(g[0] < 0 && g[1] > 0, 'p − onehot: negative at the target class');
  await page.getByTestId('target-class').fill('1');
  await page.getByTestId('target-class').press('Enter');
  const g2 = await cells(page, 'matrix-lossgrad-0');
  assert.ok(g2[0] > 0 && g2[1] < 0);
  await page.getByTestId('loss-select').selectOption('mse');
  assert.deepEqual(await cells(page, 'matrix-target-0'), [0, 0]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
