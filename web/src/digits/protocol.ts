// Messages between the page (digits/digits.ts) and the training worker (trainer.worker.ts).
// Arrays travel as transferred buffers; every message is a plain structured-clonable object.
import type { OptimizerState } from '../wasm/cnnlens.mjs';
import type { DataSource } from './datasets';

/** A labelled set of images: uint8 pixels back to back (0 = background) and uint8 labels. */
export interface LabelledSet { images: Uint8Array; labels: Uint8Array }

/** One layer's parameters, as the worker's model holds them. */
export interface ParamSet { layer: number; weight: Float32Array; bias: Float32Array }

export type ToWorker =
  /**
   * a scene to train (its structure must take the data set's images and give its classes) and
   * the data set: the worker downloads it itself, off the main thread
   */
  | { type: 'init'; scene: string; source: DataSource; workers: WorkerCount }
  | { type: 'run' }
  | { type: 'pause' }
  /** one mini-batch, then a progress message */
  | { type: 'step' }
  /** the page's scene was edited: keep the optimizer state if only parameter values changed */
  | { type: 'adopt'; scene: string }
  /**
   * "Teach it your classes" (web/src/teach): a scene and the reader's own samples instead of a
   * data set to download; `pixels` values per sample (bytes, 0..255, scaled by 1/255 as inputs).
   * No test set: the evaluations measure the samples themselves (testAccuracy is NaN).
   */
  | { type: 'initSamples'; scene: string; pixels: number; classes: number; set: LabelledSet; workers: WorkerCount }
  /** the samples changed (added, removed): the next batch is drawn from the new set */
  | { type: 'samples'; set: LabelledSet }
  /** class probabilities of one input (a camera frame, a drawing), answered with 'prediction' */
  | { type: 'predict'; id: number; input: Float32Array }
  /** how many workers share each mini-batch from the next one on (shardPool.ts) */
  | { type: 'workers'; count: WorkerCount };

/** Workers that share each mini-batch: a number, or 'auto' (one per core the browser reports, at most 4). */
export type WorkerCount = number | 'auto';

export interface EvalResult {
  /** samples seen when the evaluation was taken, and the same in epochs */
  samples: number;
  epoch: number;
  steps: number;
  testAccuracy: number;
  testLoss: number;
  /** accuracy and loss on a fixed subset of the training images (same size for every point) */
  trainAccuracy: number;
  trainLoss: number;
  /** confusion[true * 10 + predicted], over the whole test set */
  confusion: Int32Array;
}

export type FromWorker =
  /** the data are in; `gallery`: the first few test samples of each class, class by class */
  | { type: 'ready'; gallery: LabelledSet; workers: number; workersNote: string }
  /** the data could not be downloaded (the worker waits for another init) */
  | { type: 'loadFailed'; message: string }
  | {
    type: 'progress';
    running: boolean;
    steps: number;
    samples: number;
    epoch: number;
    /** mean loss of every mini-batch since the previous progress message */
    batchLosses: Float32Array;
    /** samples seen after each of those batches */
    batchSamples: Float32Array;
    params: ParamSet[];
    /**
     * training time of each epoch completed since the previous progress message (wall time of
     * back-to-back training, evaluations left out): an epoch can be shorter than the time between
     * two messages, and a reader who times epochs (the bench) needs every one
     */
    epochsMs: number[];
    /** training throughput over the last second of training */
    samplesPerSecond: number;
    /** workers sharing each mini-batch (this one and its helpers); 1 when the network can't split a batch */
    workers: number;
    /** why fewer workers than asked for: the core's error code (batch_not_splittable) or a message */
    workersNote: string;
  }
  | { type: 'eval'; result: EvalResult }
  /** the outputs (logits) of the input of 'predict' `id`, from the weights trained so far */
  | { type: 'prediction'; id: number; outputs: Float32Array }
  /** code and details: a core error, worded on the page in the reader's language */
  | { type: 'error'; message: string; code?: string; details?: unknown };

/** the side of MNIST's images, to which the drawing pad prepares its strokes (preprocess.ts) */
export const IMAGE_SIDE = 28;
export const BATCH = 32;

/**
 * Between the trainer and its helpers (shard.worker.ts, replica.ts). Every worker holds a copy of
 * the model and takes every optimizer step itself: per step, each computes its shard's gradients
 * and sends them to every other worker, then all add the same gradients in the same order and
 * take the same step, so the copies stay equal bit for bit. Worker 0 is the trainer; helper k is
 * worker k + 1. `gen` counts the trainer's syncs: whatever is sent before a sync is ignored after
 * it (an edit, a pause with a step left hanging, an evaluation: each restarts the copies from the
 * trainer's). `step` numbers the steps within the trainer's run.
 */
export type ToShardHelper =
  | { type: 'scene'; scene: string }
  /** this helper's worker number among `workers`, and a port to each other helper (null at its own place and the trainer's) */
  | { type: 'peers'; index: number; workers: number; ports: (MessagePort | null)[] }
  /**
   * the trainer's model (parameters, optimizer and its state) to start from, and the shard of
   * step `step`; `keepAwake`: spin after each answer, awaiting the next (only when the workers
   * leave a core over: a spinning helper would take a core from one that computes)
   */
  | { type: 'sync'; gen: number; step: number; state: ReplicaState; shard: Shard; keepAwake: boolean }
  /** this helper's shard of step `step` (training went on after a pause) */
  | { type: 'shard'; gen: number; step: number; shard: Shard }
  /** the trainer's gradients of a step and, when training goes straight on, this helper's shard of the next */
  | { type: 'apply'; contribution: Contribution; next: Shard | null }
  /** a part of each set of an evaluation (the test images, the training subset), measured with `params` */
  | { type: 'evaluate'; job: number; params: Float32Array; sets: { images: Uint8Array | Float32Array; labels: Uint8Array }[] };

/** A worker's part of a batch of `batchTotal` samples. */
export interface Shard {
  inputs: Uint8Array | Float32Array;
  labels: Uint8Array;
  batchTotal: number;
}

/**
 * One worker's share of a step, sent to every other worker: its shard's gradients (scaled as a
 * part of the whole batch, as Model.shardGradients computes them) and its loss sum.
 */
export interface Contribution {
  gen: number;
  step: number;
  /** the worker that computed it (0: the trainer) */
  from: number;
  lossSum: number;
  gradients: Float32Array;
}

/** What a helper's copy of the model takes from the trainer's at a sync. */
export interface ReplicaState {
  params: Float32Array;
  /** Model.optimizer() as JSON: the page may have changed it since the scene was built */
  optimizer: string;
  optimizerState: OptimizerState;
}

/** The arrays of a shard, to transfer (not copy): they come back with the helper's answer. */
export function shardTransfer(s: Shard): Transferable[] {
  return s.inputs.buffer === s.labels.buffer ? [s.inputs.buffer] : [s.inputs.buffer, s.labels.buffer];
}

/** One set's part measured by a helper: its correct predictions, its loss sum and every prediction. */
export interface PartResult { correct: number; lossSum: number; predictions: Int32Array }

export type FromShardHelper =
  /** the helper's share of a step, and the arrays of the shard it was computed from (to fill again) */
  | { type: 'gradients'; contribution: Contribution; used: Shard }
  /** the parts of evaluation `job`, in the order of its sets */
  | { type: 'evaluated'; job: number; results: PartResult[] }
  /** `job`: set when an evaluation failed rather than a step */
  | { type: 'error'; gen: number; step: number; job?: number; message: string; code?: string; details?: unknown };
