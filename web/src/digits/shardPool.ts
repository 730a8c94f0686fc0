// Data-parallel training for the training worker (trainer.worker.ts): each mini-batch is split
// into contiguous shards, one per worker (shards.ts). The trainer computes the first shard on its
// own model while its helpers (shard.worker.ts, one wasm instance each, spawned from here)
// compute the others from the parameters sent with them. The trainer then adds all the shards'
// gradients in shard order and takes the optimizer step. The helpers keep no state between steps
// (no optimizer, no data), so nothing can drift, and edits on the page need no special care.
//
// Why it stays exact and repeatable: a shard's gradient is its part of the batch's (the loss
// gradient is scaled by the whole batch, docs/api.md), and the sum runs in a fixed order whatever
// the timing, so the same seed and worker count always train the same numbers. Different counts
// round the sum differently (float32), so their curves part slowly, as runs of PyTorch on
// different hardware do.
//
// No SharedArrayBuffer (static hosts need no special headers): per step, one message to each
// helper (parameters and its samples, transferred) and one back (its gradients). The arrays come
// back with the answer and are filled again for the next shard, so a step allocates nothing
// (garbage collections pause a worker, and so both); a worker whose message is due spins for a
// moment instead of sleeping (keepAwake.ts). The design
// with helpers that step on their own (each adds every shard and updates its own copy, so no
// parameters travel) was built and measured too: it was slower here, as every worker then
// waits for the others on every step (bench/README.md, "Workers").
import type { Model } from '../wasm/cnnlens.mjs';
import { shardTransfer, type FromShardHelper, type PartResult, type ShardBuffers, type ToShardHelper } from './protocol';
import { shardSizes, sumInOrder } from './shards';
import { KeepAwake } from './keepAwake';

/** most workers a batch is shared between (32 samples: 8 each) */
export const MAX_WORKERS = 4;

/** An evaluation's sets, each a part of its images and labels, for one helper. */
export type EvalParts = { images: Uint8Array | Float32Array; labels: Uint8Array }[];

interface EvalInFlight {
  job: number;
  results: (PartResult[] | null)[];
  done: (results: PartResult[][]) => void;
  lost: () => void;
}

export interface StepOutcome {
  /** the batch's mean loss before the step */
  loss: number;
}

interface StepInFlight {
  id: number;
  model: Model;
  batchTotal: number;
  ownLossSum: number;
  /** this worker's shard's gradients; the shards' sum is then formed in it */
  ownGradients: Float32Array;
  gradients: (Float32Array | null)[];
  lossSums: number[];
  done: (outcome: StepOutcome) => void;
  fail: (error: unknown) => void;
}

export class ShardPool {
  private helpers: Worker[] = [];
  /** workers sharing each batch from the next step on (helpers are started at the first) */
  private planned = 1;
  private scene = '';
  private nextId = 0;
  private inFlight: StepInFlight | null = null;
  private evaluation: EvalInFlight | null = null;
  private nextJob = 0;
  /** the trainer, while its helpers finish their shards (their shards take a few milliseconds) */
  private readonly awake = new KeepAwake(10);
  /** each helper's buffers, back from its last answer, for its next shard (null while away) */
  private spare: (ShardBuffers | null)[] = [];
  /** the trainer's own shard's gradients, kept from step to step */
  private ownGradients: Float32Array | null = null;
  /** the network's parameter count: buffers of another length (a late answer about the network before) are dropped */
  private paramCount = 0;
  /** why the pool has fewer helpers than asked for ('' when it has them all) */
  note = '';

  constructor(private readonly spawn: () => Worker) {}

  /** Workers sharing each batch: this one and the helpers. */
  get workers(): number {
    return this.planned;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Helpers running now (they start at the first shared step), each able to take a part of an evaluation. */
  get startedHelpers(): number {
    return this.helpers.length;
  }

  /**
   * Measures `parts[k]` on helper k with `model`'s current parameters, while the caller measures
   * its own part. `done` gets each helper's results in helper order; `lost` says they will not
   * come (a helper failed or the pool was resized), so the caller measures those parts itself.
   * A later call makes the answers of this one ignored.
   */
  evaluate(model: Model, parts: EvalParts[], done: (results: PartResult[][]) => void, lost: () => void): void {
    const job = ++this.nextJob;
    const params = model.parameters();
    this.evaluation = { job, results: parts.map(() => null), done, lost };
    parts.forEach((sets, k) => {
      const copy = k === parts.length - 1 ? params : params.slice();
      const transfer: Transferable[] = [copy.buffer, ...sets.flatMap((p) => [p.images.buffer, p.labels.buffer])];
      this.helpers[k].postMessage({ type: 'evaluate', job, params: copy, sets } satisfies ToShardHelper, transfer);
    });
  }

  private loseEvaluation(): void {
    const evaluation = this.evaluation;
    this.evaluation = null;
    evaluation?.lost();
  }

  /**
   * Sizes the pool to `workers` (this one included) for `model`, built from `scene`. A network
   * that mixes samples in training (batch norm, dropout) keeps one worker. Cancels a step in flight.
   */
  configure(workers: number, model: Model, scene: string): void {
    this.cancel();
    this.loseEvaluation();
    let want = Math.max(1, Math.min(MAX_WORKERS, Math.floor(workers)));
    this.note = '';
    if (want > 1 && !model.splitsBatches()) {
      want = 1;
      this.note = 'batch_not_splittable';
    }
    this.planned = want;
    while (this.helpers.length > want - 1) this.helpers.pop()!.terminate();
    this.paramCount = model.parameters().length;
    const sceneChanged = scene !== this.scene;
    this.scene = scene;
    if (sceneChanged) for (const h of this.helpers) this.send(h, { type: 'scene', scene });
  }

  /**
   * Starts the planned helpers, at the first shared step rather than when the example opens:
   * each compiles its own wasm copy, which would compete with the page while it builds.
   */
  private spawnPlanned(): void {
    while (this.helpers.length < this.planned - 1) {
      let helper: Worker;
      try {
        helper = this.spawn();
      } catch (e) {
        // e.g. a browser without workers inside workers: train alone, and say why
        this.note = e instanceof Error ? e.message : String(e);
        this.planned = this.helpers.length + 1;
        break;
      }
      helper.onmessage = (e: MessageEvent<FromShardHelper>) => this.onAnswer(helper, e.data);
      helper.onerror = (e) => {
        e.preventDefault();
        this.loseEvaluation(); // the trainer measures the helpers' parts itself
        this.onAnswer(helper, { type: 'error', step: this.inFlight?.id ?? -1, message: e.message || 'a training helper stopped' });
      };
      this.send(helper, { type: 'scene', scene: this.scene });
      this.helpers.push(helper);
    }
  }

  /** Forgets the step in flight (the model was replaced or edited): its answers are ignored. */
  cancel(): void {
    this.inFlight = null;
    this.awake.stop();
  }

  /**
   * One optimizer step on `count` samples (images and labels from the start of the views). Calls
   * `done` or `fail` later, from a helper's answer; with no helpers, trains the whole batch at once.
   */
  step(model: Model, images: Uint8Array | Float32Array, labels: Uint8Array, count: number,
       done: (o: StepOutcome) => void, fail: (e: unknown) => void): void {
    this.spawnPlanned();
    const pixels = images.length / labels.length;
    const sizes = shardSizes(count, this.workers);
    if (sizes.length === 1) {
      done({ loss: model.trainBatch(images.subarray(0, count * pixels), labels.subarray(0, count)) });
      return;
    }
    const id = ++this.nextId;
    let first = sizes[0];
    for (let k = 1; k < sizes.length; k++) {
      const end = first + sizes[k];
      const buffers = this.filledBuffers(k - 1, model, images.subarray(first * pixels, end * pixels), labels.subarray(first, end));
      this.send(this.helpers[k - 1], { type: 'shard', step: id, batchTotal: count, buffers, keepAwake: this.keepsAwake() });
      first = end;
    }
    const ownLossSum = model.shardGradients(images.subarray(0, sizes[0] * pixels), labels.subarray(0, sizes[0]), count);
    const ownGradients = this.ownGradients?.length === this.paramCount ? model.gradients(this.ownGradients) : model.gradients();
    this.ownGradients = ownGradients;
    this.inFlight = {
      id, model, batchTotal: count, ownLossSum, ownGradients, gradients: Array(sizes.length - 1).fill(null), lossSums: [], done, fail,
    };
    if (this.keepsAwake()) this.awake.start();
  }

  /**
   * Whether waiting workers spin (keepAwake.ts): only while a core is left over for the page's
   * own threads (its main thread, compositor, the browser's). Where the workers take every core,
   * a worker spinning through its wait keeps its core busy, so when one of those threads wakes it
   * preempts a worker that computes, and the step of both waits for it: on 2 vCPUs, 2 workers
   * trained 1.50x one with no spin against 1.38x with it (bench/README.md, session 25).
   */
  private keepsAwake(): boolean {
    return this.workers < (navigator.hardwareConcurrency || 1);
  }

  /**
   * Helper `k`'s buffers for its next shard, holding `model`'s parameters and these samples: the
   * ones its last answer brought back where they fit (the last batch of an epoch is smaller).
   */
  private filledBuffers(k: number, model: Model, inputs: Uint8Array | Float32Array, labels: Uint8Array): ShardBuffers {
    const kept = this.spare[k] ?? null;
    this.spare[k] = null;
    const spare = kept?.params.length === this.paramCount ? kept : null;
    const params = spare ? model.parameters(spare.params) : model.parameters();
    const sameInputs = spare !== null && spare.inputs.constructor === inputs.constructor && spare.inputs.length === inputs.length;
    const shardInputs = sameInputs ? spare.inputs : inputs instanceof Float32Array ? new Float32Array(inputs.length) : new Uint8Array(inputs.length);
    shardInputs.set(inputs);
    const shardLabels = spare?.labels.length === labels.length ? spare.labels : new Uint8Array(labels.length);
    shardLabels.set(labels);
    return { params, inputs: shardInputs, labels: shardLabels, gradients: spare?.gradients ?? new Float32Array(params.length) };
  }

  private onEvaluated(helper: Worker, m: FromShardHelper): void {
    const evaluation = this.evaluation;
    const k = this.helpers.indexOf(helper);
    if (!evaluation || k < 0 || k >= evaluation.results.length || m.type === 'gradients' || m.job !== evaluation.job) return;
    // the trainer measures a failed part itself: a real error shows there, in its own words
    if (m.type === 'error') {
      this.loseEvaluation();
      return;
    }
    evaluation.results[k] = m.results;
    if (evaluation.results.some((r) => r === null)) return;
    this.evaluation = null;
    evaluation.done(evaluation.results as PartResult[][]);
  }

  private onAnswer(helper: Worker, m: FromShardHelper): void {
    if (m.type === 'evaluated' || (m.type === 'error' && m.job !== undefined)) {
      this.onEvaluated(helper, m);
      return;
    }
    const step = this.inFlight;
    const k = this.helpers.indexOf(helper);
    if (m.type === 'gradients' && k >= 0) this.spare[k] = m.buffers; // reused once this step has added them
    if (!step || m.step !== step.id || k < 0 || k >= step.gradients.length) return;
    if (m.type === 'error') {
      this.inFlight = null;
      step.fail(Object.assign(new Error(m.message), { code: m.code, details: m.details }));
      return;
    }
    step.gradients[k] = m.buffers.gradients;
    step.lossSums[k] = m.lossSum;
    if (step.gradients.some((g) => g === null)) return;
    this.inFlight = null;
    this.awake.stop();
    try {
      // shard order, whatever order the answers came in
      const { gradients, loss } = sumInOrder([step.ownGradients, ...step.gradients as Float32Array[]], [step.ownLossSum, ...step.lossSums], step.batchTotal, step.ownGradients);
      step.model.setGradients(gradients);
      step.model.applyGradients(loss);
      step.done({ loss });
    } catch (e) {
      step.fail(e);
    }
  }

  private send(helper: Worker, m: ToShardHelper): void {
    helper.postMessage(m, m.type === 'shard' ? shardTransfer(m.buffers) : []);
  }
}
