// Would the workers gain from claiming small chunks of each batch as they go, instead of an even
// split? The Digits network in Node threads, as bench/lockstep.mjs runs it, three ways, in
// alternating rounds: one thread training batches of 32 (trainBatch); two threads in lockstep
// with 16 samples each; two threads in lockstep that claim chunks of 4 samples from a shared
// counter until the batch is gone, so a faster thread takes more. Each chunk's gradient goes to
// its own slot and the slots are added in chunk order, so the bits do not depend on who computed
// what (what the page would need); the chunks cost calls and gradient copies of their own.
// Optional SPIN=1: a thread waiting at the barrier spins 5 ms before it sleeps.
// Usage: node bench/claimed-chunks.mjs [rounds=5]. Prints ms per step and the speed-ups.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = join(root, 'web/src/wasm/cnnlens.mjs');
const SCENE = join(root, 'examples/digits.json');
const STEPS = 300;
const WARMUP = 20;
const PIXELS = 28 * 28;
const SAMPLES = 4096;
const BATCH = 32;

/** ms per step with `threads` threads taking `chunk` samples at a time (`claimed`: from a shared counter, else evenly). */
async function measure(threads, chunk, claimed) {
  const lens = await (await import(MODULE)).default();
  const probe = new lens.Model(readFileSync(SCENE, 'utf8'));
  const count = probe.parameters().length;
  probe.delete();
  const chunks = BATCH / chunk;
  const shared = {
    barrier: new SharedArrayBuffer(4),
    claims: new SharedArrayBuffer((WARMUP + STEPS) * 4),
    slots: new SharedArrayBuffer(2 * chunks * count * 4),
    lossSlots: new SharedArrayBuffer(2 * chunks * 8),
    taken: new SharedArrayBuffer(threads * 4),
  };
  const ms = await Promise.all(Array.from({ length: threads }, (_, index) => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { claimedChunks: true, index, threads, chunk, claimed, count, spin: !!process.env.SPIN, ...shared } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  return { ms: Math.max(...ms), taken: Array.from(new Int32Array(shared.taken)) };
}

async function thread({ index, threads, chunk, claimed, count, spin, barrier, claims, slots, lossSlots, taken }) {
  const lens = await (await import(MODULE)).default();
  const model = new lens.Model(readFileSync(SCENE, 'utf8'));
  const images = Uint8Array.from({ length: SAMPLES * PIXELS }, (_, k) => (Math.imul(k, 2654435761) >>> 24));
  const labels = Uint8Array.from({ length: SAMPLES }, (_, k) => k % 10);
  const arrived = new Int32Array(barrier);
  const claim = new Int32Array(claims);
  const chunks = BATCH / chunk;
  const slot = Array.from({ length: 2 * chunks }, (_, k) => new Float32Array(slots, k * count * 4, count));
  const lossSums = new Float64Array(lossSlots);
  const sum = new Float32Array(count);
  const step = (s) => {
    const first = (s * BATCH) % (SAMPLES - BATCH);
    if (threads === 1 && chunk === BATCH) return model.trainBatch(images.subarray(first * PIXELS, (first + BATCH) * PIXELS), labels.subarray(first, first + BATCH));
    const mine = chunks / threads;
    let done = 0;
    for (;;) {
      const c = claimed ? Atomics.add(claim, s, 1) : done < mine ? index * mine + done : chunks;
      if (c >= chunks) break;
      done++;
      const at = first + c * chunk;
      // two sets of slots, by step parity: a set is written again only after the barrier between
      const k = (s % 2) * chunks + c;
      lossSums[k] = model.shardGradients(images.subarray(at * PIXELS, (at + chunk) * PIXELS), labels.subarray(at, at + chunk), BATCH);
      model.gradients(slot[k]);
    }
    if (s >= WARMUP) new Int32Array(taken)[index] += done;
    const target = threads * (s + 1);
    let seen = Atomics.add(arrived, 0, 1) + 1;
    if (seen === target) Atomics.notify(arrived, 0);
    const until = spin ? performance.now() + 5 : 0;
    while (seen < target && performance.now() < until) seen = Atomics.load(arrived, 0);
    while (seen < target) {
      Atomics.wait(arrived, 0, seen);
      seen = Atomics.load(arrived, 0);
    }
    // every thread adds the chunks in chunk order and takes the same step
    sum.set(slot[(s % 2) * chunks]);
    let lossSum = lossSums[(s % 2) * chunks];
    for (let c = 1; c < chunks; c++) {
      const g = slot[(s % 2) * chunks + c];
      for (let i = 0; i < count; i++) sum[i] += g[i];
      lossSum += lossSums[(s % 2) * chunks + c];
    }
    model.setGradients(sum);
    model.applyGradients(lossSum / BATCH);
  };
  for (let s = 0; s < WARMUP; s++) step(s);
  const t0 = performance.now();
  for (let s = WARMUP; s < WARMUP + STEPS; s++) step(s);
  parentPort.postMessage((performance.now() - t0) / STEPS);
  model.delete();
}

if (!isMainThread && workerData?.claimedChunks) await thread(workerData);

if (isMainThread) {
  const rounds = Number(process.argv[2] ?? 5);
  const ways = [['1 thread, batches of 32', 1, BATCH, false], ['2 threads, 16 + 16', 2, 16, false], ['2 threads, chunks of 4 claimed', 2, 4, true]];
  const speedUps = { even: [], claimed: [] };
  for (let r = 0; r < rounds; r++) {
    const got = [];
    for (const [, threads, chunk, claimed] of ways) got.push(await measure(threads, chunk, claimed));
    speedUps.even.push(got[0].ms / got[1].ms);
    speedUps.claimed.push(got[0].ms / got[2].ms);
    console.log(`round ${r + 1}: ${ways.map(([name], k) => `${name} ${got[k].ms.toFixed(2)} ms`).join(', ')}`
      + ` (chunks taken ${got[2].taken.join(' / ')}); speed-ups ${speedUps.even.at(-1).toFixed(2)}x even, ${speedUps.claimed.at(-1).toFixed(2)}x claimed`);
  }
  const mid = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const span = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}x`;
  console.log(`median speed-up over 1 thread: even ${mid(speedUps.even).toFixed(2)}x (${span(speedUps.even)}), claimed chunks ${mid(speedUps.claimed).toFixed(2)}x (${span(speedUps.claimed)})`);
}
