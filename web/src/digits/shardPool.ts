// Data-parallel training for the training worker (trainer.worker.ts): each mini-batch is split
// into contiguous shards, one per worker (shards.ts). Every worker holds a copy of the model: the
// trainer its own, each helper (shard.worker.ts and replica.ts, one wasm instance each, spawned
// from here) one it got from the trainer at a sync. Per step each worker computes the gradients
// of its shard and sends them to every other; once a worker has them all it adds them in worker
// order and takes the optimizer step. The trainer's gradients carry each helper's shard of the
// next step when training goes straight on, so a step costs one message between workers: a
// helper never waits for parameters (the design before, where the trainer alone stepped and sent
// its parameters with every shard, waited for two messages a step: bench/README.md, session 26).
//
// Why it stays exact and repeatable: a shard's gradient is its part of the batch's (the loss
// gradient is scaled by the whole batch, docs/api.md), and every worker adds them in the same
// fixed order whatever the timing, so the same seed and worker count always train the same
// numbers, and the copies stay equal bit for bit. Anything that could part them (a pause, an
// evaluation, an edit, a batch a helper was not sent) makes the next step a sync, which gives
// every helper the trainer's parameters and optimizer state. Different worker counts round the
// sum differently (float32), so their curves part slowly, as runs of PyTorch on different
// hardware do.
//
// No SharedArrayBuffer (static hosts need no special headers): the arrays travel as transferred
// messages and come back with the answers, to be filled again (contributions.ts), so a step
// allocates no arrays once training runs (garbage collections pause a worker, and so all of them).
import type { Model } from '../wasm/cnnlens.mjs';
import { shardTransfer, type Contribution, type FromShardHelper, type PartResult, type Shard, type ToShardHelper } from './protocol';
import { shardSizes } from './shards';
import { Contributions, Shelf } from './contributions';
import { KeepAwake } from './keepAwake';

/** most workers a batch is shared between (32 samples: 8 each) */
export const MAX_WORKERS = 4;

/**
 * Whether `workers` leave no core over for the page's own threads (main thread, compositor, the
 * browser's): then a waiting worker does not spin (ShardPool.keepsAwake), and the dashboards
 * draw less often while training (digits.ts), since whatever else runs preempts a worker.
 */
export function takesEveryCore(workers: number): boolean {
  return workers >= (navigator.hardwareConcurrency || 1);
}

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

/** A mini-batch of the epoch; `key` tells batches apart (the epoch and where the batch starts in it). */
export interface Batch {
  key: string;
  images: Uint8Array | Float32Array;
  labels: Uint8Array;
  count: number;
}

interface StepInFlight {
  step: number;
  model: Model;
  batchTotal: number;
  done: (outcome: StepOutcome) => void;
  fail: (error: unknown) => void;
}

export class ShardPool {
  private helpers: Worker[] = [];
  /** workers sharing each batch from the next step on (helpers are started at the first) */
  private planned = 1;
  private scene = '';
  /** counts the syncs: the helpers' messages of an earlier one are ignored */
  private gen = 0;
  /** the helpers' copies of the model equal the trainer's (since the last sync) */
  private synced = false;
  /** the helpers know their worker numbers and have ports to each other */
  private meshed = false;
  private nextStep = 0;
  /** the batch the helpers were sent with the trainer's last gradients, to compute as soon as they have stepped */
  private ahead: { key: string; step: number } | null = null;
  private ledger = new Contributions(1);
  private readonly shelf = new Shelf();
  private inFlight: StepInFlight | null = null;
  private evaluation: EvalInFlight | null = null;
  private nextJob = 0;
  /** the trainer, while its helpers finish their shards (their shards take a few milliseconds) */
  private readonly awake = new KeepAwake(10);
  /** each helper's shard arrays, back from its last answer, for its next shard (null while away) */
  private spare: (Shard | null)[] = [];
  /** the trainer's own shard's gradients; the sum of all shards is then formed in it */
  private ownGradients = new Float32Array(0);
  /** the network's parameter count: arrays of another length (about the network before) are dropped */
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
    this.unsync(); // the helpers' copies take the parameters measured: the next step syncs them anyway
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
    while (this.helpers.length > want - 1) {
      this.helpers.pop()!.terminate();
      this.meshed = false;
    }
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
        this.onAnswer(helper, { type: 'error', gen: this.gen, step: this.inFlight?.step ?? -1, message: e.message || 'a training helper stopped' });
      };
      this.send(helper, { type: 'scene', scene: this.scene });
      this.helpers.push(helper);
      this.meshed = false;
      this.synced = false;
    }
  }

  /** Forgets the step in flight (the model was replaced or edited): its answers are ignored, and the next step syncs. */
  cancel(): void {
    this.inFlight = null;
    this.awake.stop();
    this.unsync();
  }

  /** The helpers' copies may differ from the trainer's model from now on: the next shared step syncs them. */
  private unsync(): void {
    this.synced = false;
    this.ahead = null;
    this.ledger.clear((c) => this.release(c));
  }

  /**
   * One optimizer step on `batch`. Calls `done` or `fail` later, once every helper's gradients
   * are in; with no helpers, trains the whole batch at once. `following` is called once this
   * worker's shard is computed: the batch training goes on with right after this step, or null
   * (paused, an evaluation or a new epoch first); its shards go to the helpers at once.
   */
  step(model: Model, batch: Batch, following: () => Batch | null,
       done: (o: StepOutcome) => void, fail: (e: unknown) => void): void {
    this.spawnPlanned();
    const workers = this.workers;
    const pixels = batch.images.length / batch.labels.length;
    if (workers === 1 || batch.count < workers) {
      // the helpers' copies miss this step (a batch of fewer samples than workers trains here whole)
      this.unsync();
      done({ loss: model.trainBatch(batch.images.subarray(0, batch.count * pixels), batch.labels.subarray(0, batch.count)) });
      return;
    }
    if (this.synced && this.ahead !== null && this.ahead.key !== batch.key) this.unsync(); // the helpers computed another batch
    let step: number;
    if (!this.synced) step = this.sync(model, batch);
    else if (this.ahead !== null) step = this.ahead.step;
    else {
      step = this.nextStep++;
      this.helpers.forEach((h, k) => this.send(h, { type: 'shard', gen: this.gen, step, shard: this.shardFor(k, batch) }));
    }
    this.ahead = null;
    const own = shardSizes(batch.count, workers)[0];
    const lossSum = model.shardGradients(batch.images.subarray(0, own * pixels), batch.labels.subarray(0, own), batch.count);
    if (this.ownGradients.length !== this.paramCount) this.ownGradients = new Float32Array(this.paramCount);
    model.gradients(this.ownGradients);
    const next = following();
    const nextStep = next && next.count >= workers ? this.nextStep++ : -1;
    this.helpers.forEach((h, k) => {
      const gradients = this.shelf.take(k + 1, this.paramCount);
      gradients.set(this.ownGradients);
      this.send(h, {
        type: 'apply', contribution: { gen: this.gen, step, from: 0, lossSum, gradients },
        next: nextStep >= 0 ? this.shardFor(k, next!) : null,
      });
    });
    if (nextStep >= 0) this.ahead = { key: next!.key, step: nextStep };
    this.ledger.add({ gen: this.gen, step, from: 0, lossSum, gradients: this.ownGradients });
    this.inFlight = { step, model, batchTotal: batch.count, done, fail };
    if (this.keepsAwake()) this.awake.start();
    this.finishIfComplete(); // the helpers' shards of a step computed ahead may all be in already
  }

  /** Gives every helper the trainer's model and its shard of `batch`: the step number of that batch. */
  private sync(model: Model, batch: Batch): number {
    this.gen++;
    this.ledger = new Contributions(this.workers);
    if (!this.meshed) this.mesh();
    const step = this.nextStep++;
    const state = { params: model.parameters(), optimizer: JSON.stringify(model.optimizer()), optimizerState: model.optimizerState() };
    this.helpers.forEach((h, k) => this.send(h, { type: 'sync', gen: this.gen, step, state, shard: this.shardFor(k, batch), keepAwake: this.keepsAwake() }));
    this.synced = true;
    return step;
  }

  /** Tells each helper its worker number and gives it a port to every other helper. */
  private mesh(): void {
    const n = this.helpers.length;
    const ports: (MessagePort | null)[][] = this.helpers.map(() => Array<MessagePort | null>(n + 1).fill(null));
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const channel = new MessageChannel();
        ports[a][b + 1] = channel.port1;
        ports[b][a + 1] = channel.port2;
      }
    }
    this.helpers.forEach((h, a) => {
      const own = ports[a].filter((p): p is MessagePort => p !== null);
      h.postMessage({ type: 'peers', index: a + 1, workers: n + 1, ports: ports[a] } satisfies ToShardHelper, own);
    });
    this.meshed = true;
  }

  /**
   * Whether waiting workers spin (keepAwake.ts): only while a core is left over for the page's
   * own threads (its main thread, compositor, the browser's). Where the workers take every core,
   * a worker spinning through its wait keeps its core busy, so when one of those threads wakes it
   * preempts a worker that computes, and the step of both waits for it: on 2 vCPUs, 2 workers
   * trained 1.50x one with no spin against 1.38x with it (bench/README.md, session 25).
   */
  private keepsAwake(): boolean {
    return !takesEveryCore(this.workers);
  }

  /**
   * Helper `k`'s shard of `batch` (the shards after the trainer's, in order), in the arrays its
   * last answer brought back where they fit (the last batch of an epoch is smaller).
   */
  private shardFor(k: number, batch: Batch): Shard {
    const sizes = shardSizes(batch.count, this.workers);
    const pixels = batch.images.length / batch.labels.length;
    let first = 0;
    for (let j = 0; j <= k; j++) first += sizes[j];
    const end = first + sizes[k + 1];
    const inputs = batch.images.subarray(first * pixels, end * pixels);
    const labels = batch.labels.subarray(first, end);
    const spare = this.spare[k] ?? null;
    this.spare[k] = null;
    const sameInputs = spare !== null && spare.inputs.constructor === inputs.constructor && spare.inputs.length === inputs.length;
    const shardInputs = sameInputs ? spare.inputs : inputs instanceof Float32Array ? new Float32Array(inputs.length) : new Uint8Array(inputs.length);
    shardInputs.set(inputs);
    const shardLabels = spare?.labels.length === labels.length ? spare.labels : new Uint8Array(labels.length);
    shardLabels.set(labels);
    return { inputs: shardInputs, labels: shardLabels, batchTotal: batch.count };
  }

  /** Keeps a helper's gradients that were added (or came too late) for the next message to it. */
  private release(c: Contribution): void {
    if (c.from !== 0) this.shelf.put(c.from, c.gradients);
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
    const k = this.helpers.indexOf(helper);
    if (k < 0) return;
    if (m.type === 'error') {
      if (m.gen !== this.gen) return;
      const step = this.inFlight;
      this.inFlight = null;
      this.awake.stop();
      this.unsync();
      step?.fail(Object.assign(new Error(m.message), { code: m.code, details: m.details }));
      return;
    }
    this.spare[k] = m.used; // filled again for the helper's next shard
    const c = m.contribution;
    if (c.gen !== this.gen || !this.synced || c.gradients.length !== this.paramCount || c.from !== k + 1) {
      this.release(c);
      return;
    }
    this.ledger.add(c);
    this.finishIfComplete();
  }

  /** Takes the step in flight once every worker's gradients are in. */
  private finishIfComplete(): void {
    const step = this.inFlight;
    if (!step) return;
    const summed = this.ledger.sum(step.step, step.batchTotal, this.ownGradients, (c) => this.release(c));
    if (!summed) return;
    this.inFlight = null;
    this.awake.stop();
    try {
      step.model.setGradients(summed.gradients);
      step.model.applyGradients(summed.loss);
      step.done({ loss: summed.loss });
    } catch (e) {
      step.fail(e);
    }
  }

  private send(helper: Worker, m: ToShardHelper): void {
    const transfer: Transferable[] = [];
    if (m.type === 'sync' || m.type === 'shard') transfer.push(...shardTransfer(m.shard));
    if (m.type === 'apply') {
      transfer.push(m.contribution.gradients.buffer);
      if (m.next) transfer.push(...shardTransfer(m.next));
    }
    helper.postMessage(m, transfer);
  }
}
