// The loss per sample beside the batch mean (issue #13 item 5), on the batch-norm example (a
// batch of 4): the card's numbers are the core's Model.losses(), their mean is the Model.loss()
// that training minimises, and each one matches an independent computation from the network's
// output and the target (cross-entropy −log softmax(z)[t]; mse the mean of squared differences
// over the sample's features, as core/src/loss.cpp reduces it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h.close(); });

const num = (t) => Number(t.replace('\u2212', '-').replace(/^L = /, ''));

/** The core's numbers and the last node's output and the target, straight from the model. */
const read = (page) => page.evaluate(() => {
  const m = window.cnnlens.model;
  const ids = m.nodeIds();
  const last = ids[ids.length - 1];
  const out = m.nodeTensors(last).find((t) => t.name === 'output');
  return { losses: [...m.losses()], loss: m.loss(), output: [...m.nodeView(last, 'output')], shape: out.shape, target: [...m.targetView()] };
});

/** Each sample's loss computed here, in double precision, independently of the page and the core. */
function expected({ output, shape, target }, kind) {
  const n = shape[0], f = output.length / n;
  return Array.from({ length: n }, (_, s) => {
    const z = output.slice(s * f, (s + 1) * f);
    if (kind === 'mse') return z.reduce((acc, v, k) => acc + (v - target[s * f + k]) ** 2, 0) / f;
    // the target is one class per sample, or a one-hot row per sample
    const t = target.length === n ? target[s] : target.slice(s * f, (s + 1) * f).indexOf(1);
    const peak = Math.max(...z);
    const lse = Math.log(z.reduce((acc, v) => acc + Math.exp(v - peak), 0)) + peak;
    return lse - z[t];
  });
}

function checkNumbers(r, kind, what) {
  assert.equal(r.losses.length, r.shape[0], `${what}: one loss per sample`);
  const mean = r.losses.reduce((a, b) => a + b, 0) / r.losses.length;
  assert.ok(Math.abs(mean - r.loss) <= 1e-5, `${what}: mean of the per-sample losses ${mean} = the core's loss ${r.loss}`);
  expected(r, kind).forEach((e, s) => assert.ok(Math.abs(e - r.losses[s]) <= 1e-5 * Math.max(1, Math.abs(e)), `${what}: sample ${s + 1}: ${r.losses[s]} vs ${e}`));
}

async function checkCard(page, r, what) {
  const card = page.getByTestId('batch-loss');
  await card.waitFor();
  for (let s = 0; s < r.losses.length; s++) {
    const shown = num(await page.getByTestId(`batch-loss-${s}`).textContent());
    assert.ok(Math.abs(shown - r.losses[s]) <= 0.01 * Math.max(1, Math.abs(r.losses[s])), `${what}: row ${s + 1} shows ${shown}, core ${r.losses[s]}`);
  }
  const mean = num(await page.getByTestId('batch-loss-mean').textContent());
  assert.ok(Math.abs(mean - r.loss) <= 0.01 * Math.max(1, r.loss), `${what}: the header shows the batch mean`);
  assert.equal(num(await page.getByTestId('batch-loss-mean-cell').textContent()), mean, `${what}: the mean row says the same`);
}

test('batch norm example: each sample\'s loss and the batch mean (cross-entropy), following training and the sample picker', async () => {
  const page = await h.open();
  await page.getByTestId('preset-select').selectOption('batchnorm');
  await page.getByTestId('overview').waitFor();
  let r = await read(page);
  assert.equal(r.shape[0], 4, 'a batch of 4');
  checkNumbers(r, 'cross_entropy', 'opened');
  await checkCard(page, r, 'opened');
  assert.equal(await page.getByTestId('batch-loss-row-0').getAttribute('aria-current'), 'true', 'the shown sample is marked');

  // a row picks its sample: the menu and the marked row follow
  await page.getByTestId('batch-loss-row-2').getByRole('button').click();
  assert.equal(await page.getByTestId('sample-select').inputValue(), '2');
  assert.equal(await page.getByTestId('batch-loss-row-2').getAttribute('aria-current'), 'true');
  assert.equal(await page.getByTestId('batch-loss-row-0').getAttribute('aria-current'), null);

  // a training step changes every number; the card follows
  await page.getByTestId('btn-step').click();
  await page.waitForFunction((before) => window.cnnlens.model.loss() !== before, r.loss);
  r = await read(page);
  checkNumbers(r, 'cross_entropy', 'after a step');
  await checkCard(page, r, 'after a step');
  assert.deepEqual(page.problems, []);
});

test('mean squared error: per sample the mean over its features, the batch the mean of those', async () => {
  const page = await h.open();
  await page.getByTestId('preset-select').selectOption('batchnorm');
  await page.getByTestId('overview').waitFor();
  const ok = await page.evaluate(() => {
    const scene = JSON.parse(window.cnnlens.sceneJSON());
    scene.loss = 'mse';
    scene.target = [[0.5, -1], [2, 0], [0.25, 0.75], [-0.5, 1.5]]; // one vector per sample
    return window.cnnlens.loadScene(scene).ok;
  });
  assert.ok(ok, 'the mse scene loads');
  await page.getByTestId('batch-loss').waitFor();
  const r = await read(page);
  checkNumbers(r, 'mse', 'mse');
  await checkCard(page, r, 'mse');
  assert.match(await page.getByTestId('batch-loss-note').textContent(), /mean squared error/i);
  assert.deepEqual(page.problems, []);
});
