// Training lowers the loss, optimizer state appears, divergence pauses with a message, and
// the gradient check reports small errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, lossValue } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('Step 20 times lowers the loss and shows the optimizer state', async () => {
  const page = await h.open();
  const before = await lossValue(page);
  for (let i = 0; i < 20; i++) await page.getByTestId('btn-step').click();
  assert.equal(await page.evaluate(() => window.cnnlens.model.stepsTaken()), 20);
  assert.ok(await lossValue(page) < before);
  await page.getByTestId('opt-state-0').waitFor();
  assert.ok(await page.locator('[data-testid^="matrix-0-weight.delta-"]').count() > 0);
  await page.getByTestId('btn-reset').click();
  assert.equal(await page.evaluate(() => window.cnnlens.model.stepsTaken()), 0);
  assert.equal(await lossValue(page), before);
  await page.context().close();
});

test('Run trains until Pause, with Adam state visible', async () => {
  const page = await h.open();
  await page.getByTestId('preset-select').selectOption('deep');
  const before = await lossValue(page);
  await page.getByTestId('btn-run').click();
  await page.waitForFunction(() => window.cnnlens.model.stepsTaken() >= 30);
  await page.getByTestId('btn-run').click();
  const steps = await page.evaluate(() => window.cnnlens.model.stepsTaken());
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.cnnlens.model.stepsTaken()), steps, 'paused');
  assert.ok(await lossValue(page) < before);
  assert.ok(await page.locator('[data-testid^="matrix-0-weight.velocity-"]').count() > 0);
  assert.match(await page.getByTestId('loss-chart').getAttribute('aria-label'), /steps/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('divergence pauses training and shows the message', async () => {
  const page = await h.open();
  await page.evaluate(() => window.cnnlens.loadScene({
    input: { shape: [1], data: [1000] }, layers: [{ type: 'dense', out_features: 1, weight: [1], bias: [0] }],
    loss: 'mse', target: [0], optimizer: { type: 'sgd', lr: 100 },
  }));
  await page.getByTestId('btn-run').click();
  const err = page.getByTestId('train-error');
  await err.waitFor();
  assert.match(await err.textContent(), /infinite|NaN/i);
  assert.equal(await page.getByTestId('btn-run').textContent(), 'Run');
  await page.context().close();
});

test('optimizer and learning rate can be changed', async () => {
  const page = await h.open();
  await page.getByTestId('optimizer-select').selectOption('adam');
  await page.getByTestId('lr-input').fill('0.05');
  await page.getByTestId('lr-input').press('Enter');
  const o = await page.evaluate(() => window.cnnlens.model.optimizer());
  assert.equal(o.type, 'adam');
  assert.ok(Math.abs(o.lr - 0.05) < 1e-9);
  await page.getByTestId('lr-input').fill('1000');
  await page.getByTestId('lr-input').press('Enter');
  // worded with the setting's label, not the scene's field name ("lr")
  assert.match(await page.getByTestId('train-error').textContent(), /the learning rate 1000 must be more than 0 and at most 100/);
  // the message that shows says why, not only that the rate can't be used; so does the field's tooltip
  const blocked = page.getByTestId('train-blocked');
  assert.equal(await blocked.isVisible(), true);
  assert.match(await blocked.textContent(), /Not training: .*learning rate.*1000 must be more than 0 and at most 100/);
  assert.match(await page.getByTestId('lr-input').getAttribute('title'), /1000 must be more than 0/);
  await page.getByTestId('lr-input').fill('0.05');
  await page.getByTestId('lr-input').press('Enter');
  assert.equal(await blocked.isHidden(), true);
  assert.equal(await page.getByTestId('lr-input').getAttribute('title'), null);
  await page.context().close();
});

test('gradient check shows small errors', async () => {
  const page = await h.open();
  await page.getByTestId('preset-select').selectOption('multichannel');
  await page.getByTestId('btn-gradcheck').click();
  const table = page.getByTestId('gradcheck-table');
  await table.waitFor();
  const rel = (await table.getByTestId('gc-rel').allTextContents()).map((t) => Number(t.replace('\u2212', '-')));
  assert.ok(rel.length >= 4);
  for (const r of rel) assert.ok(r < 1e-2, `relative error ${r}`);
  // the classic example has max-pool ties (kinks), but absolute errors stay small
  await page.getByTestId('preset-select').selectOption('classic');
  await page.getByTestId('btn-gradcheck').click();
  const abs = (await page.getByTestId('gc-abs').allTextContents()).map(Number);
  for (const a of abs) assert.ok(a < 0.05, `absolute error ${a}`);
  await page.context().close();
});
