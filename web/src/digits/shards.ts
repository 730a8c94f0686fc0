// The arithmetic of training on shuffled batches shared between workers (trainer.worker.ts,
// shardPool.ts): the order of an epoch's samples, how a batch is split, and the sum of the
// shards' gradients in a fixed order, the same bits whatever the timing, and the measure of a
// part of an evaluation. It imports only random.ts, so tests/node/data-parallel.test.mjs runs it
// as it is.
import { mulberry32 } from '../random';

/** The batch sizes of `count` samples split across `workers`: contiguous, the first ones larger. */
export function shardSizes(count: number, workers: number): number[] {
  const n = Math.max(1, Math.min(workers, count));
  return Array.from({ length: n }, (_, k) => Math.floor(count / n) + (k < count % n ? 1 : 0));
}

/** The sample order of epoch `epochIndex` (0, 1, …) of `n` samples: a fixed-seed shuffle (mulberry32). */
export function epochOrder(n: number, epochIndex: number): Int32Array {
  const next = mulberry32((epochIndex + 1) * 0x9e3779b9);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * The batch's gradient and mean loss from its shards' (each scaled by the whole batch, as
 * Model.shardGradients computes them), added in shard order. A Float32Array store rounds each
 * double sum of two floats to float32, which is exactly float32 addition (double has more than
 * twice float's precision), so every worker gets the same bits from the same shards. The sum is
 * written into `into` when given (it may be the first shard's own array), else into a new array.
 */
export function sumInOrder(gradients: readonly Float32Array[], lossSums: readonly number[], batchTotal: number,
                           into?: Float32Array): { gradients: Float32Array; loss: number } {
  const sum = into ?? new Float32Array(gradients[0].length);
  if (sum !== gradients[0]) sum.set(gradients[0]);
  for (let k = 1; k < gradients.length; k++) {
    const g = gradients[k];
    for (let i = 0; i < sum.length; i++) sum[i] += g[i];
  }
  let lossSum = 0;
  for (const l of lossSums) lossSum += l;
  return { gradients: sum, loss: lossSum / batchTotal };
}

/** What Model.evaluate gives, as far as a part of an evaluation needs it. */
interface Evaluator {
  evaluate(images: Uint8Array | Float32Array, labels: Uint8Array): { correct: number; loss: number | null; predictions: Int32Array };
}

/**
 * One part of an evaluation's set, measured: its correct predictions, its loss sum (the core
 * gives the mean, null without labels) and every prediction. The trainer and its helpers both
 * measure parts with it, so their sums add up alike.
 */
export function measurePart(model: Evaluator, images: Uint8Array | Float32Array, labels: Uint8Array): { correct: number; lossSum: number; predictions: Int32Array } {
  const r = model.evaluate(images, labels);
  return { correct: r.correct, lossSum: (r.loss ?? 0) * labels.length, predictions: r.predictions };
}
