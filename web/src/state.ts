// The one typed UI state. Views read it; only the controller writes it.
import type { GradientCheckRow } from './wasm/cnnlens.mjs';
import type { OptimizerSwitch } from './history';
import type { Scene } from './scene';

export type ViewMode = 'values' | 'gradients' | 'both';
export type Brush = 'edit' | 'binary' | 'grey';

/**
 * A cell the person points at (hover or keyboard focus). `layer` is -1 for the network input
 * and `layerCount` for the loss card; `sub` is the channel (or kernel o*in+i) of the matrix.
 */
export interface Selection {
  layer: number;
  tensor: string;
  sub: number;
  index: number;
}

export interface TrainingStatus {
  running: boolean;
  stepsPerFrame: number;
  /** effective steps per frame after adapting to the ~16 ms frame budget */
  adaptiveSteps: number;
  lastFrameMs: number;
  error: string | null;
  /** every loss measured since the scene was opened: the curve, and the step counter is its length */
  curve: number[];
  /** where the optimizer was switched on that curve */
  switches: OptimizerSwitch[];
  /** a note after the optimizer changed ("learning rate set to 0.01 for Adam") */
  lrNote: string | null;
  /** the loss chart's y axis: log (true), linear (false), or chosen from the curve (null) */
  logScale: boolean | null;
}

/** What the undo/redo buttons show (web/src/history.ts keeps the states themselves). */
export interface HistoryInfo {
  canUndo: boolean;
  canRedo: boolean;
  undoLabel: string;
  redoLabel: string;
  /** oldest steps dropped to stay within the history's memory limits */
  dropped: number;
}

export interface UIState {
  presetId: string;
  /** the current scene's structure (parameters may lag behind the live model; re-read before edits) */
  scene: Scene;
  /** the preset as loaded, with every parameter filled in, for per-layer reset */
  presetResolved: Scene;
  /** the scene before training started, for the training Reset */
  beforeTraining: string | null;
  mode: ViewMode;
  selection: Selection | null;
  /** the scene differs from the example it came from (labels say "(edited)") */
  edited: boolean;
  /** the example whose earlier edits were just brought back (the header says so), else null */
  restored: string | null;
  /** examples (and 'custom') with edits kept aside while another one is open */
  kept: string[];
  history: HistoryInfo;
  /**
   * Typed settings the core did not take, as typed and why ("1:kernel_size", "lr"): they stay in
   * their fields, marked, and nothing trains until they are fixed (the previous network would).
   */
  invalid: Map<string, { text: string; reason: string }>;
  /** message shown next to a layer (or the loss card = layers.length) after a rejected edit */
  layerErrors: Map<number, string>;
  training: TrainingStatus;
  brush: Brush;
  brushValue: number;
  gradCheck: { rows: GradientCheckRow[] } | { error: string } | null;
  /** conv layer whose kernel is being slid, and whether it animates by itself */
  slide: { layer: number; playing: boolean } | null;
  /** guided lesson step (1-9) while the lesson is open, else null (web/src/lesson) */
  lesson: number | null;
}

export function initialState(presetId: string, scene: Scene): UIState {
  return {
    presetId,
    scene,
    presetResolved: scene,
    beforeTraining: null,
    mode: 'values',
    selection: null,
    layerErrors: new Map(),
    training: { running: false, stepsPerFrame: 5, adaptiveSteps: 5, lastFrameMs: 0, error: null, curve: [], switches: [], lrNote: null, logScale: null },
    edited: false,
    restored: null,
    kept: [],
    history: { canUndo: false, canRedo: false, undoLabel: '', redoLabel: '', dropped: 0 },
    invalid: new Map(),
    brush: 'edit',
    brushValue: 1,
    gradCheck: null,
    slide: null,
    lesson: null,
  };
}
