// TypeScript declarations of the wasm module (Emscripten 3.1.6 cannot generate them).
// Keep in step with bindings/register.cpp; docs/api.md explains each call.

/**
 * What a tensor is for, so views can draw it without knowing the layer kind: the edges around a
 * node ('input', 'output', 'grad'), parameters ('param', 'param.grad'), optimizer state
 * ('optimizer'), and buffers ('statistic' running statistics, 'batch' batch statistics, 'mask'
 * dropout masks, 'routing' max-pool winners).
 */
export type TensorRole = 'input' | 'output' | 'grad' | 'param' | 'param.grad' | 'optimizer' | 'statistic' | 'batch' |
  'mask' | 'routing';

/** Name, shape and role of one tensor a node lists (see Model.layerTensors, Model.nodeTensors). */
export interface TensorInfo {
  name: string;
  shape: number[];
  role: TensorRole;
}

export interface SgdSettings { type: 'sgd'; lr: number; momentum: number; nesterov?: boolean; weight_decay?: number }
export interface AdamSettings { type: 'adam' | 'adamw'; lr: number; beta1: number; beta2: number; eps: number; weight_decay?: number }
export type OptimizerSettings = SgdSettings | AdamSettings;

/** One parameter's optimizer state, copied (null: not started yet). */
export interface ParamOptimizerState {
  /** the node's id and the parameter's name: checked when the state is put back */
  node: string;
  name: string;
  /** SGD's velocity or Adam's first moment m */
  momentum: Float32Array | null;
  /** Adam's second moment v */
  velocity: Float32Array | null;
  /** the change the last step made */
  delta: Float32Array | null;
}

/** Model.optimizerState(): all that training leaves besides the parameters (for undo/redo). */
export interface OptimizerState {
  /** optimizer steps taken (Adam's t) */
  steps: number;
  /** every node's parameters, in node order */
  params: ParamOptimizerState[];
  /** Model.lossHistory() */
  lossHistory: Float32Array;
}

/** One declared setting of a layer kind (docs/scene-format.md). */
export interface LayerFieldInfo {
  name: string;
  type: 'int' | 'number' | 'pair' | 'padding' | 'choice' | 'bool';
  default?: unknown;
  /** the default is this other field's value (a pool's stride defaults to its kernel_size) */
  default_from?: string;
  required?: boolean;
  min?: number;
  max?: number;
  choices?: string[];
}

/** One layer kind of the core's registry (Module.layerKinds()). */
export interface LayerKindInfo {
  type: string;
  title: string;
  pytorch: string;
  onnx: string;
  /** the page's help text key */
  help: string;
  min_inputs: number;
  /** -1: any number */
  max_inputs: number;
  elementwise: boolean;
  fields: LayerFieldInfo[];
  /** parameters and saved buffers a scene may give */
  tensors: string[];
}

/**
 * What every Error thrown by the module carries besides its English message: a stable code and
 * the values the message names, for wording it in another language.
 */
export interface CnnLensErrorDetails {
  code: string;
  /** the node's id (version-2 scenes) */
  node?: string;
  /** the node's 1-based position in the scene */
  layer?: number;
  type?: string;
  field?: string;
  message: string;
  [value: string]: unknown;
}
export interface CnnLensError extends Error {
  code: string;
  details: CnnLensErrorDetails | Record<string, never>;
}

/** One product of a convolution output cell: input value times kernel weight. */
export interface ConvTerm {
  channel: number; row: number; col: number;
  kernel_row: number; kernel_col: number;
  input: number; weight: number;
  /** true when the tap reads the zero padding outside the input */
  padding: boolean;
}
export interface ConvExplanation { terms: ConvTerm[]; bias: number; sum: number; output: number }

export interface PoolExplanation {
  kind: 'max' | 'avg';
  window: { row: number; col: number; value: number }[];
  /** index into `window` of the cell that won (max pooling only) */
  winner?: number;
  output: number;
}

export interface WeightGradExplanation {
  terms: { row: number; col: number; input_row: number; input_col: number; input: number; grad_output: number }[];
  sum: number;
  grad: number;
}

export interface InputGradExplanation {
  terms: { out_channel: number; row: number; col: number; kernel_row: number; kernel_col: number; weight: number; grad_output: number }[];
  sum: number;
  grad: number;
}

export interface GradientCheckRow {
  /** layer index, or -1 for the network's input */
  layer: number;
  /** the node's id, or "input" */
  node: string;
  type: string;
  tensor: string;
  checked: number;
  max_abs_error: number;
  max_rel_error: number;
  /** Only on rows with max_rel_error >= 1e-2: what likely caused it, downstream of the tensor (at most 8). */
  causes?: GradientCheckCause[];
  causes_total?: number;
}

/** A cell of a node-local tensor ('input', 'output', 'grad_input', 'grad_output', 'weight', ...); no sample for parameters. */
export interface CellRef { node: number; tensor: string; sample?: number; index: number }

/** Why finite differences disagree with backward: a max-pool tie, or an input at a ReLU-like kink. */
export type GradientCheckCause =
  | { kind: 'maxpool_tie'; node: number; node_id: string; type: string; output: CellRef; cells: CellRef[]; value: number; input_height: number; input_width: number }
  | { kind: 'kink'; node: number; node_id: string; type: string; cell: CellRef; input: number; kink: number };

/** One term a·b of an explained sum; a_ref / b_ref are the cells the factors come from. */
export interface ExplainTerm {
  a: number; b: number; product: number; a_ref?: CellRef; b_ref?: CellRef; padding?: boolean;
  /** the padded [row, col] a tap read outside the map (zero padding, or a reflected/replicated copy) */
  position?: [number, number];
}

/**
 * How one cell was obtained (explainCell), forward or backward. `formula` is a template key:
 * loss.mse, loss.cross_entropy, activation.forward, activation.grad, softmax.forward, softmax.grad,
 * log_softmax.forward, log_softmax.grad, dense.forward, dense.grad_input, dense.weight_grad,
 * dense.bias_grad, prelu.weight_grad, flatten.forward, flatten.grad_input, maxpool.forward,
 * maxpool.grad_input, avgpool.forward, avgpool.grad_input, conv.forward, conv.grad_input,
 * conv.weight_grad, conv.bias_grad, conv_transpose.forward, conv_transpose.grad_input,
 * conv_transpose.weight_grad, conv_transpose.bias_grad, batchnorm.forward, batchnorm.grad_input,
 * batchnorm.grad_input_eval, batchnorm.weight_grad, batchnorm.bias_grad, batchnorm.batch_mean,
 * batchnorm.batch_var, dropout.forward, dropout.grad_input, dropout.identity, dropout.identity_grad,
 * add.forward, add.grad_input, concat.forward, concat.grad_input, global_avgpool.forward,
 * global_avgpool.grad_input, global_maxpool.forward, global_maxpool.grad_input, pad.forward,
 * pad.constant, pad.grad_input, edge.readers, input.value, value (docs/api.md, "Explanation records").
 * Sums list non-zero terms first; terms + omitted_zero_terms + omitted_terms = term_count, and
 * shown_total + omitted_sum = total (except softmax grads, whose sum is inner_sum).
 */
export interface CellExplanation {
  kind: 'sum' | 'chain' | 'apply' | 'copy' | 'route' | 'share' | 'max' | 'loss' | 'softmax' | 'readers' | 'value' |
    'normalize' | 'normalize_grad' | 'mask';
  formula: string;
  cell: CellRef;
  /** the same number explained at another tensor (a grad_output is its reader's grad_input) */
  same_as?: CellRef;
  type: string;
  node_id: string;
  /** the tensor's own number */
  value: number;
  /** what the written-out arithmetic gives (equal to value up to float rounding) */
  total?: number;
  terms?: ExplainTerm[];
  term_count?: number;
  zero_terms?: number;
  omitted_zero_terms?: number;
  omitted_terms?: number;
  omitted_sum?: number;
  shown_total?: number;
  constant?: { value: number; ref: CellRef };
  // chain / apply / loss / softmax / copy / max details
  x?: number; y?: number; x_ref?: CellRef; y_ref?: CellRef;
  grad_output?: number; grad_output_ref?: CellRef;
  slope?: number; slope_factors?: { label: string; value: number }[]; slope_ref?: CellRef;
  parameter?: number; parameter_ref?: CellRef;
  target?: number; features?: number; batch?: number; softmax?: number;
  max?: number; exp?: number; denominator?: number; inner_sum?: number;
  source?: CellRef; map_cell?: [number, number, number];
  window?: { ref: CellRef; value: number }[]; winner?: number; divisor?: number;
  /** readers of a shared edge, each with the part it sends back; `part`: the asked reader's own record */
  readers?: { node: number; node_id: string; slot: number; value: number }[];
  part?: CellExplanation;
  // activations: the piece of a piecewise f, the kind's settings, f' as a sum
  branch?: 'positive' | 'negative' | 'linear' | 'saturated';
  parameters?: Record<string, number | string>;
  slope_terms?: { label: string; value: number }[];
  cdf?: number; t?: number;
  // batch norm (normalize / normalize_grad / chain)
  channel?: number; statistics?: 'batch' | 'running';
  mean?: number; mean_ref?: CellRef; var?: number; var_ref?: CellRef; eps?: number; std?: number; inv_std?: number;
  count?: number; xhat?: number; gamma?: number; gamma_ref?: CellRef; beta?: number; beta_ref?: CellRef;
  sum_grad?: number; sum_grad_ref?: CellRef; sum_grad_xhat?: number; sum_grad_xhat_ref?: CellRef;
  paths?: { label: 'direct' | 'mean' | 'variance'; value: number }[];
  // convolutions: the group the cell belongs to
  group?: { index: number; groups: number; input_channels: [number, number]; output_channels: [number, number]; depthwise: boolean };
  padding_mode?: string;
  // dropout (mask)
  mask?: number; mask_ref?: CellRef; p?: number; scale?: number;
  // add / concat / pad (copy)
  slot?: number; from?: string; copies?: CellRef[]; source_channel?: number; output_channel?: number;
  mode?: string; position?: [number, number]; padded?: boolean; source_cell?: [number, number, number];
  // global max pooling
  winner_ref?: CellRef; window_size?: number; omitted_cells?: number;
}

/** What Model.evaluate returns. */
export interface BatchEvaluation {
  predictions: Int32Array;
  correct: number;
  /** null without labels */
  accuracy: number | null;
  /** mean cross-entropy; null without labels or for mse scenes */
  loss: number | null;
}

/**
 * A scene loaded into the C++ core. Whenever tensors are read they describe the current state
 * (forward and backward of the scene's own input); a call that throws an Error (a CnnLensError,
 * with code and details) changes nothing.
 * Owns wasm memory: call delete() when done.
 */
export declare class Model {
  constructor(sceneJson: string);
  delete(): void;

  forward(): void;
  backward(): void;
  /** One optimizer step; returns the loss measured before the update. */
  step(): number;
  /** n steps; returns their losses (a copy). */
  train(n: number): Float32Array;
  loss(): number;
  lossHistory(): Float32Array;
  stepsTaken(): number;
  /** The trace JSON (docs/scene-format.md), same as `cnnlens trace`. */
  trace(): string;
  /** The current scene as JSON, edits and training included. */
  toJSON(): string;

  layerCount(): number;
  layerType(layer: number): string;
  /**
   * Tensors of the layer at this index; a one-sample scene shows them per sample (no batch axis).
   * @deprecated kept through 0.x; use nodeTensors(id) (node ids from nodeIds()).
   */
  layerTensors(layer: number): TensorInfo[];
  /**
   * Zero-copy view into the wasm heap: valid only until the next call on any Model.
   * @deprecated kept through 0.x; use nodeView(id, name).
   */
  view(layer: number, name: string): Float32Array;
  /**
   * A copy that stays valid.
   * @deprecated kept through 0.x; use nodeCopy(id, name).
   */
  copy(layer: number, name: string): Float32Array;

  /** Node ids in execution order (version-1 scenes: "conv2d_1", "relu_1", ...). */
  nodeIds(): string[];
  /** Every tensor of a node, batch-first as the core holds them. */
  nodeTensors(id: string): TensorInfo[];
  /** Zero-copy view into the wasm heap: valid only until the next call on any Model. */
  nodeView(id: string, name: string): Float32Array;
  /** A copy that stays valid. */
  nodeCopy(id: string, name: string): Float32Array;
  setNodeParam(id: string, name: string, values: ArrayLike<number>): void;
  setNodeParamElement(id: string, name: string, index: number, value: number): void;
  /** Each sample's loss (the scene's own batch); null for a scene with loss "none". */
  losses(): Float32Array | null;
  inputView(): Float32Array;
  inputShape(): number[];
  outputShape(): number[];
  lossGradView(): Float32Array;
  targetView(): Float32Array;
  optimizer(): OptimizerSettings;

  setInput(values: ArrayLike<number>): void;
  setInputCell(channel: number, row: number, col: number, value: number): void;
  /** @deprecated kept through 0.x; use setNodeParam(id, name, values). */
  setParam(layer: number, name: string, values: ArrayLike<number>): void;
  /** @deprecated kept through 0.x; use setNodeParamElement(id, name, index, value). */
  setParamElement(layer: number, name: string, index: number, value: number): void;
  /** JSON text: an array of numbers for mse, a class index for cross_entropy. */
  setTarget(targetJson: string): void;
  /** JSON text of the optimizer object of the scene format. */
  setOptimizer(optimizerJson: string): void;
  resetOptimizer(): void;
  /** The optimizer's step count, moments and last change and the loss history, copied. */
  optimizerState(): OptimizerState;
  /**
   * Puts a copy from optimizerState() back (e.g. after rebuilding the model from its scene):
   * training then continues exactly as it would have. Throws code "optimizer_state_mismatch",
   * changing nothing, when the copy belongs to other parameters.
   */
  setOptimizerState(state: OptimizerState): void;

  /**
   * One optimizer step on a mini-batch: the gradient is the mean over the samples (PyTorch's
   * mean reduction). `inputs` holds whole samples of inputShape() back to back; a Uint8Array is
   * read as pixels and scaled by 1/255. `targets`: one class index per sample (cross_entropy) or
   * every sample's target vector back to back (mse). Returns the batch's mean loss before the update.
   */
  trainBatch(inputs: Float32Array | Uint8Array | ArrayLike<number>, targets: Int32Array | Uint8Array | Float32Array | ArrayLike<number>): number;
  /** Consecutive batches of batchSize (the last may be smaller), one step each; their mean losses. */
  trainBatches(inputs: Float32Array | Uint8Array | ArrayLike<number>, targets: Int32Array | Uint8Array | Float32Array | ArrayLike<number>, batchSize: number): Float32Array;
  /** Forward passes only (gradients untouched): argmax predictions; with labels, accuracy and (cross_entropy) mean loss. */
  evaluate(inputs: Float32Array | Uint8Array | ArrayLike<number>, labels?: Int32Array | Uint8Array | ArrayLike<number> | null): BatchEvaluation;
  /**
   * The network's outputs (logits for cross_entropy) for one or more whole samples, batch-first
   * (`outputs per sample × samples` values); the model's tensors are unchanged.
   */
  predict(inputs: Float32Array | Uint8Array | ArrayLike<number>): Float32Array;

  // Data-parallel training: copies of one model (e.g. one per Web Worker) share a batch. Each
  // computes its shard's gradients and sends them to the others; each adds all of them in the same
  // order, sets the sum and takes the same step. See docs/api.md, "Sharing a batch between workers".
  /** Whether a batch can be split: false when a node mixes samples in training (batch norm, dropout). */
  splitsBatches(): boolean;
  /**
   * The parameter gradients of these samples as a shard of a batch of `batchTotal` (the loss
   * gradient scaled by 1/batchTotal); no parameter changes. Returns the shard's loss sum.
   */
  shardGradients(inputs: Float32Array | Uint8Array | ArrayLike<number>, targets: Int32Array | Uint8Array | Float32Array | ArrayLike<number>, batchTotal: number): number;
  /** Every parameter, back to back (nodes in order, weight before bias): a copy. */
  parameters(): Float32Array;
  /** The same written into `out` (as many values as parameters() has), which is returned: no allocation. */
  parameters(out: Float32Array): Float32Array;
  /** The parameter gradients in the same order: a copy. */
  gradients(): Float32Array;
  /** The same written into `out`, which is returned. */
  gradients(out: Float32Array): Float32Array;
  /** Sets every parameter from a vector laid out as parameters() returns it. */
  setParameters(values: Float32Array | ArrayLike<number>): void;
  /** Sets the parameter gradients (the batch's: the shards' sum), laid out as parameters(). */
  setGradients(gradients: Float32Array | ArrayLike<number>): void;
  /** One optimizer step with the gradients of shardGradients or setGradients (once); records meanLoss in the loss history. */
  applyGradients(meanLoss: number): void;

  /**
   * @internal The fast lane under trainBatch and predict (bindings/fast_calls.js writes typed
   * arrays into the staging area at the byte address _stage returns). Not for direct use.
   */
  _stage(inputValues: number, targetValues: number): number;
  /** @internal */
  _trainStaged(inputValues: number, targetValues: number, bytes: boolean): number;
  /** @internal */
  _predictStaged(inputValues: number, bytes: boolean): number;

  explainConv(layer: number, channel: number, row: number, col: number): ConvExplanation;
  explainPool(layer: number, channel: number, row: number, col: number): PoolExplanation;
  explainConvWeightGrad(layer: number, outChannel: number, inChannel: number, kernelRow: number, kernelCol: number): WeightGradExplanation;
  explainConvInputGrad(layer: number, channel: number, row: number, col: number): InputGradExplanation;
  gradientCheck(): { results: GradientCheckRow[] };
  /**
   * How cell `index` (flat, within one sample; within the parameter for 'weight.grad' etc.) of a
   * node's tensor was obtained, with at most maxTerms terms written out. The last node's
   * 'grad_output' is the loss's dL/dy.
   */
  explainCell(node: number, tensor: string, sample: number, index: number, maxTerms: number): CellExplanation;
  /**
   * The loss on a resolution x resolution grid of two parameters (each: layer, 'weight'|'bias',
   * row-major element index) spanning their current value +- halfWidth. loss[r * resolution + c]
   * is at (aValues[c], bValues[r]); minRow/minCol locate the smallest. The model is unchanged.
   */
  lossLandscape(layerA: number, nameA: 'weight' | 'bias', indexA: number, layerB: number, nameB: 'weight' | 'bias',
    indexB: number, halfWidth: number, resolution: number): LossLandscape;
}

export interface LossLandscape {
  aValues: Float32Array;
  bValues: Float32Array;
  loss: Float32Array;
  minRow: number;
  minCol: number;
}

export interface CnnLensModule {
  Model: typeof Model;
  /** Every layer kind the core knows, with its settings, defaults and limits. */
  layerKinds(): LayerKindInfo[];
  /** Every code an Error from this module can carry (Error.code), sorted. */
  errorCodes(): string[];
  /** Bytes of wasm heap in use by malloc (for leak tests). */
  heapInUse(): number;
  /** Bench hook: `iterations` rounds of register-resident f32x4 multiply-add chains; time the call. */
  simdPeak(iterations: number): number;
  /** Floating-point operations per simdPeak iteration. */
  simdPeakFlopsPerIteration(): number;
  HEAPF32: Float32Array;
}

/** The Emscripten factory: `const lens = await createCnnLens();`. */
export default function createCnnLens(options?: Record<string, unknown>): Promise<CnnLensModule>;
