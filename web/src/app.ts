// Builds the page and runs the single "read everything, redraw" pass after every change.
import { Controller, type Renderer } from './controller';
import type { Engine, Snapshot } from './engine';
import { baseMarks, explain, type Explanation, type MarkGroup } from './explain';
import { MatrixView } from './views/matrix';
import type { UIState } from './state';
import { S } from './strings';
import { onThemeToggle } from './theme';
import { h } from './views/dom';
import { GradCheckPanel } from './views/gradCheckPanel';
import { Header } from './views/header';
import { Inspector } from './views/inspector';
import { Pipeline } from './views/pipeline';
import { TrainingPanel } from './views/trainingPanel';
import { GraphView } from './views/overview/graphView';
import { isGraph } from './scene';
import { explainGraphCell, type GraphCellRef } from './explainRecord';

export class App implements Renderer {
  readonly controller: Controller;
  /** duration of the last full redraw, for tests and curious course authors */
  lastRenderMs = 0;
  private snap: Snapshot | null = null;
  /** the ReLU-mask and max-pool-winner marks of `snap`, built once per snapshot */
  private snapMarks: MarkGroup[] | null = null;
  private selectionQueued = false;
  private renderStart = -1;
  /** Called after every full redraw (embed modes post their height, keep inputs disabled). */
  private readonly renderListeners: (() => void)[] = [];
  private readonly cardListeners: (() => void)[] = [];
  /** Called whenever the scene's name may have changed (the page's document title follows). */
  private readonly labelListeners: (() => void)[] = [];
  private readonly header: Header;
  private readonly pipeline: Pipeline;
  private readonly inspector: Inspector;
  private readonly training: TrainingPanel;
  private readonly gradCheck: GradCheckPanel;
  /** a graph scene's overview and node detail (the pipeline of cards draws chains) */
  readonly graphView: GraphView;
  /** the cell pointed at in a graph node's detail (graph scenes have no layer Selection) */
  private graphCell: GraphCellRef | null = null;

  constructor(private readonly root: HTMLElement, engine: Engine, readonly state: UIState) {
    this.controller = new Controller(engine, state);
    this.controller.view = this;
    const a = this.controller;
    this.header = new Header(a);
    this.pipeline = new Pipeline(a, () => this.state);
    this.pipeline.onGrow = () => {
      this.renderSelection();
      for (const listener of this.cardListeners) listener();
    };
    const kinds = new Map(engine.module.layerKinds().map((k) => [k.type, k.title]));
    this.graphView = new GraphView(a, () => engine.reader, (type) => S.layerNames[type] ?? kinds.get(type) ?? type, () => a.locked);
    this.graphView.el.hidden = true;
    this.graphView.onPoint = (ref) => { this.graphCell = ref; this.renderSelection(); };
    this.inspector = new Inspector(a);
    this.training = new TrainingPanel(a);
    this.gradCheck = new GradCheckPanel(a);
    root.replaceChildren(
      this.header.el,
      this.header.tools,
      h('main', { class: 'layout' },
        h('section', { class: 'network', 'aria-label': S.networkLabel }, this.pipeline.el, this.graphView.el),
        h('aside', { class: 'side', 'aria-label': S.sidePanels }, this.inspector.el, this.training.el, this.gradCheck.el)));
    // the theme toggle (views/header.ts): matrices and the chart redraw with the new colours
    onThemeToggle(a.lifetime, () => this.render());
    // the side panel sticks just under the header bar, however many rows the bar wraps to
    if (typeof ResizeObserver !== 'undefined') {
      const bar = new ResizeObserver(() => root.style.setProperty('--header-bar', `${this.header.el.offsetHeight}px`));
      bar.observe(this.header.el);
      a.lifetime.signal.addEventListener('abort', () => bar.disconnect());
    }
  }

  snapshot(): Snapshot {
    return (this.snap ??= this.controller.engine.snapshot(!isGraph(this.state.scene)));
  }

  /** Redraws everything; the selection, marks and heatmaps follow before the task ends (settle). */
  render(): void {
    if (this.renderStart < 0) this.renderStart = performance.now();
    // queued before the matrices queue their own heatmap draws, so marks and numbers are drawn together
    this.renderSelection();
    const graph = isGraph(this.state.scene);
    this.snap = this.controller.engine.snapshot(!graph);
    this.snapMarks = null;
    this.pipeline.el.hidden = graph;
    this.graphView.el.hidden = !graph;
    if (graph) this.graphView.render(this.state);
    else this.pipeline.render(this.snap, this.state);
    this.renderChrome();
    this.gradCheck.render(this.state);
    for (const listener of this.renderListeners) listener();
    for (const listener of this.cardListeners) listener();
  }

  /** The header, history buttons and training panel: what a change to the history alone changes. */
  renderChrome(): void {
    this.header.render(this.state);
    this.training.render(this.snapshot(), this.state);
    for (const listener of this.labelListeners) listener();
  }

  /** The view is gone (a removed <cnn-lens>): everything stops and the Model is freed. */
  dispose(): void {
    this.controller.dispose();
    MatrixView.release(this.root);
  }

  onLabels(listener: () => void): void {
    this.labelListeners.push(listener);
  }

  onRender(listener: () => void): void {
    this.renderListeners.push(listener);
  }

  /**
   * After every render and whenever the pipeline adds cards it built later (a big network is
   * built over several frames): for whatever decorates or locks the cards' controls.
   */
  onCards(listener: () => void): void {
    this.cardListeners.push(listener);
  }

  /** Resolves when the network's cards are all built (a big one takes a few frames). */
  whenBuilt(): Promise<void> {
    return this.pipeline.whenBuilt();
  }

  /**
   * Highlights and the explanation (hover/focus moves), from the last snapshot. One task often
   * asks several times (Enter commits, redraws and moves to the next cell), so the work is done
   * once, for the last selection, in a microtask: still before the browser paints.
   */
  renderSelection(): void {
    if (this.selectionQueued) return;
    this.selectionQueued = true;
    queueMicrotask(() => this.settle(MatrixView.FRAME_BUDGET_MS));
  }

  /** Finishes pending drawing now (the explanation, highlights and heatmaps); idempotent. */
  settle(budgetMs = Infinity): void {
    if (budgetMs === Infinity) this.pipeline.finishBuild();
    if (this.selectionQueued) {
      this.selectionQueued = false;
      this.drawSelection();
    }
    MatrixView.drawPending(budgetMs);
    if (this.renderStart >= 0) {
      this.lastRenderMs = performance.now() - this.renderStart;
      this.renderStart = -1;
    }
  }

  private drawSelection(): void {
    const snap = this.snapshot();
    let ex: Explanation | null = null;
    const sel = this.state.selection;
    const graph = isGraph(this.state.scene);
    // the pointed cell stays explained while its node's detail is open
    if (graph && this.graphCell && this.graphView.openId !== null) {
      try {
        ex = explainGraphCell(this.controller.engine, this.graphCell);
      } catch {
        ex = null;
      }
    } else if (!graph) this.graphCell = null;
    if (sel && !graph) {
      try {
        ex = explain(this.controller.engine, snap, sel, this.state.mode, this.state.scene.loss);
      } catch {
        ex = null; // a selection left over from another network: just show nothing
      }
    }
    if (!graph) this.pipeline.applyMarks((this.snapMarks ??= baseMarks(snap)), ex?.marks ?? []);
    this.inspector.render(ex, this.state);
  }
}
