// Would a batch split that follows the workers' speeds beat the even split? The Digits step on 2
// workers waits for the slower of two 16-sample shards. If one core stayed slower for a while, a
// split learned from the last steps' timings (say 14 + 18) would even the two out; if the slower
// core changes from one step to the next, no split chosen in advance can help, and only work
// taken over during the step could.
//
// This replays the shard times of the lockstep ceiling (bench/lockstep.mjs: two Node threads,
// 300 steps of 16 + 16) under other splits. Each thread's time per sample in a step is its shard's
// time over 16; a split of n1 + n2 then costs max(n1 * r1, n2 * r2) in that step. Compared:
//   even      16 + 16, what the page does
//   learned   n1 from a moving average of earlier steps' rates (weights 0.05, 0.2 and 0.5 for
//             the latest step), rounded to 1, 2 or 4 samples; it may use only what came before
//   oracle    each step split in proportion to that step's own rates: the most any split can do
//   mean      the two shards' mean: no waiting at all
// It assumes a shard's time is linear in its samples, which holds within 2% from 4 to 32 samples
// (bench/README.md, "Workers, session 14").
//
//   node bench/split-balance.mjs [runs]      (default 3)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { lockstepSpeedUp } from './lockstep.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 32;
const WEIGHTS = [0.05, 0.2, 0.5];
const GRAINS = [1, 2, 4];

/** Milliseconds per step of each split over the recorded steps. */
function replay([first, second]) {
  const steps = first.length;
  const totals = { even: 0, oracle: 0, mean: 0 };
  const learned = new Map();
  const averages = new Map(WEIGHTS.map((w) => [w, null]));
  for (let s = 0; s < steps; s++) {
    const r1 = first[s] / (BATCH / 2), r2 = second[s] / (BATCH / 2);
    totals.even += Math.max(first[s], second[s]);
    totals.mean += (first[s] + second[s]) / 2;
    totals.oracle += BATCH / (1 / r1 + 1 / r2);
    for (const w of WEIGHTS) {
      const avg = averages.get(w) ?? { r1, r2 };
      for (const grain of GRAINS) {
        const share = Math.round((BATCH * avg.r2) / (avg.r1 + avg.r2) / grain) * grain;
        const n1 = Math.min(BATCH - grain, Math.max(grain, share));
        const key = `learned ${w} / ${grain}`;
        learned.set(key, (learned.get(key) ?? 0) + Math.max(n1 * r1, (BATCH - n1) * r2));
      }
      averages.set(w, { r1: avg.r1 + w * (r1 - avg.r1), r2: avg.r2 + w * (r2 - avg.r2) });
    }
  }
  const perStep = (total) => total / steps;
  return {
    even: perStep(totals.even), oracle: perStep(totals.oracle), mean: perStep(totals.mean),
    bestLearned: Math.min(...[...learned.values()].map(perStep)),
  };
}

const runs = Number(process.argv[2] ?? 3);
console.log(`# Split balance: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical CPUs, Node ${process.version}\n`);
console.log('| run | even 16 + 16 | best learned split | oracle split | no waiting | slower shard over faster, p10 / p50 / p90 |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (let run = 1; run <= runs; run++) {
  const { shardMs } = await lockstepSpeedUp(join(root, 'web/src/wasm/cnnlens.mjs'), join(root, 'examples/digits.json'));
  const r = replay(shardMs);
  const ratios = shardMs[0].map((t, s) => Math.max(t, shardMs[1][s]) / Math.min(t, shardMs[1][s])).sort();
  const pick = (q) => ratios[Math.floor(q * (ratios.length - 1))].toFixed(2);
  const ms = (x) => `${x.toFixed(2)} ms`;
  const vs = (x) => `${ms(x)} (${((1 - x / r.even) * 100).toFixed(1)}% less)`;
  console.log(`| ${run} | ${ms(r.even)} | ${vs(r.bestLearned)} | ${vs(r.oracle)} | ${vs(r.mean)} | ${pick(0.1)} / ${pick(0.5)} / ${pick(0.9)} |`);
}
console.log(`\nThe best learned split is the best of ${WEIGHTS.length * GRAINS.length} settings, picked after the fact: it flatters itself.`);
