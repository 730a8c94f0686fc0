// The training worker's pool of helpers (web/src/digits/shardPool.ts) with stand-ins for the
// helpers and the model, so a test decides when each answer comes: a shard's arrays come back
// with the answer and are sent again with the helper's next shard (a step allocates nothing),
// the shards are added in shard order, and arrays sized for the network before are dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript } from './support.mjs';

let ShardPool;
const pools = [];
before(async () => {
  // the pool spins only while a core is left over for the page (keepAwake.ts); Node 20 has no navigator
  globalThis.navigator ??= { hardwareConcurrency: 2 };
  ({ ShardPool } = await importTypeScript('web/src/digits/shardPool.ts'));
});
// the spin's message port would keep the test's process alive
after(() => { for (const p of pools) p.awake.channel.port1.close(); });

/** A model of `count` parameters whose shard gradients are all `grad`, as the core's checks go. */
class FakeModel {
  constructor(count, grad = 1) {
    this.count = count;
    this.grad = grad;
    this.applied = [];
  }
  splitsBatches() { return true; }
  fill(out, value) {
    if (out === undefined) return new Float32Array(this.count).fill(value);
    if (!(out instanceof Float32Array) || out.length !== this.count) throw new Error(`expected a Float32Array of ${this.count} values`);
    return out.fill(value);
  }
  parameters(out) { return this.fill(out, this.applied.length); }
  gradients(out) { return this.fill(out, this.grad); }
  shardGradients(inputs, labels) { return labels.length; }
  setGradients(g) { this.set = Float32Array.from(g); }
  applyGradients(loss) { this.applied.push({ loss, gradients: this.set }); }
  trainBatch() { throw new Error('one worker: not this test'); }
}

/** A helper that keeps what it is sent; `answer(k)` answers its k-th shard. */
class FakeHelper {
  constructor() { this.sent = []; this.onmessage = null; }
  postMessage(m) { this.sent.push(m); }
  terminate() { this.terminated = true; }
  answer(k, gradient = 2) {
    const { step, buffers } = this.sent.filter((m) => m.type === 'shard')[k];
    buffers.gradients.fill(gradient);
    this.onmessage({ data: { type: 'gradients', step, lossSum: buffers.labels.length, buffers } });
  }
}

function setup(model) {
  const helpers = [];
  const pool = new ShardPool(() => { const h = new FakeHelper(); helpers.push(h); return h; });
  pools.push(pool);
  pool.configure(2, model, 'scene A');
  return { pool, helpers };
}

const PIXELS = 4;
const images = Uint8Array.from({ length: 64 * PIXELS }, (_, i) => i % 251);
const labels = Uint8Array.from({ length: 64 }, (_, i) => i % 10);
const step = (pool, model, first, done = () => {}, fail = (e) => { throw e; }) =>
  pool.step(model, images.subarray(first * PIXELS, (first + 32) * PIXELS), labels.subarray(first, first + 32), 32, done, fail);

test('shard pool: the helper gets the parameters and its samples; the step adds both shards in order', () => {
  const model = new FakeModel(10, 1);
  const { pool, helpers } = setup(model);
  const outcomes = [];
  step(pool, model, 0, (o) => outcomes.push(o));
  assert.equal(helpers.length, 1, 'one helper for two workers');
  const [shard] = helpers[0].sent.filter((m) => m.type === 'shard');
  assert.equal(shard.batchTotal, 32);
  assert.equal(shard.keepAwake, false, 'two workers on two cores leave no core for the page: they do not spin');
  assert.deepEqual([...shard.buffers.inputs], [...images.subarray(16 * PIXELS, 32 * PIXELS)], 'the second half of the batch');
  assert.deepEqual([...shard.buffers.labels], [...labels.subarray(16, 32)]);
  assert.equal(shard.buffers.params.length, 10);
  assert.equal(pool.busy, true);
  helpers[0].answer(0, 2);
  assert.equal(pool.busy, false);
  assert.deepEqual(outcomes, [{ loss: 1 }], 'loss sums 16 + 16 over 32');
  assert.deepEqual([...model.applied[0].gradients], Array(10).fill(3), 'own 1 + helper 2');
});

test('shard pool: the next shard travels in the arrays the answer brought back', () => {
  const model = new FakeModel(10);
  const { pool, helpers } = setup(model);
  step(pool, model, 0);
  helpers[0].answer(0);
  step(pool, model, 32);
  const [first, second] = helpers[0].sent.filter((m) => m.type === 'shard');
  for (const name of ['params', 'inputs', 'labels', 'gradients']) {
    assert.equal(second.buffers[name], first.buffers[name], `${name}: the same array again`);
  }
  assert.deepEqual([...second.buffers.labels], [...labels.subarray(48, 64)], 'filled with the new samples');
  assert.deepEqual([...second.buffers.params], Array(10).fill(1), 'and the parameters after the first step');
});

test('shard pool: an answer about the network before is ignored, and its arrays are not reused for the new one', () => {
  const small = new FakeModel(10);
  const { pool, helpers } = setup(small);
  step(pool, small, 0);
  // a structural edit: another network, with more parameters, while the helper computes
  const large = new FakeModel(20);
  pool.configure(2, large, 'scene B');
  assert.equal(pool.busy, false, 'the step in flight is cancelled');
  helpers[0].answer(0);
  assert.equal(large.applied.length, 0, 'the late answer trains nothing');
  const outcomes = [];
  step(pool, large, 0, (o) => outcomes.push(o));
  const shards = helpers[0].sent.filter((m) => m.type === 'shard');
  assert.equal(shards[1].buffers.params.length, 20);
  assert.equal(shards[1].buffers.gradients.length, 20);
  assert.ok(helpers[0].sent.some((m) => m.type === 'scene' && m.scene === 'scene B'), 'the helper was sent the new network');
  helpers[0].answer(1);
  assert.equal(outcomes.length, 1);
  assert.equal(large.applied[0].gradients.length, 20);
});

test('shard pool: workers spin while they wait only when a core is left over for the page', () => {
  const model = new FakeModel(10);
  const cores = navigator.hardwareConcurrency;
  try {
    for (const [n, spins] of [[3, true], [2, false]]) {
      // defined, not assigned: a Node with its own navigator has only a getter there
      Object.defineProperty(navigator, 'hardwareConcurrency', { value: n, configurable: true });
      const { pool, helpers } = setup(model);
      step(pool, model, 0);
      assert.equal(helpers[0].sent.find((m) => m.type === 'shard').keepAwake, spins, `2 workers on ${n} cores`);
      assert.equal(pool.awake.spinning, spins, `the trainer on ${n} cores`);
      pool.cancel();
    }
  } finally {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores, configurable: true });
  }
});

test('shard pool: workers that outnumber the cores do not spin', () => {
  const model = new FakeModel(10);
  const helpers = [];
  const pool = new ShardPool(() => { const h = new FakeHelper(); helpers.push(h); return h; });
  pools.push(pool);
  pool.configure(4, model, 'scene A');
  step(pool, model, 0);
  assert.equal(helpers.length, 3);
  for (const h of helpers) assert.equal(h.sent.find((m) => m.type === 'shard').keepAwake, false);
  // answers in any order: the sum still runs in shard order once all are in
  helpers[2].answer(0, 4);
  helpers[0].answer(0, 2);
  assert.equal(model.applied.length, 0);
  helpers[1].answer(0, 3);
  assert.deepEqual([...model.applied[0].gradients], Array(10).fill(10));
});
