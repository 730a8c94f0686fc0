// What two threads of this machine can give the Digits training at best, measured beside the
// page's worker speed-up (bench/browser.mjs --only workers): the same network and batch of 32,
// in Node worker threads with no browser around them, each step split 16 + 16 and the two
// threads kept in lockstep through a SharedArrayBuffer (Atomics.wait), the cheapest wait there
// is. The page can't use one (static hosts and file:// lack the headers it needs), so this is a
// ceiling for its message-passing design, not a peer: a machine whose second core is slower
// while the first is busy, or whose idle cores sleep deeply, shows it here too.
//
// lockstepSpeedUp(module, scene) -> { oneMs, twoMs, speedUp, shardMs }: milliseconds per step on 1
// thread (trainBatch of 32) and on 2 (shardGradients of 16 each, gradients and losses added in
// thread order, applyGradients with the batch's mean loss); shardMs[k][s] is how long thread k
// took over its shard of step s (bench/split-balance.mjs reads them).
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const STEPS = 300;
const WARMUP = 20;
const PIXELS = 28 * 28;
const SAMPLES = 4096;

export async function lockstepSpeedUp(modulePath, scenePath) {
  const lens = await (await import(modulePath)).default();
  const probe = new lens.Model(readFileSync(scenePath, 'utf8'));
  const count = probe.parameters().length;
  probe.delete();
  const run = (threads) => {
    const barrier = new SharedArrayBuffer(4);
    const slots = new SharedArrayBuffer(2 * threads * count * 4);
    const lossSlots = new SharedArrayBuffer(2 * threads * 8);
    const shardTimes = new SharedArrayBuffer(threads * STEPS * 8);
    return Promise.all(Array.from({ length: threads }, (_, index) => new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { lockstep: true, index, threads, barrier, slots, lossSlots, shardTimes, count, modulePath, scenePath } });
      w.once('message', resolve);
      w.once('error', reject);
    }))).then((ms) => ({ ms, shardMs: Array.from({ length: threads }, (_, k) => new Float64Array(shardTimes, k * STEPS * 8, STEPS)) }));
  };
  const one = await run(1);
  const two = await run(2);
  const oneMs = one.ms[0];
  const twoMs = Math.max(...two.ms);
  return { oneMs, twoMs, speedUp: oneMs / twoMs, shardMs: two.shardMs };
}

async function thread({ index, threads, barrier, slots, lossSlots, shardTimes, count, modulePath, scenePath }) {
  const createCnnLens = (await import(modulePath)).default;
  const lens = await createCnnLens();
  const model = new lens.Model(readFileSync(scenePath, 'utf8'));
  // the same pseudo-random digits-sized samples in every thread, a new batch each step
  const images = Uint8Array.from({ length: SAMPLES * PIXELS }, (_, k) => (Math.imul(k, 2654435761) >>> 24));
  const labels = Uint8Array.from({ length: SAMPLES }, (_, k) => k % 10);
  const arrived = new Int32Array(barrier);
  const share = threads === 1 ? null : Array.from({ length: 2 * threads }, (_, k) => new Float32Array(slots, k * count * 4, count));
  const lossSums = threads === 1 ? null : new Float64Array(lossSlots);
  const half = 32 / threads;
  const sum = new Float32Array(count);
  const shardMs = new Float64Array(shardTimes, index * STEPS * 8, STEPS);
  const step = (s) => {
    const first = ((s * 32) % (SAMPLES - 32)) + index * half;
    const inputs = images.subarray(first * PIXELS, (first + half) * PIXELS);
    const targets = labels.subarray(first, first + half);
    if (!share) return model.trainBatch(inputs, targets);
    const started = performance.now();
    const lossSum = model.shardGradients(inputs, targets, 32);
    if (s >= WARMUP) shardMs[s - WARMUP] = performance.now() - started;
    // two slots, by step parity: a thread can only write a slot again after the barrier of the
    // step between, which every thread passes only once it has read the slot
    const slot = (k) => share[(s % 2) * threads + k];
    slot(index).set(model.gradients());
    lossSums[(s % 2) * threads + index] = lossSum;
    const target = threads * (s + 1);
    let seen = Atomics.add(arrived, 0, 1) + 1;
    if (seen === target) Atomics.notify(arrived, 0);
    while (seen < target) {
      Atomics.wait(arrived, 0, seen);
      seen = Atomics.load(arrived, 0);
    }
    // into an array kept from step to step (Float32Array.from(slot) walked the values one by
    // one through the iterator, about 120 µs a step here: 7% of the step it bounds)
    sum.set(slot(0));
    for (let k = 1; k < threads; k++) {
      const g = slot(k);
      for (let i = 0; i < sum.length; i++) sum[i] += g[i];
    }
    // the batch's mean loss, the same in every thread, so every copy takes the same step
    let batchLoss = 0;
    for (let k = 0; k < threads; k++) batchLoss += lossSums[(s % 2) * threads + k];
    model.setGradients(sum);
    model.applyGradients(batchLoss / 32);
    return batchLoss / 32;
  };
  for (let s = 0; s < WARMUP; s++) step(s);
  const t0 = performance.now();
  for (let s = WARMUP; s < WARMUP + STEPS; s++) step(s);
  parentPort.postMessage((performance.now() - t0) / STEPS);
  model.delete();
}

// a thread of lockstepSpeedUp (not a worker of a script that imports this file)
if (!isMainThread && workerData?.lockstep) await thread(workerData);
