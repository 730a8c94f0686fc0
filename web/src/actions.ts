// What views may ask for. The controller implements it; views only see this interface.
import type { KernelId } from './photo/kernels';
import type { Brush, Selection, ViewMode } from './state';

export interface Actions {
  point(sel: Selection): void;
  /** selects the cell a core record or gradient-check cause names ({node, tensor, index}, node-local) */
  pointCell(node: number, tensor: string, index: number): void;
  /** no cell selected: the explanation closes (a bottom sheet on phones) */
  clearSelection(): void;
  editInput(index: number, value: number): void;
  paintInput(index: number, first: boolean): void;
  /**
   * The whole input from a picture (web/src/image): one undo step. `normalize` is the per-channel
   * standardisation already applied to `values`, kept in the scene's `input.normalize` when the
   * scene can hold it (null: values 0..1, any stored scaling is dropped).
   */
  setInputPicture(values: Float32Array, normalize: { mean: number[]; std: number[] } | null): void;
  /**
   * The whole input (every sample) from values drawn uniformly in 0..1 with the scene's seed: one
   * undo step. For a model that came without an input, whose maps are all flat on zeros.
   */
  randomInput(): void;
  editParam(layer: number, name: 'weight' | 'bias', index: number, value: number): void;
  editTarget(index: number, value: number): void;
  setTargetClass(k: number): void;
  setSetting(layer: number, key: string, text: string): void;
  setLayerType(layer: number, type: string): void;
  insertLayer(pos: number, type: string): void;
  removeLayer(layer: number): void;
  moveLayer(layer: number, delta: -1 | 1): void;
  randomiseLayer(layer: number): void;
  /** every filter of a conv layer becomes a classic image kernel (web/src/photo/kernels.ts); bias 0 */
  setKernelPreset(layer: number, id: KernelId): void;
  resetLayer(layer: number): void;
  setMode(mode: ViewMode): void;
  loadPreset(id: string): void;
  /** the open example as shipped (its edits stay reachable with Undo) */
  loadOriginal(): void;
  undo(): void;
  redo(): void;
  /** why Step/Run can't train now (a typed setting the model does not have), or null */
  trainingBlocked(): string | null;
  setLogScale(on: boolean): void;
  setBrush(brush: Brush): void;
  setBrushValue(v: number): void;
  setLoss(loss: 'mse' | 'cross_entropy' | 'none'): void;
  setOptimizer(kind: 'sgd' | 'momentum' | 'adam'): void;
  setLearningRate(text: string): void;
  setStepsPerFrame(n: number): void;
  step(): void;
  toggleRun(): void;
  resetTraining(): void;
  gradientCheck(): void;
  slide(layer: number): void;
  slideStep(delta: number): void;
  /** ends when the view is removed: page-wide listeners pass its signal (theme.ts onThemeToggle) */
  readonly lifetime: AbortController;
}
