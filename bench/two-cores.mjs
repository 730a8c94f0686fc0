// What this machine's cores give side by side, with no training around them: the SIMD128 peak
// loop of our module (simdPeak, 12 independent f32x4 multiply+add chains) and a plain scalar
// loop, each in one Node worker thread alone and then in two at once. Two vCPUs that were one
// core's two hyperthreads would share its vector units, and two SIMD loops together would give
// little more than one; separate cores give about 2x. The workers' speed-up (bench/browser.mjs
// --only workers) can be no better than what the cores give here.
//
// Usage: node bench/two-cores.mjs [rounds=3]. Prints each round's rates and the pair's sum over one.
// bench/browser.mjs --only workers measures the SIMD pair beside each run (simdPairSpeedUp).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = pathToFileURL(join(root, 'build/wasm/bindings/cnnlens.mjs')).href;
const SIMD_ITERATIONS = 3_000_000;
const SCALAR_ITERATIONS = 300_000_000;

/** The rate of one thread: GFLOP/s for 'simd', millions of iterations per second for 'scalar'. */
async function rate(loop) {
  if (loop === 'simd') {
    const lens = await (await import(MODULE)).default();
    lens.simdPeak(SIMD_ITERATIONS / 10); // warm-up
    const started = performance.now();
    for (let k = 0; k < 10; k++) lens.simdPeak(SIMD_ITERATIONS);
    const ms = (performance.now() - started) / 10;
    return (lens.simdPeakFlopsPerIteration() * SIMD_ITERATIONS) / ms / 1e6;
  }
  // a dependent multiply+add chain: one core's latency, not its vector units
  let y = 0;
  const started = performance.now();
  for (let i = 0; i < SCALAR_ITERATIONS; i++) y = y * 0.999999 + 1.0001;
  const ms = performance.now() - started;
  return SCALAR_ITERATIONS / ms / 1e3 + (y > 1e300 ? 1 : 0); // y is used, so the loop stays
}

/** The rates of `threads` threads running `loop` at once. */
function together(threads, loop) {
  return Promise.all(Array.from({ length: threads }, () => new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { twoCores: true, loop } });
    worker.once('message', (r) => { resolve(r); void worker.terminate(); });
    worker.once('error', reject);
  })));
}

/** Two SIMD loops at once over one alone: about 2 on separate cores, little more than 1 on one core's two threads. */
export async function simdPairSpeedUp() {
  const [one] = await together(1, 'simd');
  const two = await together(2, 'simd');
  return (two[0] + two[1]) / one;
}

if (!isMainThread && workerData?.twoCores) parentPort.postMessage(await rate(workerData.loop));

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 3);
  for (const [loop, unit] of [['simd', 'GFLOP/s'], ['scalar', 'M iterations/s']]) {
    const sums = [];
    for (let r = 0; r < rounds; r++) {
      const [one] = await together(1, loop);
      const two = await together(2, loop);
      sums.push((two[0] + two[1]) / one);
      console.log(`${loop} round ${r + 1}: one thread ${one.toFixed(1)} ${unit}; two at once ${two.map((x) => x.toFixed(1)).join(' + ')}; ` +
        `${sums.at(-1).toFixed(2)}x one`);
    }
    console.log(`${loop}: two threads give ${Math.min(...sums).toFixed(2)}–${Math.max(...sums).toFixed(2)}x one thread's rate`);
  }
}
