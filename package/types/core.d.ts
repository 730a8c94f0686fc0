// Declarations of `cnn-lens/core`, written by hand; the Model types are bindings/cnnlens.d.ts,
// copied next to this file as cnnlens.d.ts by tools/build-package.mjs.
import type { CnnLensModule, Model } from './cnnlens.js';

export type {
  AdamSettings, BatchEvaluation, CnnLensModule, ConvExplanation, ConvTerm, GradientCheckRow, InputGradExplanation,
  LossLandscape, Model, OptimizerSettings, PoolExplanation, SgdSettings, TensorInfo, WeightGradExplanation,
} from './cnnlens.js';

/** Names of the example scenes loadModel accepts, e.g. 'classic'. */
export declare const EXAMPLES: readonly string[];
/** An example scene as JSON text, or undefined for an unknown name. */
export declare function exampleScene(name: string): string | undefined;
/** The WebAssembly module, created on the first call and then shared. */
export declare function loadModule(): Promise<CnnLensModule>;
/**
 * A new Model for an example name, scene JSON text or a scene object (docs/scene-format.md).
 * Rejects with an Error naming the layer, field and reason when the scene can't run.
 * Call model.delete() when done.
 */
export declare function loadModel(scene?: string | object): Promise<Model>;
