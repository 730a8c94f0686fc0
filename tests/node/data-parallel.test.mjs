// Sharing a batch between copies of a model, as the page's training workers do
// (web/src/digits/shardPool.ts): shardGradients on each copy, the shards' sum in shard order
// (sumInOrder, web/src/digits/shards.ts) set on every copy, applyGradients on every copy. The
// result is the whole batch's step up to float rounding, every copy holds the same bits, the
// same split always gives the same bits, and refusals change nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript, loadModule, readText } from './support.mjs';

// web/src/digits/shards.ts, transpiled here with TypeScript (no bundler)
let sumInOrder, shardSizes, epochOrder;
before(async () => {
  ({ sumInOrder, shardSizes, epochOrder } = await importTypeScript('web/src/digits/shards.ts'));
});

const digitsScene = readText('examples/digits.json');

function pseudoRandom(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function batch(count, pixels, seed) {
  const rnd = pseudoRandom(seed);
  return {
    images: Uint8Array.from({ length: count * pixels }, () => Math.floor(rnd() * 256)),
    labels: Uint8Array.from({ length: count }, () => Math.floor(rnd() * 10)),
  };
}

// One step of `images` split into shards of `sizes` across `copies`, as the workers take it.
function splitStep(copies, images, labels, sizes) {
  const pixels = images.length / labels.length;
  const total = sizes.reduce((a, b) => a + b, 0);
  let first = 0;
  const lossSums = [];
  const grads = [];
  sizes.forEach((n, k) => {
    lossSums.push(copies[k].shardGradients(images.subarray(first * pixels, (first + n) * pixels), labels.subarray(first, first + n), total));
    grads.push(copies[k].gradients());
    first += n;
  });
  const { gradients, loss } = sumInOrder(grads, lossSums, total);
  for (const c of copies) {
    c.setGradients(gradients);
    c.applyGradients(loss);
  }
  return loss;
}

function withModels(lens, count, use) {
  const models = Array.from({ length: count }, () => new lens.Model(digitsScene));
  try {
    return use(models);
  } finally {
    for (const m of models) m.delete();
  }
}

test('data parallel: two shards of 16 train the digits net as one batch of 32 does, to float rounding', async () => {
  const lens = await loadModule();
  withModels(lens, 3, ([whole, a, b]) => {
    assert.equal(a.splitsBatches(), true);
    const n = a.parameters().length;
    assert.ok(n > 1000, `${n} parameters`);
    assert.equal(a.gradients().length, n);
    for (let step = 0; step < 5; step++) {
      const { images, labels } = batch(32, 784, 10 + step);
      const loss = whole.trainBatch(images, labels);
      const split = splitStep([a, b], images, labels, [16, 16]);
      assert.ok(Math.abs(split - loss) <= 1e-5 * Math.max(1, Math.abs(loss)), `step ${step}: ${split} vs ${loss}`);
    }
    const pw = whole.parameters();
    const pa = a.parameters();
    let worst = 0;
    for (let i = 0; i < pw.length; i++) worst = Math.max(worst, Math.abs(pa[i] - pw[i]) / Math.max(1e-3, Math.abs(pw[i])));
    assert.ok(worst < 1e-3, `largest relative difference ${worst}`);
    assert.deepEqual(b.parameters(), pa, 'every copy holds the same parameters');
    assert.deepEqual(b.optimizerState(), a.optimizerState(), 'and the same optimizer state');
    assert.equal(a.stepsTaken(), 5);
    assert.equal(a.lossHistory().length, whole.lossHistory().length);
  });
});

test('data parallel: the same split gives the same numbers bit for bit, whatever runs it', async () => {
  const lens = await loadModule();
  const run = (sizes) => withModels(lens, sizes.length, (copies) => {
    for (let step = 0; step < 3; step++) {
      const { images, labels } = batch(32, 784, 50 + step);
      splitStep(copies, images, labels, sizes);
    }
    return copies[0].parameters();
  });
  assert.deepEqual(run([16, 16]), run([16, 16]));
  assert.deepEqual(run([11, 11, 10]), run([11, 11, 10]));
});

test('data parallel: parameters(out) and gradients(out) write the same values into out, and refuse an out that does not fit', async () => {
  const lens = await loadModule();
  withModels(lens, 1, ([m]) => {
    const { images, labels } = batch(8, 784, 7);
    m.shardGradients(images, labels, 8);
    const n = m.parameters().length;
    const out = new Float32Array(n).fill(7);
    assert.equal(m.parameters(out), out, 'returns out itself');
    assert.deepEqual(out, m.parameters());
    const grads = new Float32Array(n);
    assert.equal(m.gradients(grads), grads);
    assert.deepEqual(grads, m.gradients());
    assert.ok(grads.some((g) => g !== 0), 'the shard\'s gradients, not zeros');
    for (const bad of [new Float32Array(n - 1), new Float32Array(n + 1), new Float64Array(n), Array.from(out), null]) {
      const before = new Float32Array(out);
      assert.throws(() => m.parameters(bad), /expected a Float32Array of \d+ values/);
      assert.throws(() => m.gradients(bad), /expected a Float32Array of \d+ values/);
      if (bad instanceof Float32Array) assert.ok(bad.every((v) => v === 0), 'nothing written into a wrong-sized array');
      assert.deepEqual(out, before);
    }
  });
});

test('shards: sizes, epoch order and the ordered sum', () => {
  assert.deepEqual(shardSizes(32, 2), [16, 16]);
  assert.deepEqual(shardSizes(32, 3), [11, 11, 10]);
  assert.deepEqual(shardSizes(8, 4), [2, 2, 2, 2]);
  assert.deepEqual(shardSizes(3, 4), [1, 1, 1]);
  const order = epochOrder(5000, 2);
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 5000 }, (_, i) => i), 'a permutation');
  assert.deepEqual(epochOrder(5000, 2), order, 'fixed by the epoch');
  assert.notDeepEqual(epochOrder(5000, 3), order);
  // float32 addition, in order: (1e8 + 1) + (-1e8) is 0 in float32, 1 in another order
  const { gradients, loss } = sumInOrder([new Float32Array([1e8]), new Float32Array([1]), new Float32Array([-1e8])], [3, 1, 2], 4);
  assert.equal(gradients[0], 0);
  assert.equal(loss, 1.5);
  assert.equal(sumInOrder([new Float32Array([1e8]), new Float32Array([-1e8]), new Float32Array([1])], [0], 1).gradients[0], 1);
  // into the first shard's own array (the trainer's way), or another: the same bits
  const first = new Float32Array([1e8, 2.5]);
  const shards = [first, new Float32Array([1, 0.25]), new Float32Array([-1e8, -1])];
  const fresh = sumInOrder(shards.map((g) => g.slice()), [0], 1).gradients;
  const into = new Float32Array(2).fill(9);
  assert.deepEqual(sumInOrder(shards, [0], 1, into).gradients, fresh);
  assert.equal(sumInOrder(shards, [0], 1, first).gradients, first);
  assert.deepEqual(first, fresh);
});

test('data parallel: refusals carry codes and change nothing', async () => {
  const lens = await loadModule();
  withModels(lens, 1, ([m]) => {
    const before = m.parameters();
    const code = (f) => { try { f(); } catch (e) { return e.code; } return 'no error'; };
    assert.equal(code(() => m.applyGradients(1)), 'no_shard_gradients');
    const bad = before.slice();
    bad[5] = NaN;
    assert.equal(code(() => m.setParameters(bad)), 'not_finite');
    assert.equal(code(() => m.setGradients(bad)), 'not_finite');
    assert.equal(code(() => m.applyGradients(1)), 'no_shard_gradients');
    assert.match(String(code(() => m.setParameters(before.subarray(1)))), /invalid_scene/);
    const { images, labels } = batch(4, 784, 3);
    assert.equal(code(() => m.shardGradients(images, labels, 3)), 'out_of_range');
    assert.deepEqual(m.parameters(), before);
    assert.equal(m.stepsTaken(), 0);
  });
  // the digits net as a graph (version 2), with a dropout node before its last layer
  const { layers, ...rest } = JSON.parse(digitsScene);
  const chain = [...layers.slice(0, -1), { type: 'dropout', p: 0.25 }, layers.at(-1)];
  const nodes = chain.map((node, k) => ({ id: `n${k}`, inputs: [k === 0 ? 'input' : `n${k - 1}`], ...node }));
  const m = new lens.Model(JSON.stringify({ ...rest, version: 2, nodes, mode: 'train' }));
  try {
    assert.equal(m.splitsBatches(), false);
    const { images, labels } = batch(2, 784, 4);
    assert.throws(() => m.shardGradients(images, labels, 2), (e) => e.code === 'batch_not_splittable');
  } finally {
    m.delete();
  }
});
