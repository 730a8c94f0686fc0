// Data-parallel training in the Digits example (web/src/digits/shardPool.ts), as a reader uses
// it: the Workers menu, the count the status line reports, and numbers that depend only on the
// seed and the worker count. Two fresh pages that take the same steps on 2 workers hold the same
// weights bit for bit; on 1 worker they differ only by the float32 rounding of the shards' sum.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const STEPS = 8;

/** A fresh page on Digits, `workers` chosen from the menu, Step pressed STEPS times: the page's weights. */
async function stepped(workers) {
  const page = await h.open();
  const dash = () => page.evaluate(() => ({ ...document.querySelector('[data-testid="digits-dashboard"]').dataset }));
  await page.getByTestId('preset-select').selectOption('digits');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  const menu = page.getByTestId('digits-workers');
  await menu.focus();
  await menu.selectOption(String(workers));
  await page.waitForFunction((n) => document.querySelector('[data-testid="digits-dashboard"]').dataset.workers === n, String(workers));
  for (let k = 1; k <= STEPS; k++) {
    await page.getByTestId('digits-step').click();
    await page.waitForFunction((s) => document.querySelector('[data-testid="digits-dashboard"]').dataset.steps === s, String(k));
  }
  const status = await page.getByTestId('digits-status').textContent();
  // the page takes the worker's weights a moment after its last progress message
  const read = () => page.evaluate(() => Array.from(window.cnnlens.model.parameters()));
  let weights = await read();
  for (let tries = 0; tries < 20; tries++) {
    await page.waitForTimeout(400);
    const again = await read();
    if (again.every((v, i) => v === weights[i])) break;
    weights = again;
  }
  const d = await dash();
  assert.deepEqual(page.problems, []);
  await page.context().close();
  return { weights, status, steps: Number(d.steps), workers: Number(d.workers) };
}

test('two workers: the status says so, and the same steps give the same weights bit for bit', async () => {
  const a = await stepped(2);
  const b = await stepped(2);
  assert.equal(a.workers, 2);
  assert.match(a.status, /on 2 workers/);
  assert.equal(a.steps, STEPS);
  assert.equal(a.weights.length, b.weights.length);
  assert.ok(a.weights.some((v, i) => v !== 0 && i > 0), 'trained weights');
  assert.deepEqual(a.weights, b.weights, 'identical for the same seed and worker count');

  // one worker sums the batch in another order: the same training up to float32 rounding
  const c = await stepped(1);
  assert.equal(c.workers, 1);
  assert.match(c.status, /on 1 worker\b/);
  let differing = 0;
  let worst = 0;
  for (let i = 0; i < c.weights.length; i++) {
    if (c.weights[i] !== a.weights[i]) differing++;
    worst = Math.max(worst, Math.abs(c.weights[i] - a.weights[i]));
  }
  console.log(`1 worker against 2 after ${STEPS} steps: ${differing} of ${c.weights.length} weights differ, by at most ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
});
