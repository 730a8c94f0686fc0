// The training worker's pool of helpers (web/src/digits/shardPool.ts) and each helper's copy of
// the model (web/src/digits/replica.ts), wired together in one process with real wasm models of
// the Digits network. Messages are structured-cloned with their transfers, as between workers,
// and delivered in an order drawn from a seed: each channel keeps its own order, as ports do,
// but which channel delivers next is random. Whatever the order, with pauses, evaluations and
// edits between steps, the trainer's model and every helper's copy must hold the bits a single
// model gets by adding the shards in shard order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript, loadModule, readText, seededRandom } from './support.mjs';

let ShardPool, Replica, shardSizes, sumInOrder, lens;
const pools = [];
before(async () => {
  // the pool spins only while a core is left over for the page (keepAwake.ts); Node 20 has no navigator
  globalThis.navigator ??= { hardwareConcurrency: 2 };
  ({ ShardPool } = await importTypeScript('web/src/digits/shardPool.ts'));
  ({ Replica } = await importTypeScript('web/src/digits/replica.ts'));
  ({ shardSizes, sumInOrder } = await importTypeScript('web/src/digits/shards.ts'));
  lens = await loadModule();
});
// the spin's message port would keep the test's process alive
after(() => { for (const p of pools) p.awake.channel.port1.close(); });

const scene = readText('examples/digits.json');
const PIXELS = 784;

function samples(count, seed) {
  const rnd = seededRandom(seed);
  return {
    images: Uint8Array.from({ length: count * PIXELS }, () => Math.floor(rnd() * 256)),
    labels: Uint8Array.from({ length: count }, () => Math.floor(rnd() * 10)),
  };
}

/** Channels between the trainer's pool and its helpers, delivering in a seeded random order. */
class Wires {
  constructor(seed) {
    this.random = seededRandom(seed);
    this.channels = new Map();
    this.delivered = 0;
  }

  /** Queues `message` (cloned now, its transfers detached from the sender) on channel `name`. */
  send(name, deliver, message, transfer = []) {
    const copy = structuredClone(message, { transfer });
    if (!this.channels.has(name)) this.channels.set(name, []);
    this.channels.get(name).push(() => deliver(copy));
  }

  /** Delivers one queued message from a random non-empty channel; false when none is left. */
  deliverOne() {
    const busy = [...this.channels.values()].filter((q) => q.length);
    if (!busy.length) return false;
    busy[Math.floor(this.random() * busy.length)].shift()();
    this.delivered++;
    return true;
  }

  drain() {
    while (this.deliverOne());
  }
}

/** A helper worker as the pool sees it: its replica runs on a real model, its messages go through `wires`. */
class HelperStandIn {
  constructor(wires, all) {
    this.wires = wires;
    this.all = all;
    this.onmessage = null;
    this.place = { index: 1, workers: 2 };
    this.model = null;
    this.received = [];
    // made at once, as in the worker: another helper's gradients may come before this one's network
    this.replica = new Replica({
      toTrainer: (c, used) => this.answer({ type: 'gradients', contribution: c, used }, [c.gradients.buffer, used.inputs.buffer, used.labels.buffer]),
      toPeer: (w, c) => {
        // the pool's helper k is worker k + 1 (the pool terminates helpers from the end)
        const peer = this.all.filter((h) => !h.terminated)[w - 1];
        this.wires.send(`helper ${this.place.index} to ${w}`, (copy) => peer?.replica.peerContribution(copy), c, [c.gradients.buffer]);
      },
    });
    all.push(this);
  }

  postMessage(m, transfer = []) {
    this.wires.send(`to helper ${this.all.indexOf(this)}`, (copy) => this.receive(copy), m, transfer);
  }

  terminate() { this.terminated = true; this.model?.delete(); this.model = null; }

  answer(m, transfer) {
    this.wires.send(`from helper ${this.all.indexOf(this)}`, (copy) => { if (!this.terminated) this.onmessage({ data: copy }); }, m, transfer);
  }

  receive(m) {
    if (this.terminated) return;
    this.received.push(m);
    if (m.type === 'scene') {
      this.model?.delete();
      this.model = new lens.Model(m.scene);
      this.replica.useModel(this.model);
      return;
    }
    if (m.type === 'peers') {
      this.place = { index: m.index, workers: m.workers };
      for (const p of m.ports) p?.close();
      this.replica.join(m.index, m.workers);
      return;
    }
    if (m.type === 'evaluate') {
      this.model.setParameters(m.params);
      this.answer({ type: 'evaluated', job: m.job, results: m.sets.map(() => ({ correct: 0, lossSum: 0, predictions: new Int32Array(0) })) });
      return;
    }
    if (m.type === 'sync') this.replica.sync(m.gen, m.step, m.state, m.shard, m.keepAwake);
    else if (m.type === 'shard') this.replica.shard(m.gen, m.step, m.shard);
    else if (m.type === 'apply') this.replica.trainerContribution(m.contribution, m.next);
  }
}

/** The pool of `workers` on a trainer model, and the same training on one model adding the shards in order. */
function rig(workers, seed) {
  const wires = new Wires(seed);
  const helpers = [];
  const pool = new ShardPool(() => new HelperStandIn(wires, helpers));
  pools.push(pool);
  const trainer = new lens.Model(scene);
  const reference = new lens.Model(scene);
  pool.configure(workers, trainer, scene);
  const data = samples(32 * 40, seed);
  const batch = (i) => ({
    key: `0:${i * 32}`, count: 32,
    images: data.images.subarray(i * 32 * PIXELS, (i + 1) * 32 * PIXELS), labels: data.labels.subarray(i * 32, (i + 1) * 32),
  });
  /** the reference's step: every shard's gradients on the one model, added in shard order */
  const referenceStep = (i, split = workers) => {
    const b = batch(i);
    const sizes = shardSizes(b.count, split);
    const grads = [];
    const lossSums = [];
    let first = 0;
    for (const n of sizes) {
      lossSums.push(reference.shardGradients(b.images.subarray(first * PIXELS, (first + n) * PIXELS), b.labels.subarray(first, first + n), b.count));
      grads.push(reference.gradients());
      first += n;
    }
    const { gradients, loss } = sumInOrder(grads, lossSums, b.count);
    reference.setGradients(gradients);
    reference.applyGradients(loss);
    return loss;
  };
  /** Steps `from` to `to` - 1 through the pool, training on straight through (each step's helpers are sent the next). */
  const run = (from, to, { goOnAfterLast = false } = {}) => {
    const losses = [];
    for (let i = from; i < to; i++) {
      let outcome = null;
      pool.step(trainer, batch(i), () => (i + 1 < to || goOnAfterLast ? batch(i + 1) : null), (o) => { outcome = o; }, (e) => { throw e; });
      while (!outcome && wires.deliverOne());
      assert.ok(outcome, `step ${i} ended`);
      losses.push(outcome.loss);
    }
    return losses;
  };
  const release = () => { trainer.delete(); reference.delete(); for (const h of helpers) h.terminate(); };
  return { pool, wires, helpers, trainer, reference, batch, referenceStep, run, release };
}

/** Runs `body` on a fresh rig (rig()), releasing its models whatever happens. */
function withRig(workers, seed, body) {
  const r = rig(workers, seed);
  try {
    body(r);
  } finally {
    r.release();
  }
}

function assertSameBits(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  assert.equal(first, -1, `${what}: value ${first} is ${actual[first]}, expected ${expected[first]}`);
}

/** Every copy (the trainer's and each live helper's, once their messages are delivered) holds the reference's parameters. */
function assertCopiesEqual(r, what) {
  r.wires.drain();
  const want = r.reference.parameters();
  assertSameBits(r.trainer.parameters(), want, `${what}: the trainer`);
  for (const h of r.helpers.filter((x) => !x.terminated)) assertSameBits(h.model.parameters(), want, `${what}: helper ${h.place.index}`);
}

for (const workers of [2, 3, 4]) {
  test(`shard pool, ${workers} workers: training straight through steps every copy as one model adding the shards in order, bit for bit`, () => {
    for (const seed of [1, 2]) {
      withRig(workers, seed, (r) => {
        const losses = r.run(0, 12);
        const want = Array.from({ length: 12 }, (_, i) => r.referenceStep(i));
        assert.deepEqual(losses.map(Math.fround), want.map(Math.fround), 'each step\'s loss');
        assertCopiesEqual(r, `seed ${seed}`);
        assert.equal(r.helpers.length, workers - 1);
      });
    }
  });
}

test('shard pool: a helper computes the next shard before the trainer asks for it, so a step waits for one message per helper', () => {
  withRig(2, 3, (r) => {
    r.run(0, 3, { goOnAfterLast: true });
    r.wires.drain(); // the helper steps and computes its shard of step 3 while the trainer is "paused"
    const before = r.wires.delivered;
    let done = false;
    r.pool.step(r.trainer, r.batch(3), () => null, () => { done = true; }, (e) => { throw e; });
    assert.equal(done, true, 'the helper\'s gradients of the step were in already: it ends at once');
    r.wires.drain();
    assert.equal(r.wires.delivered - before, 1, 'only the trainer\'s gradients went out');
    for (let i = 0; i < 4; i++) r.referenceStep(i);
    assertCopiesEqual(r, 'after the step computed ahead');
  });
});

test('shard pool: pauses, a batch other than the one computed ahead, an evaluation and an edit each resync the copies', () => {
  withRig(3, 4, (r) => {
    r.run(0, 4, { goOnAfterLast: true });
    // the helpers computed batch 4 ahead, but the trainer goes on with batch 6 (the reader's samples changed)
    r.run(6, 8);
    // a pause with no batch ahead: the next step sends plain shards
    r.run(8, 9);
    // an evaluation sets the helpers' parameters
    r.pool.evaluate(r.trainer, [[], []], () => {}, () => {});
    r.wires.drain();
    r.run(9, 11);
    for (const i of [0, 1, 2, 3, 6, 7, 8, 9, 10]) r.referenceStep(i);
    assertCopiesEqual(r, 'before the edit');
    // an edit on the page changes the trainer's weights, and the pool is told through cancel()
    const edited = r.trainer.parameters();
    edited[0] += 0.25;
    r.trainer.setParameters(edited);
    r.reference.setParameters(edited);
    r.pool.cancel();
    r.run(11, 13);
    r.referenceStep(11);
    r.referenceStep(12);
    assertCopiesEqual(r, 'after the edit');
    const kinds = r.helpers[0].received.map((m) => m.type);
    assert.equal(kinds.filter((k) => k === 'sync').length, 4, `a sync at the start, then after the other batch, the evaluation and the edit: ${kinds.join(' ')}`);
    assert.equal(kinds.filter((k) => k === 'shard').length, 1, 'the shard of the step after the pause');
  });
});

test('shard pool: a step cancelled mid-way trains nothing, and its late answers change no copy', () => {
  withRig(2, 5, (r) => {
    r.run(0, 2);
    let ended = false;
    r.pool.step(r.trainer, r.batch(2), () => r.batch(3), () => { ended = true; }, (e) => { throw e; });
    r.pool.cancel();
    r.wires.drain();
    assert.equal(ended, false, 'the cancelled step never ends');
    r.run(2, 5);
    for (let i = 0; i < 5; i++) r.referenceStep(i);
    assertCopiesEqual(r, 'after the cancelled step');
  });
});

test('shard pool: fewer workers after a resize, and a batch smaller than the worker count, keep every live copy equal', () => {
  withRig(4, 6, (r) => {
    r.run(0, 3);
    r.pool.configure(2, r.trainer, scene);
    assert.equal(r.helpers.filter((h) => !h.terminated).length, 1, 'two helpers stopped');
    r.run(3, 5);
    for (let i = 0; i < 3; i++) r.referenceStep(i, 4);
    for (let i = 3; i < 5; i++) r.referenceStep(i, 2);
    assertCopiesEqual(r, 'after the resize');
    // one sample for two workers: the trainer trains it alone, and the helper is synced after
    const one = { key: '1:0', count: 1, images: r.batch(5).images.subarray(0, PIXELS), labels: r.batch(5).labels.subarray(0, 1) };
    let loss = null;
    r.pool.step(r.trainer, one, () => r.batch(6), (o) => { loss = o.loss; }, (e) => { throw e; });
    assert.equal(Math.fround(loss), Math.fround(r.reference.trainBatch(one.images, one.labels)), 'trained here, as one batch');
    r.run(6, 8);
    r.referenceStep(6, 2);
    r.referenceStep(7, 2);
    assertCopiesEqual(r, 'after the batch of one');
  });
});

test('shard pool: workers spin while they wait only when a core is left over for the page', () => {
  const cores = navigator.hardwareConcurrency;
  try {
    for (const [n, spins] of [[3, true], [2, false]]) {
      // defined, not assigned: a Node with its own navigator has only a getter there
      Object.defineProperty(navigator, 'hardwareConcurrency', { value: n, configurable: true });
      withRig(2, 7, (r) => {
        r.pool.step(r.trainer, r.batch(0), () => null, () => {}, (e) => { throw e; });
        assert.equal(r.pool.awake.spinning, spins, `the trainer on ${n} cores`);
        r.wires.drain();
        assert.equal(r.helpers[0].received.find((m) => m.type === 'sync').keepAwake, spins, `2 workers on ${n} cores: the helper`);
      });
    }
  } finally {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores, configurable: true });
  }
});

test('shard pool: the arrays that come from a worker carry the next message back to it (a step allocates none)', async () => {
  const { Shelf } = await importTypeScript('web/src/digits/contributions.ts');
  const shelf = new Shelf();
  const fromOne = new Float32Array(10);
  const fromTwo = new Float32Array(10);
  shelf.put(1, fromOne);
  shelf.put(2, fromTwo);
  shelf.put(2, new Float32Array(20)); // sized for the network before an edit
  assert.equal(shelf.take(1, 10), fromOne, 'worker 1 gets its own array back');
  const fresh = shelf.take(1, 10);
  assert.ok(fresh !== fromOne && fresh.length === 10, 'none left: a new one');
  assert.equal(shelf.take(2, 10), fromTwo, 'an array of another length is passed over, not sent');
});
