// The only owner of the wasm Model handle. Converts thrown Errors into result objects and
// copies tensors out of the wasm heap (views die at the next Model call).
import type {
  CnnLensModule, Model, ConvExplanation, PoolExplanation, WeightGradExplanation,
  InputGradExplanation, GradientCheckRow, OptimizerSettings, CellExplanation, OptimizerState, TensorInfo,
} from './wasm/cnnlens.mjs';

import { wordError } from './i18n';

/** A failure carries the core's error code and node (when it names one) besides its words. */
/** A failure: worded (`error`), and the core's code, node and details when it came from the core. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string; code?: string; node?: string; details?: Record<string, unknown> };

export interface Tensor { name: string; shape: number[]; data: Float32Array }

export interface LayerSnap {
  index: number;
  type: string;
  tensors: Map<string, Tensor>;
}

/** Everything the views draw, copied out of wasm in one pass. */
export interface Snapshot {
  input: Tensor;
  layers: LayerSnap[];
  loss: number;
  lossGrad: Float32Array;
  target: Float32Array;
  outputShape: number[];
  steps: number;
  optimizer: OptimizerSettings;
  history: Float32Array;
}

/** A failure in the reader's language: core errors are worded from their code and values. */
function errorText(e: unknown): string {
  return wordError(e);
}

function attempt<T>(f: () => T): Result<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    const core = e as { code?: unknown; details?: { node?: unknown } };
    const details = typeof core.details === 'object' && core.details !== null ? core.details as Record<string, unknown> : undefined;
    return {
      ok: false, error: errorText(e),
      code: typeof core.code === 'string' ? core.code : undefined,
      node: typeof details?.node === 'string' ? details.node : undefined,
      details,
    };
  }
}

/** The read-only calls the page's own views use (they leave the cached scene JSON valid). */
export type ModelReader = Pick<Model, 'view' | 'copy' | 'layerCount' | 'layerTensors' | 'layerType' | 'targetView' | 'outputShape' | 'nodeTensors' | 'nodeView' | 'nodeIds' | 'losses' | 'loss'>;

export class Engine {
  private current: Model | null = null;
  /**
   * Model.toJSON() of the current state, kept until something may change it: the digits net's
   * JSON takes tens of ms, and opening it asks for it several times (history, share, worker).
   */
  private json: string | null = null;
  /** counts what may have changed the model (every write, a new model, the Model handed out) */
  private changes = 0;
  /**
   * What a value edit leaves alone, read from the core once per structure: each layer's kind and
   * tensor list, the shapes and the optimizer's settings. Asking the core for them on every
   * snapshot built a few hundred small JS objects per edit (a fifth of the classic example's copy).
   */
  private layout: { types: string[]; tensors: TensorInfo[][]; inputShape: number[]; outputShape: number[]; optimizer: OptimizerSettings } | null = null;

  constructor(readonly module: CnnLensModule) {}

  /** The live model, for course authors (window.cnnlens). */
  get model(): Model {
    if (!this.current) throw new Error('no scene loaded');
    this.json = null; // whoever holds the Model may change it
    this.layout = null;
    this.changes++;
    return this.current;
  }

  /** The model was changed from outside (a course author's script, then refresh()). */
  changedOutside(): void {
    this.json = null;
    this.layout = null;
    this.changes++;
  }

  /** Changes whenever the model may have changed: a snapshot taken at the same version is current. */
  get version(): number {
    return this.changes;
  }

  /** The model for reading only (the views, the digits dashboard). */
  get reader(): ModelReader {
    if (!this.current) throw new Error('no scene loaded');
    return this.current;
  }

  private get m(): Model {
    if (!this.current) throw new Error('no scene loaded');
    return this.current;
  }

  /** The model, about to be changed in any way: the cached JSON and layout are dropped. */
  private get changing(): Model {
    this.layout = null;
    return this.changingValues;
  }

  /** The model, about to get new values in tensors it has (an edit of a cell): the layout stays. */
  private get changingValues(): Model {
    this.json = null;
    this.changes++;
    return this.m;
  }

  /** Builds a new Model; on failure the previous one stays loaded and untouched. */
  load(sceneJson: string): Result<void> {
    const made = attempt(() => new this.module.Model(sceneJson));
    if (!made.ok) return made;
    this.current?.delete();
    this.current = made.value;
    this.json = null;
    this.layout = null;
    this.changes++;
    return { ok: true, value: undefined };
  }

  dispose(): void {
    this.current?.delete();
    this.current = null;
    this.json = null;
    this.layout = null;
    this.changes++;
  }

  sceneJson(): string {
    return (this.json ??= this.m.toJSON());
  }

  /** `withLayers` false: a graph scene, whose views read the nodes themselves (no copy of every tensor). */
  snapshot(withLayers = true): Snapshot {
    const m = this.m;
    const layers: LayerSnap[] = [];
    const layout = (this.layout ??= this.readLayout());
    const n = withLayers ? layout.types.length : 0;
    const input = m.inputView().slice();
    // a layer of the chain reads the one before it: its "input" is that output (or the network's
    // input), shared instead of copied again (a photo's 3×256×256 values each time)
    let previous: Float32Array = input;
    for (let i = 0; i < n; i++) {
      const tensors = new Map<string, Tensor>();
      for (const t of layout.tensors[i]) {
        const same = t.name === 'input' && previous.length === t.shape.reduce((a, b) => a * b, 1);
        tensors.set(t.name, { name: t.name, shape: t.shape, data: same ? previous : m.view(i, t.name).slice() });
      }
      layers.push({ index: i, type: layout.types[i], tensors });
      previous = tensors.get('output')?.data ?? new Float32Array(0);
    }
    return {
      input: { name: 'input', shape: layout.inputShape, data: input },
      layers,
      loss: m.loss(),
      lossGrad: m.lossGradView().slice(),
      target: m.targetView().slice(),
      outputShape: layout.outputShape,
      steps: m.stepsTaken(),
      optimizer: layout.optimizer,
      history: m.lossHistory(),
    };
  }

  private readLayout(): NonNullable<Engine['layout']> {
    const m = this.m;
    const count = m.layerCount();
    const types: string[] = [];
    const tensors: TensorInfo[][] = [];
    for (let i = 0; i < count; i++) {
      types.push(m.layerType(i));
      tensors.push(m.layerTensors(i));
    }
    return { types, tensors, inputShape: m.inputShape(), outputShape: m.outputShape(), optimizer: m.optimizer() };
  }

  setInput(values: ArrayLike<number>): Result<void> {
    return attempt(() => this.changingValues.setInput(values));
  }

  setInputCell(channel: number, row: number, col: number, value: number): Result<void> {
    return attempt(() => this.changingValues.setInputCell(channel, row, col, value));
  }

  setParamElement(layer: number, name: 'weight' | 'bias', index: number, value: number): Result<void> {
    return attempt(() => this.changingValues.setParamElement(layer, name, index, value));
  }

  setParam(layer: number, name: 'weight' | 'bias', values: ArrayLike<number>): Result<void> {
    return attempt(() => this.changingValues.setParam(layer, name, values));
  }

  setNodeParamElement(id: string, name: string, index: number, value: number): Result<void> {
    return attempt(() => this.changingValues.setNodeParamElement(id, name, index, value));
  }

  setTarget(target: number[] | number): Result<void> {
    return attempt(() => this.changing.setTarget(JSON.stringify(target)));
  }

  setOptimizer(settings: OptimizerSettings | Record<string, unknown>): Result<void> {
    return attempt(() => this.changing.setOptimizer(JSON.stringify(settings)));
  }

  /** The optimizer's step count, moments and last change, and the loss history (copies). */
  optimizerState(): OptimizerState {
    return this.m.optimizerState();
  }

  /** Puts a saved optimizer state back; fails (nothing changed) when it belongs to other parameters. */
  setOptimizerState(state: OptimizerState): Result<void> {
    return attempt(() => this.changing.setOptimizerState(state));
  }

  /** n optimizer steps; the losses measured. Fails (model unchanged) when the loss diverges. */
  train(n: number): Result<Float32Array> {
    return attempt(() => this.changing.train(n));
  }

  explainConv(layer: number, ch: number, r: number, c: number): Result<ConvExplanation> {
    return attempt(() => this.m.explainConv(layer, ch, r, c));
  }

  explainPool(layer: number, ch: number, r: number, c: number): Result<PoolExplanation> {
    return attempt(() => this.m.explainPool(layer, ch, r, c));
  }

  explainConvWeightGrad(layer: number, o: number, i: number, r: number, c: number): Result<WeightGradExplanation> {
    return attempt(() => this.m.explainConvWeightGrad(layer, o, i, r, c));
  }

  explainConvInputGrad(layer: number, ch: number, r: number, c: number): Result<InputGradExplanation> {
    return attempt(() => this.m.explainConvInputGrad(layer, ch, r, c));
  }

  /** How one cell of a node's tensor was obtained (the core's typed record), at most maxTerms terms. */
  explainCell(node: number, tensor: string, sample: number, index: number, maxTerms: number): Result<CellExplanation> {
    return attempt(() => this.m.explainCell(node, tensor, sample, index, maxTerms));
  }

  gradientCheck(): Result<GradientCheckRow[]> {
    return attempt(() => this.changing.gradientCheck().results);
  }
}
