// The trainer of the real data sets (digits, fashion) and of the reader's own samples (teach):
// a Web Worker with its own wasm instance, so training never blocks the page. On several cores
// it shares each mini-batch, and each evaluation, with helper workers (shardPool.ts), exactly
// and repeatably. It downloads the data set it is given (datasets.ts), trains mini-batches of 32
// in short slices (~30 ms) and checks its messages between slices, so Pause and Step answer at
// once; it evaluates the test images every so often and posts progress (batch losses and the
// current weights, at most 4 times a second) and evaluations (test and train accuracy, loss,
// confusion matrix). Protocol: ./protocol.ts.
import createCnnLens from '../wasm/cnnlens.mjs';
import type { CnnLensModule, Model } from '../wasm/cnnlens.mjs';
import { gallery, loadTrainTest } from './data';
import { toInput, type DataSource } from './datasets';
import { BATCH, type EvalResult, type FromWorker, type LabelledSet, type ParamSet, type PartResult, type ToWorker, type WorkerCount } from './protocol';
import { MAX_WORKERS, ShardPool, type Batch } from './shardPool';
import { epochOrder, measurePart } from './shards';

/** work between two looks at the message queue */
const SLICE_MS = 30;
/** progress messages (with the weights the page draws) at most this often */
const POST_MS = 250;
/** samples per evaluate() call (~10-40 ms) */
const EVAL_CHUNK = 100;
/** the fixed subset of training images measured at each evaluation (the "train" curve) */
const TRAIN_EVAL = 500;

/** A part of one of an evaluation's sets: the test images, or the training subset. */
interface EvalRange { phase: 'test' | 'train'; start: number; end: number }

interface EvalJob {
  /** runs while paused too (the evaluation of fresh weights) */
  forced: boolean;
  /** the parts this worker measures, in order (a helper's comes back here if its answer is lost) */
  todo: EvalRange[];
  /** the helpers' parts, by helper, while their answers are awaited */
  lent: EvalRange[][] | null;
  testCorrect: number;
  trainCorrect: number;
  /** each part's loss sum, added in the sets' order at the end whatever order the parts came in */
  lossSums: { range: EvalRange; lossSum: number }[];
  confusion: Int32Array;
  samples: number;
  steps: number;
}

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

const lensReady: Promise<CnnLensModule> = createCnnLens();
let model: Model | null = null;
/** the scene the model was built from: its structure is what the helpers need (their parameters come with each step) */
let modelScene = '';
let paramLayers: number[] = [];
/** images as the network's inputs (bytes, or floats when the data set normalises), labels */
interface InputSet { images: Uint8Array | Float32Array; labels: Uint8Array }
let source: DataSource | null = null;
let PIXELS = 0;
let CLASSES = 0;
let train: InputSet = { images: new Uint8Array(0), labels: new Uint8Array(0) };
let test: InputSet = { images: new Uint8Array(0), labels: new Uint8Array(0) };
let epochImages: Uint8Array | Float32Array = new Uint8Array(0);
let epochLabels = new Uint8Array(0);
let cursor = 0;
let epochIndex = 0;
let steps = 0;
let samples = 0;
let running = false;
let nextEval = 0;
let evalJob: EvalJob | null = null;
let batchesPerCall = 1;
let epochComputeMs = 0;
/** training times of the epochs completed since the last progress message */
let pendingEpochsMs: number[] = [];
/** when the last training call ended, while training runs on (evaluations reset it) */
let lastTrainedAt: number | null = null;
let pendingLosses: number[] = [];
let pendingSamples: number[] = [];
let lastPost = 0;
let rate: [number, number][] = [];
/** training on the reader's own samples: every one is measured at each evaluation, there is no test set */
let ownSamples = false;
/** the workers the page asked for; the pool may use fewer (a network that can't split a batch) */
let wantedWorkers: WorkerCount = 'auto';
const pool = new ShardPool(() => new Worker(new URL('./shard.worker.ts', import.meta.url), { type: 'module', name: 'cnnlens-shard' }));

function workerCount(wanted: WorkerCount): number {
  return wanted === 'auto' ? Math.min(MAX_WORKERS, Math.max(1, navigator.hardwareConcurrency || 1)) : wanted;
}

// ------------------------------------------------------------------ scheduling

const tick = new MessageChannel();
/** inside work()'s loop (a shared step answered at once must not start another loop) */
let inWork = false;
let scheduled = false;
tick.port1.onmessage = () => { scheduled = false; work(); };

function busy(): boolean {
  return running || (evalJob !== null && evalJob.forced);
}

/** Yields to the message queue, then works again (MessageChannel: no 4 ms timer clamp). */
function schedule(): void {
  if (!scheduled && busy()) { scheduled = true; tick.port2.postMessage(0); }
}

function work(): void {
  // a shared step or the helpers' parts of an evaluation are awaited: their answers call work() again
  if (pool.busy || evalWaits()) return;
  const t0 = performance.now();
  inWork = true;
  try {
    while (performance.now() - t0 < SLICE_MS && busy()) {
      if (evalJob) {
        evalChunk();
        if (evalWaits()) return;
      } else if (samples >= nextEval) startEval(false);
      else if (pool.workers > 1) {
        sharedStep(false);
        if (pool.busy) return;
      } else trainChunk(batchesPerCall);
    }
    if (pendingLosses.length && performance.now() - lastPost >= POST_MS) postProgress();
  } catch (e) {
    fail(e);
  } finally {
    inWork = false;
  }
  schedule();
}

function fail(e: unknown): void {
  running = false;
  evalJob = null;
  pool.cancel();
  const core = e as { code?: unknown; details?: unknown };
  post({ type: 'error', message: e instanceof Error ? e.message : String(e), code: typeof core?.code === 'string' ? core.code : undefined, details: core?.details });
}

// ------------------------------------------------------------------ training

/** Fixed-seed shuffle per epoch (shards.ts), copied so each call trains a contiguous slice. */
function newEpoch(): void {
  const n = train.labels.length;
  const order = epochOrder(n, epochIndex);
  if (epochImages.length !== train.images.length || epochImages.constructor !== train.images.constructor) {
    epochImages = train.images instanceof Float32Array ? new Float32Array(train.images.length) : new Uint8Array(train.images.length);
    epochLabels = new Uint8Array(n);
  }
  order.forEach((src, k) => {
    epochImages.set(train.images.subarray(src * PIXELS, (src + 1) * PIXELS), k * PIXELS);
    epochLabels[k] = train.labels[src];
  });
  cursor = 0;
  epochIndex++;
}

/** Up to `batches` mini-batches on this worker's model alone, in one call. */
function trainChunk(batches: number): void {
  const m = model!;
  const n = train.labels.length;
  if (cursor >= n || epochLabels.length !== n) newEpoch();
  const count = Math.min(batches * BATCH, n - cursor);
  const c0 = trainingSince();
  const losses = m.trainBatches(epochImages.subarray(cursor * PIXELS, (cursor + count) * PIXELS), epochLabels.subarray(cursor, cursor + count), BATCH);
  trained(losses, count, c0);
}

/**
 * One mini-batch shared with the helpers; it ends in a helper's answer, which records it and
 * works on (or, for the Step button, `single`, posts the progress).
 */
function sharedStep(single: boolean): void {
  const n = train.labels.length;
  if (cursor >= n || epochLabels.length !== n) newEpoch();
  const count = Math.min(BATCH, n - cursor);
  const c0 = trainingSince();
  pool.step(model!, batchAt(cursor, count), () => followingBatch(count),
    ({ loss }) => {
      trained([loss], count, c0);
      // every POST_MS while training runs on: work() returns at each shared step, before its
      // own check, so without this the page heard of shared steps only when an evaluation
      // happened to fill a slice (often for Digits, never for a few dozen teach samples, whose
      // page then showed neither the curve nor the weights move until the reader paused)
      if (single || !busy() || performance.now() - lastPost >= POST_MS) postProgress();
      // answered later, from a helper's message: go on at once (inside work(), its loop goes on)
      if (inWork) schedule();
      else work();
    },
    fail);
}

/** `count` samples of this epoch's order from `start`, named by where they are, so the pool tells batches apart. */
function batchAt(start: number, count: number): Batch {
  return {
    key: `${epochIndex}:${start}:${count}`, count,
    images: epochImages.subarray(start * PIXELS, (start + count) * PIXELS), labels: epochLabels.subarray(start, start + count),
  };
}

/**
 * The batch training goes on with after the one of `count` samples at the cursor, or null when
 * something else comes first: a pause, an evaluation, or a new epoch (whose shuffle would
 * overwrite the arrays this step's batch is in). The helpers compute their shards of it as soon
 * as they have taken this step.
 */
function followingBatch(count: number): Batch | null {
  const start = cursor + count;
  const n = train.labels.length;
  if (!running || start >= n || samples + count >= nextEval) return null;
  return batchAt(start, Math.min(BATCH, n - start));
}

/**
 * Where the training time of the next batches starts: the end of the last ones when training
 * goes on back to back (so the time between steps, the messages, counts too), else now.
 */
function trainingSince(): number {
  const now = performance.now();
  return lastTrainedAt !== null && now - lastTrainedAt < SLICE_MS ? lastTrainedAt : now;
}

/** Counters, curves and speed after `count` samples trained as `losses.length` batches since `c0`. */
function trained(losses: ArrayLike<number>, count: number, c0: number): void {
  const n = train.labels.length;
  const now = performance.now();
  const ms = now - c0;
  for (let b = 0; b < losses.length; b++) {
    samples += Math.min(BATCH, count - b * BATCH);
    pendingLosses.push(losses[b]);
    pendingSamples.push(samples);
  }
  steps += losses.length;
  cursor += count;
  epochComputeMs += ms;
  if (cursor >= n) { pendingEpochsMs.push(epochComputeMs); epochComputeMs = 0; }
  // calls of ~60% of a slice keep the slices short and the per-call overhead small
  batchesPerCall = Math.max(1, Math.min(16, Math.floor((SLICE_MS * 0.6) / (ms / losses.length))));
  rate.push([now, samples]);
  while (rate.length > 2 && now - rate[0][0] > 1000) rate.shift();
  lastTrainedAt = running ? now : null;
}

function samplesPerSecond(): number {
  if (rate.length < 2) return 0;
  const [t0, s0] = rate[0];
  const [t1, s1] = rate[rate.length - 1];
  return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
}

function copyParams(): ParamSet[] {
  const m = model!;
  return paramLayers.map((layer) => ({ layer, weight: m.copy(layer, 'weight'), bias: m.copy(layer, 'bias') }));
}

function postProgress(): void {
  const params = copyParams();
  const batchLosses = Float32Array.from(pendingLosses);
  const batchSamples = Float32Array.from(pendingSamples);
  pendingLosses = [];
  pendingSamples = [];
  const epochsMs = pendingEpochsMs;
  pendingEpochsMs = [];
  lastPost = performance.now();
  post({
    type: 'progress', running, steps, samples, epoch: samples / Math.max(1, train.labels.length),
    batchLosses, batchSamples, params, epochsMs, samplesPerSecond: running ? samplesPerSecond() : 0,
    workers: pool.workers, workersNote: pool.note,
  }, [batchLosses.buffer, batchSamples.buffer, ...params.flatMap((p) => [p.weight.buffer, p.bias.buffer])]);
}

// ------------------------------------------------------------------ evaluation

function startEval(forced: boolean): void {
  lastTrainedAt = null;
  const job: EvalJob = {
    forced, todo: [], lent: null, testCorrect: 0, trainCorrect: 0, lossSums: [],
    confusion: new Int32Array(CLASSES * CLASSES), samples, steps,
  };
  evalJob = job;
  const whole: EvalRange[] = [{ phase: 'test', start: 0, end: test.labels.length }, { phase: 'train', start: 0, end: trainEvalCount() }];
  // The helpers (once started, at the first shared step) measure equal parts of each set while
  // this worker measures the first: a quarter of the time from Train to the goal is evaluation.
  const helpers = pool.workers > 1 ? pool.startedHelpers : 0;
  const images = whole.reduce((n, r) => n + r.end, 0);
  if (helpers === 0 || images < 2 * EVAL_CHUNK) job.todo = whole.filter((r) => r.end > 0);
  else {
    const parts = Array.from({ length: helpers + 1 }, (_, k) => whole.map(({ phase, end }) => ({
      phase, start: Math.floor((end * k) / (helpers + 1)), end: Math.floor((end * (k + 1)) / (helpers + 1)),
    })).filter((r) => r.end > r.start));
    job.todo = parts[0];
    job.lent = parts.slice(1);
    pool.evaluate(model!, job.lent.map((ranges) => ranges.map((r) => {
      const set = r.phase === 'test' ? test : train;
      return { images: set.images.slice(r.start * PIXELS, r.end * PIXELS), labels: set.labels.slice(r.start, r.end) };
    })), (results) => {
      if (job !== evalJob || !job.lent) return;
      job.lent.forEach((ranges, k) => ranges.forEach((r, i) => counted(job, r, results[k][i])));
      job.lent = null;
      evalProgressed();
    }, () => {
      if (job !== evalJob || !job.lent) return;
      job.todo.push(...job.lent.flat());
      job.lent = null;
      evalProgressed();
    });
  }
  // often during the first half epoch, where the curves move fastest, then every half epoch
  const half = Math.max(BATCH, Math.round(train.labels.length / 2));
  nextEval = samples + (samples < half ? Math.max(BATCH, Math.round(half / 4)) : half);
}

/** The evaluation waits for its helpers' parts: nothing to do here until they answer. */
function evalWaits(): boolean {
  return evalJob !== null && evalJob.todo.length === 0 && evalJob.lent !== null;
}

/** Posts the evaluation's result once every part, this worker's and the helpers', is measured. */
function finishIfMeasured(job: EvalJob): void {
  if (job.todo.length === 0 && !job.lent) finishEval(job);
}

/** A helper's answer (or its loss) came: finish the evaluation if it was the last part, work on. */
function evalProgressed(): void {
  if (evalJob) finishIfMeasured(evalJob);
  if (inWork) schedule();
  else work();
}

/** Adds a measured part: its correct predictions, its loss sum and, for test images, the confusion counts. */
function counted(job: EvalJob, range: EvalRange, r: PartResult): void {
  if (range.phase === 'test') {
    job.testCorrect += r.correct;
    const labels = test.labels;
    for (let k = 0; k < r.predictions.length; k++) job.confusion[labels[range.start + k] * CLASSES + r.predictions[k]]++;
  } else job.trainCorrect += r.correct;
  job.lossSums.push({ range, lossSum: r.lossSum });
}

/** Up to EVAL_CHUNK images of this worker's next part. */
function evalChunk(): void {
  const job = evalJob!;
  const range = job.todo[0];
  if (range) {
    const set = range.phase === 'test' ? test : train;
    const end = Math.min(range.start + EVAL_CHUNK, range.end);
    const part = measurePart(model!, set.images.subarray(range.start * PIXELS, end * PIXELS), set.labels.subarray(range.start, end));
    counted(job, { phase: range.phase, start: range.start, end }, part);
    range.start = end;
    if (range.start >= range.end) job.todo.shift();
  }
  finishIfMeasured(job);
}

function finishEval(job: EvalJob): void {
  const nTest = test.labels.length;
  const nTrain = Math.max(1, trainEvalCount());
  // in the sets' order, so the same weights give the same bits however the parts were timed
  job.lossSums.sort((a, b) => (a.range.phase === b.range.phase ? a.range.start - b.range.start : a.range.phase === 'test' ? -1 : 1));
  let testLoss = 0;
  let trainLoss = 0;
  for (const { range, lossSum } of job.lossSums) {
    if (range.phase === 'test') testLoss += lossSum;
    else trainLoss += lossSum;
  }
  const result: EvalResult = {
    samples: job.samples, epoch: job.samples / Math.max(1, train.labels.length), steps: job.steps,
    testAccuracy: nTest ? job.testCorrect / nTest : NaN, testLoss: nTest ? testLoss / nTest : NaN,
    trainAccuracy: job.trainCorrect / nTrain, trainLoss: trainLoss / nTrain,
    confusion: job.confusion,
  };
  evalJob = null;
  post({ type: 'eval', result }, [result.confusion.buffer]);
}

/** training images measured at each evaluation: a fixed subset of a data set, every one of the reader's samples */
function trainEvalCount(): number {
  return ownSamples ? train.labels.length : Math.min(TRAIN_EVAL, train.labels.length);
}

// ------------------------------------------------------------------ messages

/** A fresh start of the counters and curves (a new data set, new samples to learn from scratch). */
function restart(): void {
  pool.cancel();
  steps = 0;
  samples = 0;
  epochIndex = 0;
  cursor = train.labels.length;
  epochComputeMs = 0;
  pendingEpochsMs = [];
  pendingLosses = [];
  pendingSamples = [];
  rate = [];
}

/** The reader's samples as the training set (checked: the page builds them, but a project file may not). */
function useSamples(set: LabelledSet): void {
  if (set.images.length !== set.labels.length * PIXELS) throw new Error(`${set.labels.length} samples for ${set.images.length} values`);
  if (set.labels.some((l) => l >= CLASSES)) throw new Error(`a sample's class beyond the ${CLASSES} classes`);
  train = { images: set.images, labels: set.labels };
  // the shuffled copy is of the old set: the next batch starts a new epoch over the new one
  cursor = train.labels.length;
  epochLabels = new Uint8Array(0);
}

function load(lens: CnnLensModule, scene: string): void {
  const next = new lens.Model(scene);
  const inSize = next.inputShape().reduce((a, b) => a * b, 1);
  const out = next.outputShape();
  if (inSize !== PIXELS || out.length !== 1 || out[0] !== CLASSES || !scene.includes('"cross_entropy"')) {
    next.delete();
    const side = source?.side ?? 0;
    throw new Error(`the data set needs a ${side}x${side} input, ${CLASSES} outputs and the cross-entropy loss`);
  }
  pool.cancel();
  model?.delete();
  model = next;
  paramLayers = [];
  for (let i = 0; i < model.layerCount(); i++) if (model.layerTensors(i).some((t) => t.name === 'weight')) paramLayers.push(i);
  modelScene = scene;
  pool.configure(workerCount(wantedWorkers), model, scene);
}

/** Takes the page's edited parameters, keeping the optimizer state when the structure is unchanged. */
function adopt(lens: CnnLensModule, scene: string): void {
  type Layer = { weight?: number[]; bias?: number[] };
  type Scene = { input?: unknown; layers: Layer[]; optimizer?: object };
  const parsed = JSON.parse(scene) as Scene;
  const m = model!;
  const shape = (s: Scene) => JSON.stringify(s.layers.map(({ weight, bias, ...rest }) => [rest, weight?.length, bias?.length]));
  const same = shape(parsed) === shape(JSON.parse(m.toJSON()) as Scene);
  if (!same) { load(lens, scene); return; }
  pool.cancel(); // a step in flight was computed from the old values
  for (const i of paramLayers) {
    m.setParam(i, 'weight', parsed.layers[i].weight!);
    m.setParam(i, 'bias', parsed.layers[i].bias!);
  }
  if (parsed.optimizer) m.setOptimizer(JSON.stringify(parsed.optimizer));
}

async function handle(msg: ToWorker): Promise<void> {
  const lens = await lensReady;
  try {
    switch (msg.type) {
      case 'init': {
        running = false;
        source = msg.source;
        wantedWorkers = msg.workers;
        PIXELS = source.side * source.side;
        CLASSES = source.classes;
        load(lens, msg.scene);
        let data;
        try {
          data = await loadTrainTest(source.url, PIXELS, CLASSES);
        } catch (e) {
          post({ type: 'loadFailed', message: e instanceof Error ? e.message : String(e) });
          break;
        }
        const picked = gallery(data.test, PIXELS, CLASSES, source.galleryPerClass);
        const n = source.normalize;
        ownSamples = false;
        train = { images: toInput(data.train.images, n), labels: data.train.labels };
        test = { images: toInput(data.test.images, n), labels: data.test.labels };
        restart();
        startEval(true);
        post({ type: 'ready', gallery: picked, workers: pool.workers, workersNote: pool.note }, [picked.images.buffer, picked.labels.buffer]);
        break;
      }
      case 'initSamples':
        running = false;
        source = null;
        wantedWorkers = msg.workers;
        ownSamples = true;
        PIXELS = msg.pixels;
        CLASSES = msg.classes;
        load(lens, msg.scene);
        test = { images: new Uint8Array(0), labels: new Uint8Array(0) };
        useSamples(msg.set);
        restart();
        if (train.labels.length) startEval(true);
        post({ type: 'ready', gallery: { images: new Uint8Array(0), labels: new Uint8Array(0) }, workers: pool.workers, workersNote: pool.note });
        break;
      case 'samples':
        if (!model) break;
        useSamples(msg.set);
        if (train.labels.length) startEval(true);
        else { running = false; evalJob = null; }
        break;
      case 'predict': {
        if (!model) break;
        const outputs = model.predict(msg.input);
        post({ type: 'prediction', id: msg.id, outputs }, [outputs.buffer]);
        break;
      }
      case 'run':
        if (model && train.labels.length) running = true;
        break;
      case 'pause':
        running = false;
        if (model) postProgress();
        break;
      case 'step':
        running = false;
        if (!model || !train.labels.length) break;
        if (evalJob && !evalJob.forced) evalJob = null; // a step moves on: that evaluation is stale
        pool.cancel();
        if (pool.workers > 1) sharedStep(true);
        else {
          trainChunk(1);
          postProgress();
        }
        break;
      case 'workers':
        wantedWorkers = msg.count;
        if (!model) break;
        pool.configure(workerCount(wantedWorkers), model, modelScene);
        postProgress();
        break;
      case 'adopt':
        if (!model) break;
        adopt(lens, msg.scene);
        startEval(true);
        break;
    }
  } catch (e) {
    fail(e);
  }
  schedule();
}

scope.onmessage = (e) => { void handle(e.data); };
