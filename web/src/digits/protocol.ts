// Messages between the page (digits/digits.ts) and the training worker (trainer.worker.ts).
// Arrays travel as transferred buffers; every message is a plain structured-clonable object.
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
  | { type: 'init'; scene: string; source: DataSource }
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
  | { type: 'initSamples'; scene: string; pixels: number; classes: number; set: LabelledSet }
  /** the samples changed (added, removed): the next batch is drawn from the new set */
  | { type: 'samples'; set: LabelledSet }
  /** class probabilities of one input (a camera frame, a drawing), answered with 'prediction' */
  | { type: 'predict'; id: number; input: Float32Array };

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
  | { type: 'ready'; gallery: LabelledSet }
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
    /** compute time of the last complete epoch (training only), null before the first ends */
    epochMs: number | null;
    /** training throughput over the last second of training */
    samplesPerSecond: number;
  }
  | { type: 'eval'; result: EvalResult }
  /** the outputs (logits) of the input of 'predict' `id`, from the weights trained so far */
  | { type: 'prediction'; id: number; outputs: Float32Array }
  /** code and details: a core error, worded on the page in the reader's language */
  | { type: 'error'; message: string; code?: string; details?: unknown };

/** the side of MNIST's images, to which the drawing pad prepares its strokes (preprocess.ts) */
export const IMAGE_SIDE = 28;
export const BATCH = 32;
