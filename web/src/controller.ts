// Implements every user action: edits go to the engine, results and errors into the state,
// then one redraw. Architecture edits build a new scene and keep the old model on failure.
import type { Actions } from './actions';
import type { Engine, Result, Snapshot } from './engine';
import { parseNumber } from './format';
import { findPreset } from './presets';
import * as scene from './scene';
import type { Brush, Selection, UIState, ViewMode } from './state';
import { S } from './strings';

export interface Renderer {
  render(): void;
  renderSelection(): void;
  snapshot(): Snapshot;
}

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

export class Controller implements Actions {
  view!: Renderer;
  /** Read-only (embeds): the scene can't be edited; hover, explanations, view and training still work. */
  locked = false;
  private paintValue = 1;
  private slideTimer = 0;

  constructor(readonly engine: Engine, readonly state: UIState) {}

  /** The live scene, including edits and training (the model is the source of truth). */
  current(): scene.Scene {
    return scene.parseScene(this.engine.sceneJson());
  }

  loadScene(json: string, presetId?: string): Result<void> {
    const r = this.engine.load(json);
    if (!r.ok) return r;
    const st = this.state;
    st.scene = this.current();
    if (presetId) { st.presetId = presetId; st.presetResolved = st.scene; }
    this.stopTraining();
    st.training.error = null;
    st.beforeTraining = null;
    st.selection = null;
    st.layerErrors.clear();
    st.gradCheck = null;
    this.slide(-1);
    this.view?.render();
    return r;
  }

  /** Tries the edited scene, dropping parameters whose shapes may no longer fit. */
  private applyStructural(next: scene.Scene, edited: number, errorAt: number): void {
    this.stopTraining();
    let error = '';
    for (const v of scene.variants(next, edited)) {
      const r = this.engine.load(JSON.stringify(v));
      if (r.ok) {
        const st = this.state;
        st.scene = this.current();
        st.layerErrors.clear();
        st.selection = null;
        st.gradCheck = null;
        st.beforeTraining = null;
        this.slide(-1);
        this.view.render();
        return;
      }
      error = r.error;
    }
    this.state.layerErrors.set(errorAt, error);
    this.view.render();
  }

  /** Value edits: apply, clear stale messages, redraw. */
  private edit(r: Result<void>, errorAt: number): void {
    const st = this.state;
    st.layerErrors.clear();
    if (!r.ok) st.layerErrors.set(errorAt, r.error);
    st.beforeTraining = null;
    st.gradCheck = null;
    this.view.render();
  }

  point(sel: Selection): void {
    this.state.selection = sel;
    this.view.renderSelection();
  }

  clearSelection(): void {
    this.slide(-1);
    this.state.selection = null;
    this.view.renderSelection();
  }

  editInput(index: number, value: number): void {
    if (this.locked) return;
    const data = this.view.snapshot().input.data.slice();
    data[index] = value;
    this.edit(this.engine.setInput(data), 0);
  }

  paintInput(index: number, first: boolean): void {
    if (this.locked) return;
    const data = this.view.snapshot().input.data;
    if (first) this.paintValue = this.state.brush === 'grey' ? this.state.brushValue : data[index] >= 0.5 ? 0 : 1;
    if (data[index] !== this.paintValue) this.editInput(index, this.paintValue);
  }

  editParam(layer: number, name: 'weight' | 'bias', index: number, value: number): void {
    if (this.locked) return;
    this.edit(this.engine.setParamElement(layer, name, index, value), layer);
  }

  editTarget(index: number, value: number): void {
    if (this.locked) return;
    const t = Array.from(this.view.snapshot().target);
    t[index] = value;
    this.edit(this.engine.setTarget(t), this.state.scene.layers.length);
  }

  setTargetClass(k: number): void {
    if (this.locked) return;
    this.edit(this.engine.setTarget(k), this.state.scene.layers.length);
  }

  setSetting(layer: number, key: string, text: string): void {
    if (this.locked) return;
    const value = key === 'out_channels' || key === 'out_features' || key === 'negative_slope' ? parseNumber(text) : scene.parseSize(text);
    if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
      this.state.layerErrors.set(layer, S.invalidNumber(text));
      this.view.render();
      return;
    }
    const cur = this.current();
    if (JSON.stringify(cur.layers[layer]?.[key as keyof scene.LayerSpec]) === JSON.stringify(value) && !this.state.layerErrors.has(layer)) return;
    this.applyStructural(scene.withSetting(cur, layer, key as keyof scene.LayerSpec, value), layer, layer);
  }

  setLayerType(layer: number, type: string): void {
    if (this.locked) return;
    this.applyStructural(scene.withType(this.current(), layer, type), layer, layer);
  }

  insertLayer(pos: number, type: string): void {
    if (this.locked) return;
    const n = this.state.scene.layers.length;
    this.applyStructural(scene.insertLayer(this.current(), pos, type), pos, Math.min(pos, n - 1));
  }

  removeLayer(layer: number): void {
    if (this.locked) return;
    this.applyStructural(scene.removeLayer(this.current(), layer), layer, layer);
  }

  moveLayer(layer: number, delta: -1 | 1): void {
    if (this.locked) return;
    this.applyStructural(scene.moveLayer(this.current(), layer, delta), Math.min(layer, layer + delta), layer);
  }

  randomiseLayer(layer: number): void {
    if (this.locked) return;
    this.applyStructural(scene.randomiseLayer(this.current(), layer), layer, layer);
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
    const r = this.engine.setParam(layer, 'weight', want.weight!);
    this.edit(r.ok ? this.engine.setParam(layer, 'bias', want.bias!) : r, layer);
  }

  setMode(mode: ViewMode): void {
    this.state.mode = mode;
    this.view.render();
  }

  loadPreset(id: string): void {
    if (this.locked) return;
    const p = findPreset(id);
    if (p) this.loadScene(p.json, id);
  }

  setBrush(brush: Brush): void {
    if (this.locked) return;
    this.state.brush = brush;
    this.view.render();
  }

  setBrushValue(v: number): void {
    this.state.brushValue = v;
  }

  setLoss(loss: 'mse' | 'cross_entropy'): void {
    if (this.locked) return;
    const size = this.view.snapshot().outputShape.reduce((a, b) => a * b, 1);
    const n = this.state.scene.layers.length;
    this.applyStructural(scene.withLoss(this.current(), loss, size), n, n);
  }

  setOptimizer(kind: 'sgd' | 'momentum' | 'adam'): void {
    if (this.locked) return;
    const lr = this.view.snapshot().optimizer.lr;
    const settings = kind === 'adam' ? { type: 'adam', lr } : { type: 'sgd', lr, momentum: kind === 'momentum' ? 0.9 : 0 };
    this.trainingResult(this.engine.setOptimizer(settings));
  }

  setLearningRate(text: string): void {
    if (this.locked) return;
    const lr = parseNumber(text);
    if (Number.isNaN(lr)) return this.trainingResult({ ok: false, error: S.invalidNumber(text) });
    this.trainingResult(this.engine.setOptimizer({ ...this.view.snapshot().optimizer, lr }));
  }

  private trainingResult(r: Result<unknown>): void {
    this.state.training.error = r.ok ? null : r.error;
    this.view.render();
  }

  setStepsPerFrame(n: number): void {
    const t = this.state.training;
    t.stepsPerFrame = Math.max(1, Math.min(1000, Math.round(n) || 1));
    t.adaptiveSteps = t.stepsPerFrame;
    this.view.render();
  }

  private train(n: number): boolean {
    const st = this.state;
    st.beforeTraining ??= this.engine.sceneJson();
    const r = this.engine.train(n);
    st.gradCheck = null;
    if (!r.ok) {
      st.training.error = S.diverged(r.error);
      st.training.running = false;
      return false;
    }
    st.training.error = null;
    return true;
  }

  step(): void {
    this.stopTraining();
    this.train(1);
    this.view.render();
  }

  toggleRun(): void {
    const t = this.state.training;
    if (t.running) { this.stopTraining(); this.view.render(); return; }
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

  private stopTraining(): void {
    this.state.training.running = false;
  }

  resetTraining(): void {
    const before = this.state.beforeTraining ?? this.engine.sceneJson();
    const keepMode = this.state.mode;
    this.loadScene(before);
    this.state.mode = keepMode;
    this.view.render();
  }

  gradientCheck(): void {
    const r = this.engine.gradientCheck();
    this.state.gradCheck = r.ok ? { rows: r.value } : { error: r.error };
    this.view.render();
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
