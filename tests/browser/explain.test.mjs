// Convolution arithmetic, pooling windows, gradients and their explanations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, cells } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const cell = (page, testid, i) => page.locator(`[data-testid="${testid}"] .cell`).nth(i);
const formula = (page) => page.getByTestId('explain-formula').first().textContent();

test('hovering a conv output cell writes its sum of products and highlights the receptive field', async () => {
  const page = await h.open();
  await cell(page, 'matrix-0-output-0', 0).hover();
  const f = await formula(page);
  assert.match(f, /^1×1 \+ \(−1\)×0 \+ \(−1\)×0/);
  assert.match(f, /= 3$/);
  // 9 input cells outlined, 9 kernel taps, the cell itself selected
  assert.equal(await page.locator('[data-testid="matrix-input-0"] .cell.field').count(), 9);
  assert.equal(await page.locator('[data-testid="matrix-0-weight-0"] .cell.tap').count(), 9);
  assert.equal(await page.locator('[data-testid="matrix-0-weight-1"] .cell.tap').count(), 0);
  // another cell: (1, 2) of filter 2 is -2
  await cell(page, 'matrix-0-output-1', 6).hover();
  assert.match(await formula(page), /= −2$/);
  await page.context().close();
});

test('keyboard focus on a conv output cell explains it too', async () => {
  const page = await h.open();
  await cell(page, 'matrix-0-output-0', 0).focus();
  assert.match(await formula(page), /= 3$/);
  await page.keyboard.press('ArrowRight');
  assert.match(await formula(page), /= −1$/);
  await page.context().close();
});

test('pooling cells show their window and the winner', async () => {
  const page = await h.open();
  await cell(page, 'matrix-1-output-0', 0).hover();
  assert.equal(await formula(page), 'max(3, −1, −3, 1) = 3');
  assert.equal(await page.locator('[data-testid="matrix-0-output-0"] .cell.winner').count(), 1);
  await page.context().close();
});

test('flatten and dense cells explain where their numbers come from', async () => {
  const page = await h.open();
  await cell(page, 'matrix-2-output-0', 5).hover();
  assert.match(await formula(page), /ch 2, row 1, col 2/);
  assert.equal(await page.locator('[data-testid="matrix-1-output-1"] .cell.src').count(), 1);
  await cell(page, 'matrix-3-output-0', 0).hover();
  const f = await formula(page);
  assert.match(f, /^z1 = .*bias.* = .*sigmoid\(/);
  await page.context().close();
});

test('gradient view shows dL/d output, parameter gradients and the weight-gradient sum', async () => {
  const page = await h.open();
  await page.getByTestId('mode-gradients').click();
  const g = await cells(page, 'matrix-0-grad_output-0');
  assert.equal(g.length, 16);
  // max-pool routing: only the 4 winners of each map get gradient
  assert.equal(g.filter((v) => v !== 0).length <= 4, true);
  assert.equal(await page.locator('[data-testid="matrix-1-grad_input-0"] .cell.winner').count(), 4);
  await cell(page, 'matrix-0-weight.grad-0', 0).hover();
  const text = await page.getByTestId('explain').textContent();
  assert.match(text, /input × upstream-gradient/);
  const w = await page.evaluate(() => window.cnnlens.model.copy(0, 'weight.grad')[0]);
  assert.ok(Number.isFinite(w));
  await page.getByTestId('mode-both').click();
  assert.equal(await page.locator('[data-testid="matrix-0-output-0"]').count(), 1);
  assert.equal(await page.locator('[data-testid="matrix-0-grad_output-0"]').count(), 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('slide mode steps the kernel one stride at a time (reduced motion: manual steps)', async () => {
  const page = await h.open({ reducedMotion: 'reduce' });
  await page.getByTestId('slide-0').click();
  assert.match(await formula(page), /= 3$/);
  await page.getByTestId('slide-next').click();
  assert.match(await formula(page), /= −1$/);
  assert.equal(await page.locator('[data-testid="matrix-input-0"] .cell.field').count(), 9);
  await page.getByTestId('slide-stop').click();
  await page.context().close();
});
