// Builds the page and runs the single "read everything, redraw" pass after every change.
import { Controller, type Renderer } from './controller';
import type { Engine, Snapshot } from './engine';
import { baseMarks, explain, type Explanation } from './explain';
import type { UIState } from './state';
import { S } from './strings';
import { h } from './views/dom';
import { GradCheckPanel } from './views/gradCheckPanel';
import { Header } from './views/header';
import { Inspector } from './views/inspector';
import { Pipeline } from './views/pipeline';
import { TrainingPanel } from './views/trainingPanel';

export class App implements Renderer {
  readonly controller: Controller;
  /** duration of the last full redraw, for tests and curious course authors */
  lastRenderMs = 0;
  private snap: Snapshot | null = null;
  /** Called after every full redraw (embed modes post their height, keep inputs disabled). */
  private readonly renderListeners: (() => void)[] = [];
  private readonly header: Header;
  private readonly pipeline: Pipeline;
  private readonly inspector: Inspector;
  private readonly training: TrainingPanel;
  private readonly gradCheck: GradCheckPanel;

  constructor(root: HTMLElement, engine: Engine, readonly state: UIState) {
    this.controller = new Controller(engine, state);
    this.controller.view = this;
    const a = this.controller;
    this.header = new Header(a);
    this.pipeline = new Pipeline(a, () => this.state);
    this.inspector = new Inspector(a);
    this.training = new TrainingPanel(a);
    this.gradCheck = new GradCheckPanel(a);
    root.replaceChildren(
      this.header.el,
      h('main', { class: 'layout' },
        h('section', { class: 'network', 'aria-label': S.networkLabel }, this.pipeline.el),
        h('aside', { class: 'side', 'aria-label': S.sidePanels }, this.inspector.el, this.training.el, this.gradCheck.el)));
    // the theme toggle (views/header.ts): matrices and the chart redraw with the new colours
    document.addEventListener('cnnlens:theme', () => this.render());
  }

  snapshot(): Snapshot {
    return (this.snap ??= this.controller.engine.snapshot());
  }

  render(): void {
    const t0 = performance.now();
    this.snap = this.controller.engine.snapshot();
    this.header.render(this.state);
    this.pipeline.render(this.snap, this.state);
    this.training.render(this.snap, this.state);
    this.gradCheck.render(this.state);
    this.renderSelection();
    this.lastRenderMs = performance.now() - t0;
    for (const listener of this.renderListeners) listener();
  }

  onRender(listener: () => void): void {
    this.renderListeners.push(listener);
  }

  /** Highlights and the explanation only (hover/focus moves), from the last snapshot. */
  renderSelection(): void {
    const snap = this.snapshot();
    let ex: Explanation | null = null;
    const sel = this.state.selection;
    if (sel) {
      try {
        ex = explain(this.controller.engine, snap, sel, this.state.mode, this.state.scene.loss);
      } catch {
        ex = null; // a selection left over from another network: just show nothing
      }
    }
    this.pipeline.applyMarks([...baseMarks(snap), ...(ex?.marks ?? [])]);
    this.inspector.render(ex, this.state);
  }
}
