// Builds the page and runs the single "read everything, redraw" pass after every change.
import { afterNextPaint } from './afterPaint';
import { showNotice } from './share/notice';
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
import type { GraphView } from './views/overview/graphView';
import { asChain, isGraph, parseScene } from './scene';
import type { GraphCellRef } from './explainRecord';

export class App implements Renderer {
  readonly controller: Controller;
  /** duration of the last full redraw, for tests and curious course authors */
  lastRenderMs = 0;
  private snap: Snapshot | null = null;
  /** a snapshot taken ahead of the next render (opening a big network), with the engine's version then */
  private early: { snap: Snapshot; version: number } | null = null;
  /** the ReLU-mask and max-pool-winner marks of `snap`, built once per snapshot */
  private snapMarks: MarkGroup[] | null = null;
  private selectionQueued = false;
  private renderStart = -1;
  /** Called after every full redraw (embed modes post their height, keep inputs disabled). */
  private readonly renderListeners: (() => void)[] = [];
  private readonly cardListeners: (() => void)[] = [];
  /** Called whenever the scene's name may have changed (the page's document title follows). */
  private readonly labelListeners: (() => void)[] = [];
  private readonly openListeners: (() => (() => void)[] | void)[] = [];
  /** what is left of opening a big network (see renderOpened), one step per task */
  private steps: (() => void)[] = [];
  /** cancels the next step of opening a big network (null: none queued) */
  private stopStep: (() => void) | null = null;
  private readonly header: Header;
  private readonly pipeline: Pipeline;
  private readonly inspector: Inspector;
  private readonly training: TrainingPanel;
  private readonly gradCheck: GradCheckPanel;
  /**
   * A graph scene's overview and node detail (the pipeline of cards draws chains). Its code is
   * loaded the first time a graph is shown: the 6x6 story and the embedded element's first load
   * stay within their weight budgets (issue "The page for whole networks", item 9).
   */
  private graphView: GraphView | null = null;
  private graphViewLoad: Promise<void> | null = null;
  private readonly graphHost: HTMLElement;
  /** the cell pointed at in a graph node's detail (graph scenes have no layer Selection) */
  private graphCell: GraphCellRef | null = null;
  /** words a graph cell's record (./explainRecord.ts), loaded with the graph view */
  private explainGraph: typeof import('./explainRecord').explainGraphCell | null = null;

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
    this.graphHost = h('div', { class: 'graph-host', hidden: true });
    this.inspector = new Inspector(a);
    this.training = new TrainingPanel(a);
    this.gradCheck = new GradCheckPanel(a);
    root.replaceChildren(
      this.header.el,
      this.header.tools,
      h('main', { class: 'layout' },
        h('section', { class: 'network', 'aria-label': S.networkLabel }, this.pipeline.el, this.graphHost),
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
    // a forward-only scene has no gradients to show: its values are the whole story
    if (this.state.scene.loss === 'none') this.state.mode = 'values';
    // queued before the matrices queue their own heatmap draws, so marks and numbers are drawn together
    this.renderSelection();
    const graph = isGraph(this.state.scene);
    const engine = this.controller.engine;
    // an opening in steps copied the tensors a frame ago (renderOpened); reused if nothing changed since
    this.snap = this.early?.version === engine.version ? this.early.snap : engine.snapshot(!graph);
    this.early = null;
    this.snapMarks = null;
    this.pipeline.el.hidden = graph;
    this.graphHost.hidden = !graph;
    if (graph) this.renderGraph();
    else this.pipeline.render(this.snap, this.state, this.renderStart);
    this.renderChrome();
    this.gradCheck.render(this.state);
    for (const listener of this.renderListeners) listener();
    for (const listener of this.cardListeners) listener();
  }

  /** A banner above the page; null removes an informational one ("Opening the photo…"). */
  notify(message: string | null, kind: 'warn' | 'info'): void {
    if (message) showNotice(this.root, message, kind);
    else this.root.querySelector(':scope > .cl-notice-info')?.remove();
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
    this.cancelSteps();
  }

  /**
   * Called when an example was just opened, before its network is drawn. The listener may
   * return steps of its own (the Digits example starts its worker, then sets its target), run
   * before the first drawing, each in a task of its own when the network is big.
   */
  onOpen(listener: () => (() => void)[] | void): void {
    this.openListeners.push(listener);
  }

  /**
   * An example chosen from the menu, before it opens: a big network puts up its "building" note
   * now, and the controller opens it after this is painted (true). Building the core's model and
   * writing the scene out take a few tens of ms for the Digits network, and the menu should
   * answer first.
   */
  openingInSteps(json: string): boolean {
    let opened: UIState['scene'];
    try {
      opened = parseScene(asChain(json) ?? json);
    } catch {
      return false; // the core says what is wrong, when it opens
    }
    if (!isBig(opened)) return false;
    this.cancelSteps();
    this.pipeline.showBuilding();
    return true;
  }

  /**
   * Draws an example just opened. A big network (the Digits example) would hold the page for
   * a few hundred ms in one task, so it goes in steps with a frame between them: now a
   * "building" note in place of the old cards; then the open listeners (the Digits dashboard
   * appears) and their steps; a copy of every tensor; the full redraw (whose cards follow a few
   * blocks per frame). A small one is drawn at once.
   */
  renderOpened(): void {
    this.cancelSteps();
    if (!isBig(this.state.scene)) {
      for (const step of this.openListeners.flatMap((listener) => listener() ?? [])) step();
      this.render();
      return;
    }
    this.pipeline.showBuilding();
    // the listeners' steps go right after them
    const open = () => this.steps.unshift(...this.openListeners.flatMap((listener) => listener() ?? []));
    // copying every tensor out of the core is a step of its own, just before the drawing
    const copy = () => {
      const engine = this.controller.engine;
      this.early = { snap: engine.snapshot(!isGraph(this.state.scene)), version: engine.version };
    };
    this.steps = [open, copy, () => this.render()];
    this.nextStep();
  }

  private nextStep(): void {
    // after the next frame: the page paints between two steps
    this.stopStep = afterNextPaint(() => {
      this.stopStep = null;
      this.steps.shift()?.();
      if (this.steps.length) this.nextStep();
    });
  }

  private cancelSteps(): void {
    this.stopStepping();
    this.steps = [];
  }

  private stopStepping(): void {
    this.stopStep?.();
    this.stopStep = null;
  }

  /** Runs what is left of opening a network now. */
  private finishSteps(): void {
    this.stopStepping();
    while (this.steps.length) this.steps.shift()!();
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
    return isGraph(this.state.scene) ? this.loadGraphView() : this.pipeline.whenBuilt();
  }

  /** The graph view when its code is here; otherwise a line saying it is coming, and a redraw once it is. */
  private renderGraph(): void {
    if (this.graphView) this.graphView.render(this.state);
    else void this.loadGraphView();
  }

  /** Loads the graph view's code now (the page does once it is ready; the element waits for a graph). */
  loadGraphView(): Promise<void> {
    return (this.graphViewLoad ??= (async () => {
      this.graphHost.replaceChildren(h('p', { class: 'muted', role: 'status', testid: 'graph-loading' }, S.loadingGraphView));
      const [{ GraphView }, { explainGraphCell }] = await Promise.all([import('./views/overview/graphView'), import('./explainRecord')]);
      const a = this.controller;
      if (a.lifetime.signal.aborted) return;
      const registry = a.engine.module.layerKinds();
      const kinds = new Map(registry.map((k) => [k.type, k.title]));
      this.graphView = new GraphView(a, () => a.engine.reader, (type) => S.layerNames[type] ?? kinds.get(type) ?? type, () => a.locked, registry);
      this.graphView.onPoint = (ref) => { this.graphCell = ref; this.renderSelection(); };
      this.explainGraph = explainGraphCell;
      this.graphHost.replaceChildren(this.graphView.el);
      if (isGraph(this.state.scene)) this.render();
    })());
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
    if (budgetMs === Infinity) {
      this.finishSteps();
      this.pipeline.finishBuild();
    }
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
    if (this.steps.length) return; // the cards shown are the previous network's
    const snap = this.snapshot();
    let ex: Explanation | null = null;
    const sel = this.state.selection;
    const graph = isGraph(this.state.scene);
    // the pointed cell stays explained while its node's detail is open
    if (graph && this.graphCell && this.explainGraph && this.graphView?.openId != null) {
      try {
        ex = this.explainGraph(this.controller.engine, this.graphCell);
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

/**
 * Networks on pictures this big (the Digits example's 28x28) are opened in steps: their
 * hundreds of maps take far longer to copy and build than a frame.
 */
const BIG_INPUT = 256;

function isBig(scene: UIState['scene']): boolean {
  // a graph's overview draws its thumbnails as they come into view: it opens in one task
  return !isGraph(scene) && scene.input.shape.reduce((n, d) => n * d, 1) > BIG_INPUT;
}
