// Data-parallel training in the Digits example (web/src/digits/shardPool.ts), as a reader uses
// it: the Workers menu, the count the status line reports, and numbers that depend only on the
// seed and the worker count. Two fresh pages that take the same steps on 2 workers hold the same
// weights bit for bit; on 1 worker they differ only by the float32 rounding of the shards' sum.
// Every worker steps its own copy of the model (web/src/digits/replica.ts): training that runs on
// (Train) keeps the copies stepping together, each helper starting its next shard as soon as it
// has stepped, while Step syncs them from the trainer's model before every step. Both must give
// the same bits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const STEPS = 8;

/** A fresh page on Digits with `workers` chosen from the menu, and a reader of its dashboard. */
async function digitsOn(workers) {
  const page = await h.open();
  const dash = () => page.evaluate(() => ({ ...document.querySelector('[data-testid="digits-dashboard"]').dataset }));
  await page.getByTestId('preset-select').selectOption('digits');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  const menu = page.getByTestId('digits-workers');
  await menu.focus();
  await menu.selectOption(String(workers));
  await page.waitForFunction((n) => document.querySelector('[data-testid="digits-dashboard"]').dataset.workers === n, String(workers));
  return { page, dash };
}

/** The page's weights once they stop changing (it takes the worker's a moment after its last progress message). */
async function settledWeights(page) {
  const read = () => page.evaluate(() => Array.from(window.cnnlens.model.parameters()));
  let weights = await read();
  for (let tries = 0; tries < 20; tries++) {
    await page.waitForTimeout(400);
    const again = await read();
    if (again.every((v, i) => v === weights[i])) break;
    weights = again;
  }
  return weights;
}

/** A fresh page on Digits, `workers` chosen from the menu, Step pressed `steps` times: the page's weights. */
async function stepped(workers, steps = STEPS) {
  const { page, dash } = await digitsOn(workers);
  for (let k = 1; k <= steps; k++) {
    await page.getByTestId('digits-step').click();
    await page.waitForFunction((s) => document.querySelector('[data-testid="digits-dashboard"]').dataset.steps === s, String(k));
  }
  const status = await page.getByTestId('digits-status').textContent();
  const weights = await settledWeights(page);
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

// on 3 workers the helpers also send each other their gradients (ports between them)
for (const workers of [2, 3]) {
  test(`${workers} workers: training that runs on, paused and resumed, takes the same steps as Step does, bit for bit`, async () => {
    const { page, dash } = await digitsOn(workers);
    const run = page.getByTestId('digits-run');
    const pausedAfter = async (atLeast) => {
      await run.click();
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="digits-dashboard"]').dataset.steps) >= n, atLeast, { timeout: 30000 });
      await run.click();
      await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]').dataset.running === 'false');
    };
    // past the evaluations at 625 and 1,250 samples, each of which resyncs the helpers' copies
    await pausedAfter(25);
    await page.waitForTimeout(300);
    await pausedAfter(50);
    const ran = await settledWeights(page);
    const steps = Number((await dash()).steps);
    assert.deepEqual(page.problems, []);
    await page.context().close();
    console.log(`ran ${steps} steps on ${workers} workers (paused once on the way)`);

    const b = await stepped(workers, steps);
    assert.equal(b.steps, steps);
    assert.deepEqual(ran, b.weights, 'helpers that step their own copies end where copies synced before each step do');
  });
}

test('two workers share each evaluation: the accuracy and loss they report are those of the weights they measured', async () => {
  // Train on 2 workers past the evaluation after the first 625 samples, which the helper shares
  // (it exists from the first step on): that evaluation measured the weights after its step count.
  const { page, dash } = await digitsOn(2);
  const run = page.getByTestId('digits-run');
  await run.click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="digits-dashboard"]').dataset.evaluations ?? '').split(' ').length >= 2, null, { timeout: 30000 });
  await run.click();
  const [steps, accuracy, loss] = (await dash()).evaluations.split(' ')[1].split(':').map(Number);
  assert.deepEqual(page.problems, []);
  await page.context().close();
  assert.ok(steps > 0 && accuracy > 0, `an evaluation after training: ${steps} steps, accuracy ${accuracy}`);

  // The same weights from a fresh page (Step takes the same steps, bit for bit), measured on a
  // page's own thread over the whole test set in one call.
  const b = await stepped(2, steps);
  const again = await h.open();
  const scene = readFileSync(new URL('../../examples/digits.json', import.meta.url), 'utf8');
  const measured = await again.evaluate(async ({ scene, weights }) => {
    const fetched = async (name) => new Uint8Array(await (await fetch(`digits/${name}`)).arrayBuffer());
    const [images, labels] = await Promise.all([fetched('test-images.u8'), fetched('test-labels.u8')]);
    const model = new window.cnnlens.module.Model(scene);
    model.setParameters(Float32Array.from(weights));
    const r = model.evaluate(images, labels);
    model.delete();
    return { accuracy: r.correct / labels.length, loss: r.loss };
  }, { scene, weights: b.weights });
  await again.context().close();
  console.log(`evaluation after ${steps} steps: accuracy ${accuracy} (measured again: ${measured.accuracy}), loss ${loss} (${measured.loss})`);
  assert.equal(accuracy, measured.accuracy);
  assert.ok(Math.abs(loss - measured.loss) < 1e-5, `loss ${loss} against ${measured.loss}`);
});

test('while the workers take every core the dashboard draws two frames a second while training, else four', async () => {
  const redraws = {};
  for (const cores of [2, 8]) {
    // the page's own count of cores (the workers are chosen from the menu: 2 either way)
    const page = await h.open({ url: null });
    await page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
    await page.goto(h.server.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('preset-select').selectOption('digits');
    await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
    await page.getByTestId('digits-workers').selectOption('2');
    await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]').dataset.workers === '2');
    await page.getByTestId('digits-run').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="digits-dashboard"]').dataset.steps) > 20, null, { timeout: 30000 });
    // each frame while training writes the status line anew (the digits seen go up)
    redraws[cores] = await page.evaluate(() => new Promise((done) => {
      const line = document.querySelector('[data-testid="digits-status"]');
      let n = 0;
      const seen = new MutationObserver(() => { n++; });
      seen.observe(line, { childList: true, characterData: true, subtree: true });
      setTimeout(() => { seen.disconnect(); done(n); }, 4000);
    }));
    await page.getByTestId('digits-run').click();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
  console.log(`status line redraws in 4 s of training on 2 workers: ${redraws[2]} on 2 cores, ${redraws[8]} on 8`);
  assert.ok(redraws[2] >= 4 && redraws[2] <= 9, `2 workers on 2 cores: about 8 frames in 4 s, got ${redraws[2]}`);
  assert.ok(redraws[8] >= 11, `2 workers on 8 cores: about 16 frames in 4 s, got ${redraws[8]}`);
});
