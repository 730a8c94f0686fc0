// Implements every user action: edits go to the engine, results and errors into the state,
// then one redraw. Architecture edits build a new scene and keep the old model on failure.
// Every change also ends in one undo step (web/src/history.ts), taken just after the action so
// the redraw is not slowed by writing the scene out.
import type { Actions } from './actions';
import { afterNextPaint } from './afterPaint';
import { sameValues } from './digits/params';
import type { Engine, Result, Snapshot } from './engine';
import type { OptimizerState } from './wasm/cnnlens.mjs';
import { parseNumber } from './format';
import { History, type HistoryEntry } from './history';
import { presetWeight, type KernelId } from './photo/kernels';
import { mulberry32 } from './random';
import { findPreset, type Preset } from './presets';
import * as scene from './scene';
import type { Brush, Selection, UIState, ViewMode } from './state';
import { S } from './strings';
import { wordError } from './i18n';
import { layoutOf } from './views/tensorBlock';

export interface Renderer {
  render(): void;
  renderSelection(): void;
  /** the labels and buttons that depend on the history only (header, undo/redo): cheap */
  renderChrome(): void;
  /** draws an example just opened (a big network in a few steps) */
  renderOpened(): void;
  /**
   * An example is about to be opened from the menu: true when its network is big enough to be
   * opened in steps, once the view has put up its "building" note (the scene opens after the
   * next paint, so that the menu answers at once).
   */
  openingInSteps?(json: string): boolean;
  snapshot(): Snapshot;
  /** a banner above the page (null: the informational one goes) */
  notify?(message: string | null, kind: 'warn' | 'info'): void;
}

/** Learning rates proposed when the optimizer changes: Adam's steps are already normalised. */
const PROPOSED_LR = { adam: 0.01, sgd: 0.1, momentum: 0.05 } as const;
/** A brush stroke's cells become one undo step, written this long after the stroke pauses. */
const STROKE_PAUSE_MS = 30;
/** An undo step not yet written because no frame was painted (a hidden tab) is written after this. */
const HIDDEN_TAB_MS = 250;

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

export class Controller implements Actions {
  view!: Renderer;
  /** Read-only (embeds): the scene can't be edited; hover, explanations, view and training still work. */
  locked = false;
  private paintValue = 1;
  private slideTimer = 0;
  readonly history = new History();
  /** each example as first loaded (every parameter filled in), to tell whether the scene differs */
  private readonly originals = new Map<string, string>();
  /** a worker's trained weights were taken since the last undo step (recordTrainedElsewhere) */
  private trainedElsewhere = false;
  /** edited scenes put aside when another example was chosen; they come back on return */
  private readonly kept = new Map<string, HistoryEntry>();
  private pendingLabel: string | null = null;
  /** cancels the pending history write (null: none pending) */
  private cancelCapture: (() => void) | null = null;
  /** curve length when the current Run started (one undo step per run) */
  private runStart = 0;
  private beforeTrainingCurve = 0;
  /** the optimizer's state when training began (Reset training puts it back with the scene) */
  private beforeTrainingOptimizer: OptimizerState | null = null;

  /**
   * Ends with the view (a removed <cnn-lens>): every page-wide listener a view registers passes
   * this signal, so dispose() removes them all at once.
   */
  readonly lifetime = new AbortController();

  constructor(readonly engine: Engine, readonly state: UIState) {
    // the example the page opened with, as the core filled it in: "edited" is measured against it
    if (findPreset(state.presetId)) this.originals.set(state.presetId, engine.sceneJson());
  }

  // ---------------------------------------------------------------- history

  /** Before a change: a run in progress ends (its own undo step), and the last change is recorded. */
  private begin(): void {
    // any other action first: an example still waiting to open (loadPreset) stays closed
    this.stopOpening?.();
    this.stopOpening = null;
    this.stopTraining();
    this.recordTrainedElsewhere();
    this.flushHistory();
  }

  /**
   * Weights a worker trained (the data-set dashboards, "Teach it your classes") become one undo
   * step when the reader next does something on the page: so Undo can go back to before them,
   * and choosing another example keeps them aside, to come back with the example.
   */
  private recordTrainedElsewhere(): void {
    if (!this.trainedElsewhere) return;
    this.trainedElsewhere = false;
    this.changed(S.histTrainBackground);
  }

  /**
   * After a change: the scene differs from the example now; the undo step is written once the
   * change is painted. Writing it copies the whole scene (about 35 ms for a 3x256x256 photo), so
   * it waits for the change to be on screen and is done before a next edit comes, instead of
   * landing inside that edit (begin() writes a step still pending). A brush stroke's cells are
   * one step, written once the stroke pauses.
   */
  private changed(label: string, stroke = false): void {
    const st = this.state;
    st.edited = st.presetId !== 'custom';
    this.pendingLabel = label;
    this.cancelCapture?.();
    const write = () => { this.flushHistory(); this.view?.renderChrome(); };
    if (stroke) {
      const timer = window.setTimeout(write, STROKE_PAUSE_MS);
      this.cancelCapture = () => clearTimeout(timer);
    } else {
      // a hidden tab paints nothing: then the timer writes it
      const cancelPaint = afterNextPaint(write);
      const timer = window.setTimeout(write, HIDDEN_TAB_MS);
      this.cancelCapture = () => { cancelPaint(); clearTimeout(timer); };
    }
  }

  /** Writes the pending change (or, the first time, the starting state) into the history now. */
  flushHistory(): void {
    this.cancelCapture?.();
    this.cancelCapture = null;
    if (this.pendingLabel === null && this.history.size > 0) return;
    const label = this.pendingLabel ?? '';
    this.pendingLabel = null;
    const e = this.entry(label);
    this.history.push(e);
    this.state.edited = this.differs(e);
    this.syncHistoryInfo();
  }

  private entry(label: string): HistoryEntry {
    const st = this.state;
    return { json: this.engine.sceneJson(), optimizer: this.engine.optimizerState(), presetId: st.presetId, curve: st.training.curve.slice(), switches: st.training.switches.slice(), label };
  }

  /** Whether `sceneJson` is the open example exactly as shipped (no edit, no training, same input and target). */
  isShipped(sceneJson: string): boolean {
    const presetId = this.state.presetId;
    return presetId !== 'custom' && this.originals.get(presetId) === sceneJson;
  }

  private differs(e: HistoryEntry): boolean {
    const original = this.originals.get(e.presetId);
    return e.presetId !== 'custom' && original !== undefined && original !== e.json;
  }

  private syncHistoryInfo(): void {
    const h = this.history;
    Object.assign(this.state.history, { canUndo: h.canUndo || this.pendingLabel !== null, canRedo: h.canRedo && this.pendingLabel === null, undoLabel: this.pendingLabel ?? h.undoLabel, redoLabel: h.redoLabel, dropped: h.dropped });
    this.state.kept = [...this.kept.keys()];
  }

  undo(): void {
    if (this.locked) return;
    this.begin();
    const e = this.history.undo();
    if (e) this.restore(e);
  }

  redo(): void {
    if (this.locked) return;
    this.begin();
    const e = this.history.redo();
    if (e) this.restore(e);
  }

  /** Shows a recorded state: model, optimizer state, example, curve; messages about the state left behind go. */
  private restore(e: HistoryEntry): void {
    const r = this.engine.load(e.json);
    if (!r.ok) return; // a state the core wrote itself: cannot happen, but never lose the current one
    // the rebuilt model's optimizer starts afresh: Adam's t and moments come back from the entry
    this.engine.setOptimizerState(e.optimizer);
    const st = this.state;
    st.presetId = e.presetId;
    const p = findPreset(e.presetId);
    const original = this.originals.get(e.presetId);
    if (p && original) st.presetResolved = scene.parseScene(original);
    st.scene = this.current();
    st.training.curve = e.curve.slice();
    st.training.switches = e.switches.slice();
    this.afterLoad();
    st.edited = this.differs(e);
    this.syncHistoryInfo();
    this.view.render();
  }

  /** Clears what belonged to the previous model (errors, selection, checks). */
  private afterLoad(): void {
    const st = this.state;
    st.restored = null; // the note stays while one works on the example it speaks of
    st.training.error = null;
    st.training.lrNote = null;
    st.beforeTraining = null;
    st.selection = null;
    st.layerErrors.clear();
    st.invalid.clear();
    st.gradCheck = null;
    this.slide(-1);
  }

  /** The live scene, including edits and training (the model is the source of truth). */
  current(): scene.Scene {
    return scene.parseScene(this.engine.sceneJson());
  }

  /**
   * Opens a scene (an example with its id, a file or link as 'custom', or without an id: the same
   * example, changed). One undo step; on failure nothing changes. `opened`: an example chosen
   * from the menu, drawn by renderOpened (a big network in a few steps).
   */
  loadScene(json: string, presetId?: string, label = S.histOpen, opened = false): Result<void> {
    this.begin();
    const given = json;
    // a chain of classic layers opens as the cards; any other graph as it is, in the overview
    json = scene.asChain(json) ?? json;
    const r = this.engine.load(json);
    if (!r.ok) return r;
    const st = this.state;
    const written = this.engine.sceneJson(); // once: the digits net's JSON takes tens of ms
    st.scene = scene.parseScene(written);
    if (presetId) {
      st.presetId = presetId;
      st.presetResolved = st.scene;
      const p = findPreset(presetId);
      if (p && p.json === given) this.originals.set(presetId, written);
    }
    st.training.curve = [];
    st.training.switches = [];
    this.afterLoad();
    this.changed(label);
    st.edited = presetId ? false : st.presetId !== 'custom';
    this.syncHistoryInfo();
    if (opened) this.view?.renderOpened();
    else this.view?.render();
    return r;
  }

  /**
   * Tries the edited scene, dropping parameters whose shapes may no longer fit. `placeNow`: for
   * an edit that reorders the layers (a move), the current place of the layer at a 0-based place
   * of `next`, so a refusal names the card as the reader sees it now.
   */
  private applyStructural(next: scene.Scene, edited: number, errorAt: number, label: string, invalidKey?: string, typed?: string,
                          placeNow?: (place: number) => number): boolean {
    this.begin();
    let error = '';
    const st = this.state;
    const optimizer = this.engine.optimizerState();
    for (const v of scene.variants(next, edited)) {
      const r = this.engine.load(JSON.stringify(v));
      if (r.ok) {
        st.layerErrors.clear();
        st.invalid.clear();
        this.structureChanged(optimizer, label);
        return true;
      }
      error = r.error;
      if (placeNow && r.code && typeof r.details?.layer === 'number') {
        error = wordError({ code: r.code, details: { ...r.details, layer: placeNow(r.details.layer - 1) + 1 } });
      }
    }
    st.layerErrors.set(errorAt, error);
    if (invalidKey) st.invalid.set(invalidKey, { text: typed ?? '', reason: error });
    this.view.render();
    return false;
  }

  /** Value edits: apply, clear stale messages, redraw. */
  private edit(r: Result<void>, errorAt: number, label: string, stroke = false): void {
    const st = this.state;
    st.layerErrors.clear();
    if (!r.ok) st.layerErrors.set(errorAt, r.error);
    else this.changed(label, stroke);
    st.beforeTraining = null;
    st.gradCheck = null;
    this.syncHistoryInfo();
    this.view.render();
  }

  point(sel: Selection): void {
    this.state.selection = sel;
    this.view.renderSelection();
  }

  pointCell(node: number, tensor: string, index: number): void {
    const snap = this.view.snapshot();
    // a node's input is the previous card's output (the network's input for the first node)
    const layer = tensor === 'input' ? node - 1 : node;
    const name = tensor === 'input' ? (layer < 0 ? 'input' : 'output') : tensor;
    const shape = layer < 0 ? snap.input.shape : snap.layers[layer]?.tensors.get(name)?.shape;
    if (!shape) return;
    const { size } = layoutOf(shape);
    this.point({ layer, tensor: name, sub: Math.floor(index / size), index: index % size });
  }

  clearSelection(): void {
    this.slide(-1);
    this.state.selection = null;
    this.view.renderSelection();
  }

  editInput(index: number, value: number, stroke = false): void {
    if (this.locked) return;
    // the cells of one brush stroke are one undo step: only its first cell starts a new one
    if (!stroke) this.begin();
    const data = this.view.snapshot().input.data.slice();
    data[index] = value;
    this.edit(this.engine.setInput(data), 0, S.histInput, stroke);
  }

  paintInput(index: number, first: boolean): void {
    if (this.locked) return;
    const data = this.view.snapshot().input.data;
    if (first) this.paintValue = this.state.brush === 'grey' ? this.state.brushValue : data[index] >= 0.5 ? 0 : 1;
    if (first) this.begin();
    if (data[index] !== this.paintValue) this.editInput(index, this.paintValue, true);
  }

  setInputPicture(values: Float32Array, normalize: { mean: number[]; std: number[] } | null): void {
    if (this.locked) return;
    this.begin();
    const cur = JSON.parse(this.engine.sceneJson()) as { input: { shape: number[]; data: unknown; normalize?: unknown } };
    if (normalize || cur.input.normalize !== undefined) {
      // the scaling is part of the scene: rebuilt with it (the model, its optimizer state, the curve stay)
      const input: Record<string, unknown> = { ...cur.input, data: Array.from(values) };
      if (normalize) input.normalize = { mean: normalize.mean, std: normalize.std };
      else delete input.normalize;
      const optimizer = this.engine.optimizerState();
      if (this.engine.load(JSON.stringify({ ...cur, input })).ok) {
        this.engine.setOptimizerState(optimizer);
        this.state.scene = this.current();
        this.state.selection = null;
        this.edit({ ok: true, value: undefined }, 0, S.histPicture);
        return;
      }
      // a scene the core refuses with it: the numbers alone
    }
    this.edit(this.engine.setInput(values), 0, S.histPicture);
  }

  randomInput(): void {
    if (this.locked) return;
    this.begin();
    const count = this.view.snapshot().input.data.length;
    // from the scene's seed: the same scene gives the same input every time
    const next = mulberry32(this.state.scene.seed ?? 0);
    const values = Float32Array.from({ length: count }, next);
    this.edit(this.engine.setInput(values), 0, S.histRandomInput);
  }

  editParam(layer: number, name: 'weight' | 'bias', index: number, value: number): void {
    if (this.locked) return;
    this.begin();
    this.edit(this.engine.setParamElement(layer, name, index, value), layer, S.histParam);
  }

  /** A parameter element of a graph scene's node (the overview's detail). */
  editNodeParam(id: string, name: string, index: number, value: number): void {
    if (this.locked) return;
    this.begin();
    this.edit(this.engine.setNodeParamElement(id, name, index, value), 0, S.histParam);
  }

  /**
   * A structural edit of a graph scene (web/src/graphEdit.ts): `edit` turns the current scene into
   * the next, which becomes one undo step. Parameters the core finds the wrong size (the node's
   * settings or input changed) are dropped, node by node, for it to draw afresh; if it still
   * refuses the scene, nothing changes and its reason (in the reader's language) is returned.
   */
  editGraph(edit: (scene: Record<string, unknown>) => Record<string, unknown>, label: string): Result<void> {
    if (this.locked) return { ok: false, error: '' };
    this.begin();
    const next = edit(JSON.parse(this.engine.sceneJson()) as Record<string, unknown>);
    const nodes = (Array.isArray(next.nodes) ? next.nodes : []) as Record<string, unknown>[];
    const tensors = new Map(this.engine.module.layerKinds().map((k) => [k.type, k.tensors]));
    const optimizer = this.engine.optimizerState();
    for (let tries = 0; ; tries++) {
      const r = this.engine.load(JSON.stringify(next));
      if (r.ok) break;
      const node = r.code === 'tensor_size' ? nodes.find((n) => n.id === r.node) : undefined;
      const names = (node && tensors.get(String(node.type))?.filter((t) => t in node)) ?? [];
      if (!node || !names.length || tries > nodes.length) return r;
      for (const t of names) delete node[t];
    }
    this.structureChanged(optimizer, label);
    return { ok: true, value: undefined };
  }

  /**
   * After a structural edit the core accepted (a chain's layers or a graph's nodes): one undo
   * step, redrawn. Every parameter that kept its name and size keeps its optimizer state, as
   * PyTorch's would; the others start afresh (the core refuses the rest). The core's new model
   * starts counting again, while the page's curve goes on (same scene, changed).
   */
  private structureChanged(optimizer: OptimizerState, label: string): void {
    this.engine.setOptimizerState(optimizer);
    const st = this.state;
    st.scene = this.current();
    st.selection = null;
    st.gradCheck = null;
    st.beforeTraining = null;
    this.slide(-1);
    this.changed(label);
    this.syncHistoryInfo();
    this.view.render();
  }

  /** A graph scene in train or eval mode (batch norm's statistics, dropout): the same network, rebuilt. */
  setSceneMode(mode: 'train' | 'eval'): void {
    if (this.locked) return;
    const cur = JSON.parse(this.engine.sceneJson()) as Record<string, unknown>;
    if ((cur.mode ?? 'train') === mode) return;
    this.loadScene(JSON.stringify({ ...cur, mode }), undefined, S.ovHistMode(mode));
  }

  editTarget(index: number, value: number): void {
    if (this.locked) return;
    this.begin();
    const t = Array.from(this.view.snapshot().target);
    t[index] = value;
    this.edit(this.engine.setTarget(t), this.state.scene.layers.length, S.histTarget);
  }

  setTargetClass(k: number): void {
    if (this.locked) return;
    this.begin();
    this.edit(this.engine.setTarget(k), this.state.scene.layers.length, S.histTarget);
  }

  setSetting(layer: number, key: string, text: string): void {
    if (this.locked) return;
    const invalidKey = `${layer}:${key}`;
    const value = key === 'out_channels' || key === 'out_features' || key === 'negative_slope' || key === 'groups' ? parseNumber(text) : scene.parseSize(text);
    if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
      // the typed text stays in its field, marked, and training waits until it is fixed
      this.stopTraining();
      this.state.layerErrors.set(layer, S.invalidNumber(text));
      this.state.invalid.set(invalidKey, { text, reason: S.invalidNumber(text) });
      this.view.render();
      return;
    }
    const cur = this.current();
    if (JSON.stringify(cur.layers[layer]?.[key as keyof scene.LayerSpec]) === JSON.stringify(value) && !this.state.layerErrors.has(layer) && !this.state.invalid.has(invalidKey)) return;
    // more or fewer filters: the ones that remain keep their (perhaps edited) weights; a count
    // outside the core's range goes to the core as it is, for its message, without building
    // weights for it first (1e9 filters would hold the page for seconds, then fail in JS)
    const next = (key === 'out_channels' || key === 'out_features') && typeof value === 'number' && Number.isInteger(value) && value >= 1 &&
      value <= this.fieldMax(cur.layers[layer]?.type, key)
      ? scene.resizeOutputs(cur, layer, value)
      : scene.withSetting(cur, layer, key as keyof scene.LayerSpec, value);
    this.applyStructural(next, layer, layer, S.histSetting(S.settingNames[key] ?? key), invalidKey, text);
  }

  /** The largest value the core's registry allows for a layer kind's field (Infinity when it names none). */
  private fieldMax(type: string | undefined, field: string): number {
    const info = this.engine.module.layerKinds().find((k) => k.type === type)?.fields.find((f) => f.name === field);
    return info?.max ?? Infinity;
  }

  setLayerType(layer: number, type: string): void {
    if (this.locked) return;
    this.applyStructural(scene.withType(this.current(), layer, type), layer, layer, S.histType);
  }

  insertLayer(pos: number, type: string): void {
    if (this.locked) return;
    const n = this.state.scene.layers.length;
    this.applyStructural(scene.insertLayer(this.current(), pos, type), pos, Math.min(pos, n - 1), S.histInsert);
  }

  removeLayer(layer: number): void {
    if (this.locked) return;
    this.applyStructural(scene.removeLayer(this.current(), layer), layer, layer, S.histRemove);
  }

  moveLayer(layer: number, delta: -1 | 1): void {
    if (this.locked) return;
    // the refusal names the cards in their order before the move
    const swapped = (place: number) => (place === layer ? layer + delta : place === layer + delta ? layer : place);
    this.applyStructural(scene.moveLayer(this.current(), layer, delta), Math.min(layer, layer + delta), layer, S.histMove, undefined, undefined, swapped);
  }

  randomiseLayer(layer: number): void {
    if (this.locked) return;
    this.applyStructural(scene.randomiseLayer(this.current(), layer), layer, layer, S.histRandomise);
  }

  setKernelPreset(layer: number, id: KernelId): void {
    if (this.locked) return;
    const snap = this.view.snapshot().layers[layer];
    const w = snap?.tensors.get('weight');
    const b = snap?.tensors.get('bias');
    if (snap?.type !== 'conv2d' || !w || w.shape.length !== 4 || w.shape[2] !== w.shape[3]) return;
    const weight = presetWeight(id, w.shape[2], w.shape[0], w.shape[1]);
    if (!weight) return;
    this.begin();
    const r = this.engine.setParam(layer, 'weight', weight);
    this.edit(r.ok && b ? this.engine.setParam(layer, 'bias', new Array(b.data.length).fill(0)) : r, layer, S.histKernel(S.kernelNames[id]));
  }

  resetLayer(layer: number): void {
    if (this.locked) return;
    const want = this.state.presetResolved.layers[layer];
    const snap = this.view.snapshot().layers[layer];
    const fits = (name: 'weight' | 'bias') => want?.[name] && snap?.tensors.get(name)?.data.length === want[name]!.length;
    if (!want || want.type !== snap?.type || !fits('weight') || !fits('bias')) {
      this.state.layerErrors.set(layer, S.resetUnavailable);
      this.view.render();
      return;
    }
    this.begin();
    const r = this.engine.setParam(layer, 'weight', want.weight!);
    this.edit(r.ok ? this.engine.setParam(layer, 'bias', want.bias!) : r, layer, S.histReset);
  }

  setMode(mode: ViewMode): void {
    if (this.state.scene.loss === 'none' && mode !== 'values') return; // no gradients without a loss
    this.state.mode = mode;
    this.view.render();
  }

  /**
   * Opens an example. Edits to the one left are kept aside and come back when it is chosen
   * again (`original` or choosing the open example again starts from the example itself).
   */
  loadPreset(id: string, opts: { original?: boolean } = {}): void {
    if (this.locked) return;
    this.loading = null;
    this.begin();
    const st = this.state;
    if (id !== st.presetId && (st.edited || st.presetId === 'custom')) this.kept.set(st.presetId, this.history.current ?? this.entry(''));
    const back = opts.original || id === st.presetId ? undefined : this.kept.get(id);
    if (opts.original) this.kept.delete(id);
    if (back) {
      this.kept.delete(id);
      this.restore({ ...back, label: S.histExample });
      this.changed(S.histExample);
      st.edited = this.differs(back);
      st.restored = id;
      this.syncHistoryInfo();
      this.view.renderChrome();
      return;
    }
    const p = findPreset(id);
    if (p?.load && !p.json) void this.loadLater(p);
    else if (p && this.view.openingInSteps?.(p.json)) {
      // building the core's model and writing its scene out take a few tens of ms for the
      // Digits network: in a task of their own, after the "building" note is painted
      this.stopOpening = afterNextPaint(() => {
        this.stopOpening = null;
        this.loadScene(p.json, id, S.histExample, true);
      });
    } else if (p) this.loadScene(p.json, id, S.histExample, true);
  }

  /** cancels an example's opening queued for after the next paint (null: none) */
  private stopOpening: (() => void) | null = null;

  /** the example being built (a photo being fetched); another choice meanwhile wins */
  private loading: string | null = null;

  /**
   * Opens an example whose scene is built when first chosen (the photo example fetches its
   * photo). The current work stays on screen until it is ready; a note says what it had to do
   * instead, if anything (no photo: a drawn picture).
   */
  private async loadLater(p: Preset): Promise<void> {
    this.loading = p.id;
    this.view.notify?.(S.openingExample, 'info');
    const built = await p.load!();
    if (this.loading !== p.id || this.lifetime.signal.aborted) return;
    this.loading = null;
    p.json ||= built.json;
    this.view.notify?.(built.notice ?? null, 'warn');
    this.loadScene(p.json, p.id, S.histExample, true);
  }

  /** The open example as shipped (its edits stay reachable with Undo). */
  loadOriginal(): void {
    if (this.state.presetId !== 'custom') this.loadPreset(this.state.presetId, { original: true });
  }

  setBrush(brush: Brush): void {
    if (this.locked) return;
    this.state.brush = brush;
    this.view.render();
  }

  setBrushValue(v: number): void {
    this.state.brushValue = v;
  }

  setLoss(loss: 'mse' | 'cross_entropy' | 'none'): void {
    if (this.locked) return;
    const size = this.view.snapshot().outputShape.reduce((a, b) => a * b, 1);
    const n = this.state.scene.layers.length;
    this.applyStructural(scene.withLoss(this.current(), loss, size), n, n, S.histLoss);
  }

  /**
   * Another optimizer, with a learning rate that suits it (Adam's normalised steps want ~0.01;
   * SGD's 0.5 would make Adam jump about). The curve marks where the switch happened.
   */
  setOptimizer(kind: 'sgd' | 'momentum' | 'adam'): void {
    if (this.locked) return;
    this.begin();
    const st = this.state;
    const now = this.view.snapshot().optimizer;
    const was = now.type !== 'sgd' ? 'adam' : now.momentum > 0 ? 'momentum' : 'sgd';
    if (was === kind) return;
    // back to the example's own rate when it used this optimizer, else a usual one
    const own = st.presetResolved.optimizer as { type?: string; lr?: number; momentum?: number } | undefined;
    const ownKind = own?.type === 'adam' ? 'adam' : (own?.momentum ?? 0) > 0 ? 'momentum' : 'sgd';
    const lr = own && ownKind === kind && typeof own.lr === 'number' ? own.lr : PROPOSED_LR[kind];
    const settings = kind === 'adam' ? { type: 'adam', lr } : { type: 'sgd', lr, momentum: kind === 'momentum' ? 0.9 : 0 };
    const r = this.engine.setOptimizer(settings);
    st.training.error = r.ok ? null : r.error;
    if (r.ok) {
      st.invalid.delete('lr');
      const name = kind === 'adam' ? S.optAdam : kind === 'momentum' ? S.optMomentum : S.optSgd;
      st.training.lrNote = S.lrProposed(name, String(lr));
      if (st.training.curve.length) st.training.switches.push({ at: st.training.curve.length, kind });
      this.changed(S.histOptimizer);
    }
    this.syncHistoryInfo();
    this.view.render();
  }

  setLearningRate(text: string): void {
    if (this.locked) return;
    const st = this.state;
    const lr = parseNumber(text);
    if (Number.isNaN(lr)) {
      this.stopTraining();
      st.invalid.set('lr', { text, reason: S.invalidNumber(text) });
      st.training.error = S.invalidNumber(text);
      this.view.render();
      return;
    }
    this.begin();
    const r = this.engine.setOptimizer({ ...this.view.snapshot().optimizer, lr });
    st.training.error = r.ok ? null : r.error;
    if (r.ok) {
      st.invalid.delete('lr');
      st.training.lrNote = null;
      this.changed(S.histLr);
    } else {
      st.invalid.set('lr', { text, reason: r.error });
    }
    this.syncHistoryInfo();
    this.view.render();
  }

  setStepsPerFrame(n: number): void {
    const t = this.state.training;
    t.stepsPerFrame = Math.max(1, Math.min(1000, Math.round(n) || 1));
    t.adaptiveSteps = t.stepsPerFrame;
    this.view.render();
  }

  /** Why training can't start now (a typed setting the model does not have), or null. */
  trainingBlocked(): string | null {
    if (this.state.scene.loss === 'none') return S.trainBlockedNoLoss;
    const bad = [...this.state.invalid.keys()][0];
    if (bad === undefined) return null;
    if (bad === 'lr') return S.trainBlockedLr(this.state.invalid.get('lr')!.reason);
    const [layer, key] = bad.split(':');
    const i = Number(layer);
    const type = this.state.scene.layers[i]?.type ?? '';
    return S.trainBlocked(S.layerTitle(i, S.layerNames[type] ?? type), S.settingNames[key] ?? key);
  }

  private train(n: number): boolean {
    const st = this.state;
    if (st.beforeTraining === null) {
      st.beforeTraining = this.engine.sceneJson();
      this.beforeTrainingOptimizer = this.engine.optimizerState();
      this.beforeTrainingCurve = st.training.curve.length;
    }
    const r = this.engine.train(n);
    st.gradCheck = null;
    if (!r.ok) {
      st.training.error = S.diverged(r.error);
      this.stopTraining();
      return false;
    }
    for (const loss of r.value) st.training.curve.push(loss);
    st.training.error = null;
    return true;
  }

  step(): void {
    this.begin();
    if (this.trainingBlocked()) { this.view.render(); return; }
    const before = this.state.training.curve.length;
    this.train(1);
    if (this.state.training.curve.length > before) this.changed(S.histTrain(1));
    this.syncHistoryInfo();
    this.view.render();
  }

  toggleRun(): void {
    const t = this.state.training;
    if (t.running) { this.stopTraining(); this.syncHistoryInfo(); this.view.render(); return; }
    this.begin();
    if (this.trainingBlocked()) { this.view.render(); return; }
    this.runStart = t.curve.length;
    t.running = true;
    t.adaptiveSteps = t.stepsPerFrame;
    const frame = () => {
      if (!t.running) return;
      const t0 = performance.now();
      const ok = this.train(t.adaptiveSteps);
      const trainMs = performance.now() - t0;
      this.view.render();
      t.lastFrameMs = performance.now() - t0;
      // keep a frame (steps + redraw) under ~12 ms so the page stays smooth
      if (t.lastFrameMs > 12 && t.adaptiveSteps > 1) t.adaptiveSteps = Math.max(1, Math.floor(t.adaptiveSteps * 0.7));
      else if (t.lastFrameMs < 8 && trainMs < 6 && t.adaptiveSteps < t.stepsPerFrame) t.adaptiveSteps++;
      if (ok && t.running) requestAnimationFrame(frame);
    };
    this.view.render();
    requestAnimationFrame(frame);
  }

  /** Stops training, the slide show and pending history writes, removes the views' page-wide listeners and frees the Model. */
  dispose(): void {
    this.state.training.running = false;
    clearInterval(this.slideTimer);
    this.cancelCapture?.();
    this.cancelCapture = null;
    this.stopOpening?.();
    this.lifetime.abort();
    this.engine.dispose();
  }

  /** Ends a Run; the steps it took become one undo step. */
  private stopTraining(): void {
    const t = this.state.training;
    if (!t.running) return;
    t.running = false;
    const steps = t.curve.length - this.runStart;
    if (steps > 0) this.changed(S.histTrain(steps));
  }

  resetTraining(): void {
    if (this.state.beforeTraining === null) return;
    const before = this.state.beforeTraining;
    const curve = this.state.training.curve.slice(0, this.beforeTrainingCurve);
    const switches = this.state.training.switches.filter((s) => s.at <= this.beforeTrainingCurve);
    const keepMode = this.state.mode;
    this.loadScene(before, undefined, S.histResetTraining);
    if (this.beforeTrainingOptimizer) this.engine.setOptimizerState(this.beforeTrainingOptimizer);
    this.state.training.curve = curve;
    this.state.training.switches = switches;
    this.state.mode = keepMode;
    this.view.render();
  }

  /** A change made to the model outside these actions (the digits trainer): one undo step. */
  noteChange(label: string): void {
    this.flushHistory();
    this.changed(label);
    this.syncHistoryInfo();
  }

  /** The loss chart's scale: log or linear (the person's choice wins over the automatic one). */
  setLogScale(on: boolean): void {
    this.state.training.logScale = on;
    this.view.render();
  }

  gradientCheck(): void {
    const r = this.engine.gradientCheck();
    this.state.gradCheck = r.ok ? { rows: r.value } : { error: r.error };
    this.view.render();
  }

  // ---------------------------------------------------------------- a data set's dashboard
  // The Digits and Fashion dashboards (web/src/digits) set the input, the target and the weights
  // their worker trained many times a second: no undo step and no redraw here (the dashboard
  // redraws on its own schedule), as when the dashboard wrote to the engine itself.

  /** A drawing or a picked image as the network's input. */
  showDataSample(values: ArrayLike<number>): Result<void> {
    return this.engine.setInput(values);
  }

  /** The class the loss aims at (the predicted or the chosen one). */
  aimAtClass(k: number): Result<void> {
    return this.engine.setTarget(k);
  }

  /**
   * The worker's trained weights, layer by layer; stops at the first layer that does not take
   * them (the page's network changed shape meanwhile) and returns false.
   */
  adoptTrainedParams(params: readonly { layer: number; weight: ArrayLike<number>; bias: ArrayLike<number> }[]): boolean {
    const m = this.engine.reader;
    // the same values (a progress message after no step): nothing to take, nothing to record
    const same = (layer: number, name: 'weight' | 'bias', values: ArrayLike<number>) => {
      try { return sameValues(m.view(layer, name), values); } catch { return false; } // not a layer with this tensor now: setParam says so
    };
    for (const p of params) {
      if (same(p.layer, 'weight', p.weight) && same(p.layer, 'bias', p.bias)) continue;
      const r = this.engine.setParam(p.layer, 'weight', p.weight);
      if (!r.ok || !this.engine.setParam(p.layer, 'bias', p.bias).ok) return false;
      this.trainedElsewhere = true;
    }
    return true;
  }

  /** The guided lesson's step (null when closed); the lesson itself lives in web/src/lesson. */
  setLesson(step: number | null): void {
    this.state.lesson = step;
    this.view.render();
  }

  /** Starts (layer >= 0) or stops (-1) stepping a conv kernel across its input. */
  slide(layer: number): void {
    clearInterval(this.slideTimer);
    this.slideTimer = 0;
    const st = this.state;
    if (layer < 0) { st.slide = null; this.view?.renderSelection(); return; }
    const playing = !reducedMotion();
    st.slide = { layer, playing };
    st.selection = { layer, tensor: 'output', sub: 0, index: 0 };
    if (playing) this.slideTimer = window.setInterval(() => this.slideStep(1), 900);
    this.view.renderSelection();
  }

  slideStep(delta: number): void {
    const st = this.state;
    if (!st.slide) return;
    const out = this.view.snapshot().layers[st.slide.layer]?.tensors.get('output');
    if (!out) return this.slide(-1);
    const [c, h, w] = out.shape;
    const sel = st.selection?.layer === st.slide.layer && st.selection.tensor === 'output' ? st.selection : { layer: st.slide.layer, tensor: 'output', sub: 0, index: 0 };
    const total = c * h * w;
    const flat = (sel.sub * h * w + sel.index + delta + total) % total;
    st.selection = { layer: st.slide.layer, tensor: 'output', sub: Math.floor(flat / (h * w)), index: flat % (h * w) };
    this.view.renderSelection();
  }
}
