// The guided lesson: a panel at the top of the side column (a bottom sheet on narrow screens)
// that walks through the classic example in nine steps on the live page. It owns no model:
// every action goes through the page's controller, so whatever the learner changes stays when
// the lesson is left. URL: ?lesson=N opens step N (kept up to date with replaceState),
// ?lang=en|zh picks the text, ?lesson=N&embed=1 shows only the lesson and the regions it needs.
//
// Scene rule: the lesson never replaces the learner's network by itself. On entry, a network
// with the classic structure (same input, layers and settings; any values) is used as it is.
// Any other network gets a notice with "Load the classic example" / "Keep my network".
import './lesson.css';
import type { App } from '../app';
import type { Engine } from '../engine';
import { PRESETS } from '../presets';
import type { Scene } from '../scene';
import type { UIState } from '../state';
import { h } from '../views/dom';
import { findRegion, testIdOf, type Region } from '../tensorRef';
import { LANG } from '../i18n';
import { fill, lessonText, rich, type Lang, type LessonText } from './content';
import { Spotlight } from './spotlight';
import { nodesOf, STEPS, type StepCtx, type StepView } from './steps';

/** The header's Lesson button dispatches this on document. */
export const LESSON_EVENT = 'cnnlens:lesson';
/** The lesson dispatches this on document when it closes (the header focuses its button). */
export const LESSON_CLOSED_EVENT = 'cnnlens:lesson-closed';

function structureKey(scene: Scene): string {
  const layers = scene.layers.map(({ weight: _w, bias: _b, ...rest }) => rest);
  return JSON.stringify([scene.input.shape, layers, scene.loss]);
}

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const narrow = () => window.matchMedia?.('(max-width: 900px)').matches ?? false;
/**
 * The lesson's least height when a step points at another panel of the side column: its title,
 * first paragraph and action button (step 9's "Take one step" at 1280x720).
 */
const LESSON_MIN_HEIGHT = 360;

export class Lesson {
  readonly lang: Lang;
  readonly text: LessonText;
  readonly el: HTMLElement;
  /** 1-based step, 0 while closed */
  step = 0;
  private embed = false;
  private view: StepView | null = null;
  private readonly spotlight = new Spotlight();
  private spot: Region[] = [];
  private needs: Region[] = [];
  private extra = '';
  private readonly title: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly dots: HTMLElement;
  private readonly body: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly back: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly classicKey: string;
  private checkedScene: Scene | null = null;
  private keepMine = false;

  constructor(private readonly app: App, private readonly engine: Engine, private readonly state: UIState, private readonly root: HTMLElement) {
    // the page's language (web/src/i18n); a language without lesson text falls back to English
    this.lang = LANG === 'zh' ? 'zh' : 'en';
    this.text = lessonText(this.lang);
    const ui = this.text.ui;
    const classic = new engine.module.Model(PRESETS.find((p) => p.id === 'classic')!.json);
    try { this.classicKey = structureKey(JSON.parse(classic.toJSON()) as Scene); } finally { classic.delete(); }

    this.title = h('h3', { class: 'lesson-title', testid: 'lesson-title', tabindex: -1 });
    this.progress = h('span', { class: 'lesson-progress', testid: 'lesson-progress' });
    this.dots = h('ol', { class: 'lesson-dots', 'aria-label': ui.stepsLabel });
    this.text.steps.forEach((s, i) => {
      const b = h('button', { type: 'button', class: 'dot', testid: `lesson-dot-${i + 1}`, 'aria-label': fill(ui.dot, { n: i + 1, title: s.title }), title: s.title });
      b.addEventListener('click', () => this.go(i + 1));
      this.dots.append(h('li', {}, b));
    });
    this.notice = h('div', { class: 'lesson-notice', testid: 'lesson-notice', role: 'status', hidden: true });
    this.body = h('div', { class: 'lesson-body', testid: 'lesson-body' });
    this.back = h('button', { type: 'button', testid: 'lesson-back' }, ui.back);
    this.back.addEventListener('click', () => this.go(this.step - 1));
    this.next = h('button', { type: 'button', class: 'primary', testid: 'lesson-next' });
    this.next.addEventListener('click', () => (this.step >= STEPS.length ? this.close() : this.go(this.step + 1)));
    const closeBtn = h('button', { type: 'button', class: 'icon lesson-close', testid: 'lesson-close', 'aria-label': ui.close, title: ui.close }, '✕');
    closeBtn.addEventListener('click', () => this.close());
    this.el = h('section', { class: 'panel lesson-panel', testid: 'lesson-panel', 'aria-label': ui.panelLabel, lang: this.lang, hidden: true },
      h('header', { class: 'lesson-head' }, h('h2', {}, ui.heading), closeBtn),
      h('div', { class: 'lesson-progress-row' }, this.progress, this.dots),
      this.notice,
      h('div', { class: 'lesson-scroll' }, this.title, this.body),
      h('nav', { class: 'lesson-nav', 'aria-label': ui.navLabel }, this.back, h('span', { class: 'lesson-keys small muted' }, ui.keysHint), this.next));
    this.el.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, select, textarea, [role="grid"]') || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'ArrowRight' && this.step < STEPS.length) { e.preventDefault(); this.go(this.step + 1); }
      else if (e.key === 'ArrowLeft' && this.step > 1) { e.preventDefault(); this.go(this.step - 1); }
      else if (e.key === 'Escape') { e.preventDefault(); this.close(); } // as a dialog closes
    });
  }

  /**
   * Keeps the panel inside the viewport under the (sticky) page header, so Back/Next stay
   * visible whatever the header's height; narrow screens use the CSS bottom sheet instead.
   */
  fit(): void {
    if (!this.step) return;
    const header = document.querySelector<HTMLElement>('.app-header');
    const sticky = header && getComputedStyle(header).position === 'sticky' ? header.getBoundingClientRect().height : 0;
    document.body.style.setProperty('--lesson-header', `${Math.round(sticky)}px`);
    const peer = this.sidePeer();
    // pinned at the column's top, so showing the peer never scrolls the lesson away (styles.css)
    this.el.classList.toggle('lesson-pinned', !!peer);
    if (narrow()) { this.el.style.maxHeight = ''; return; }
    const top = Math.max(this.el.getBoundingClientRect().top, sticky + 12);
    const room = window.innerHeight - top - 12;
    let own = room;
    if (peer) {
      // leave the peer room under the lesson so both are seen at once, but keep the step's own
      // text readable. Measured on the column once stuck under the header, not where the page's
      // scroll has it now: the lesson keeps its height while the page scrolls to the network,
      // so the peer stays where scrollToSpot put it
      const column = window.innerHeight - sticky - 24;
      own = Math.min(room, Math.max(LESSON_MIN_HEIGHT, column - this.sideGap() - peer.getBoundingClientRect().height));
    }
    this.el.style.maxHeight = `${Math.max(260, Math.floor(own))}px`;
  }

  /** Brings the step's region into view again, as a step change does (after a resize, say). */
  reveal(): void {
    if (!this.step) return;
    this.fit();
    this.scrollToSpot();
  }

  /** Called after every redraw of the page. */
  afterRender(): void {
    if (!this.step) return;
    if (this.state.scene !== this.checkedScene) this.checkScene();
    try {
      this.view?.update?.();
    } catch {
      // a network without the classic layers: the notice explains; keep the page running
    }
    // the pipeline may have been rebuilt: the spotlight is CSS, so only re-check it exists
  }

  open(step = this.step || 1, opts: { embed?: boolean; focus?: boolean } = {}): void {
    const first = !this.step;
    if (first) {
      this.embed = !!opts.embed;
      document.body.classList.add('lesson-on');
      document.body.classList.toggle('lesson-embed', this.embed);
      // the general embed mode (web/src/embed) hides panels by class; without an explicit
      // ?panels= the lesson decides which regions an embedded step shows
      if (this.embed && !new URLSearchParams(location.search).has('panels')) {
        for (const c of [...this.root.classList]) if (c.startsWith('cl-hide-') || c === 'cl-no-side') this.root.classList.remove(c);
      }
      this.el.hidden = false;
      this.keepMine = false;
      this.checkedScene = null;
    }
    this.go(step);
    if (first) {
      this.app.controller.setLesson(this.step);
      if (opts.focus) this.title.focus({ preventScroll: true });
    }
  }

  toggle(): void {
    if (this.step) this.close();
    else this.open(1, { focus: true });
  }

  go(n: number): void {
    n = Math.max(1, Math.min(STEPS.length, Math.round(n) || 1));
    const def = STEPS[n - 1];
    const t = this.text.steps[n - 1];
    const ui = this.text.ui;
    this.disposeView();
    this.step = n;
    // the step's regions, with its layers found by kind in the learner's network
    const nodes = nodesOf(this.app.snapshot());
    this.spot = def.spot(nodes);
    this.needs = def.needs?.(nodes) ?? this.spot;
    this.extra = '';
    this.title.textContent = t.title;
    this.progress.textContent = fill(ui.progress, { n, total: STEPS.length });
    this.dots.querySelectorAll('button').forEach((b, i) => {
      b.classList.toggle('done', i + 1 < n);
      if (i + 1 === n) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
    });
    this.back.disabled = n === 1;
    this.next.textContent = n === STEPS.length ? ui.finish : ui.next;
    this.checkScene();
    const ctx: StepCtx = {
      t, ui,
      engine: this.engine,
      controller: this.app.controller,
      state: this.state,
      snap: () => this.app.snapshot(),
      nodes: () => nodesOf(this.app.snapshot()),
      setExtra: (css) => { this.extra = css; this.applySpot(); },
      setSpot: (spot, needs) => { this.spot = spot; this.needs = needs ?? spot; this.applySpot(); },
      reducedMotion,
    };
    try {
      this.view = def.build(ctx);
      this.body.replaceChildren(this.view.el);
    } catch {
      this.view = null;
      this.body.replaceChildren(h('p', { class: 'lesson-action' }, rich(ui.needsClassic)));
    }
    this.el.dataset.step = String(n);
    this.applySpot();
    this.writeUrl();
    if (this.state.lesson !== null && this.state.lesson !== n) this.app.controller.setLesson(n);
    this.el.querySelector('.lesson-scroll')?.scrollTo({ top: 0 });
    this.fit();
    requestAnimationFrame(() => this.reveal());
  }

  close(): void {
    if (!this.step) return;
    this.disposeView();
    this.step = 0;
    this.spotlight.clear();
    this.el.hidden = true;
    this.el.style.maxHeight = '';
    this.el.classList.remove('lesson-pinned');
    document.body.classList.remove('lesson-on', 'lesson-embed');
    this.embed = false;
    const u = new URL(location.href);
    u.searchParams.delete('lesson');
    u.searchParams.delete('embed');
    history.replaceState(history.state, '', u);
    this.app.controller.setLesson(null);
    document.dispatchEvent(new CustomEvent(LESSON_CLOSED_EVENT));
  }

  private disposeView(): void {
    const v = this.view;
    this.view = null;
    try { v?.dispose?.(); } catch { /* nothing to undo */ }
  }

  private applySpot(): void {
    if (!this.step) return;
    this.spotlight.set(this.spot, this.needs, this.embed, this.extra);
    // the regions by the tests' names, for the lesson's browser test
    this.el.dataset.spot = this.spot.map(testIdOf).join(' ');
  }

  /** The side column, while it scrolls on its own beside the network (wide screens); else null. */
  private sideColumn(): HTMLElement | null {
    const side = this.el.parentElement;
    return side && side !== this.root && !narrow() ? side : null;
  }

  private sideGap(): number {
    const side = this.el.parentElement;
    return side ? parseFloat(getComputedStyle(side).rowGap) || 0 : 0;
  }

  /** The first other panel of the side column the step points at (step 9's Training panel). */
  private sidePeer(): HTMLElement | null {
    const side = this.sideColumn();
    if (!side) return null;
    for (const r of this.spot) {
      const el = findRegion(document, r);
      if (el && side.contains(el) && !this.el.contains(el) && el.getClientRects().length) return el;
    }
    return null;
  }

  private scrollToSpot(): void {
    const behavior: ScrollBehavior = reducedMotion() ? 'auto' : 'smooth';
    const side = this.el.parentElement;
    if (side && side !== this.root) side.scrollTop = 0;
    // a panel beside the lesson is shown by scrolling the side column alone, right under the
    // pinned lesson: scrollIntoView would scroll the lesson itself out of sight
    const column = this.sideColumn();
    const peer = this.sidePeer();
    if (column && peer) {
      const under = this.el.getBoundingClientRect().bottom + this.sideGap();
      column.scrollTo({ top: column.scrollTop + peer.getBoundingClientRect().top - under, behavior });
    }
    // on narrow screens the side panels sit below the whole network, so a step that shows both
    // (step 9: the Training panel and the gradients a step changes) shows the network's first:
    // that is where a press of the lesson's own button makes a visible difference
    const order = narrow() ? [...this.spot.filter((r) => !('panel' in r)), ...this.spot.filter((r) => 'panel' in r)] : this.spot;
    for (const r of order) {
      const el = findRegion(document, r);
      // a widget of the lesson itself is read in order with the step's text: no scrolling
      if (!el || !el.getClientRects().length || this.el.contains(el)) continue;
      // on wide screens the page's scroll brings in what the step shows in the network
      if (column?.contains(el)) continue;
      const tall = el.getBoundingClientRect().height > window.innerHeight * 0.6;
      el.scrollIntoView({ block: tall || narrow() ? 'start' : 'center', inline: 'nearest', behavior });
      return;
    }
  }

  private writeUrl(): void {
    const u = new URL(location.href);
    u.searchParams.set('lesson', String(this.step));
    history.replaceState(history.state, '', u);
  }

  /** The scene rule (see the top of this file): a notice, never a silent reload. */
  private checkScene(): void {
    this.checkedScene = this.state.scene;
    const classic = structureKey(this.state.scene) === this.classicKey;
    const ui = this.text.ui;
    if (classic || this.keepMine) {
      this.notice.hidden = true;
      this.notice.replaceChildren();
      return;
    }
    if (!this.notice.hidden) return;
    const load = h('button', { type: 'button', class: 'primary', testid: 'lesson-load-classic' }, ui.loadClassic);
    load.addEventListener('click', () => {
      this.app.controller.loadPreset('classic', { original: true });
      this.notice.hidden = true;
      this.go(this.step);
    });
    const keep = h('button', { type: 'button', testid: 'lesson-keep-mine' }, ui.keepMine);
    keep.addEventListener('click', () => { this.keepMine = true; this.notice.hidden = true; });
    this.notice.replaceChildren(h('p', {}, rich(ui.notClassic)), h('div', { class: 'lesson-row' }, load, keep));
    this.notice.hidden = false;
  }
}

/** Creates the lesson, puts its panel on the page, hooks it to every redraw, opens ?lesson=N. */
export function mountLesson(app: App, engine: Engine, state: UIState, root: HTMLElement): Lesson {
  const lesson = new Lesson(app, engine, state, root);
  const side = root.querySelector('.side') ?? root;
  side.prepend(lesson.el);
  app.onRender(() => lesson.afterRender());
  document.addEventListener(LESSON_EVENT, () => lesson.toggle());
  let queued = false;
  const fit = () => {
    if (queued || !lesson.step) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; lesson.fit(); });
  };
  window.addEventListener('scroll', fit, { passive: true });
  window.addEventListener('resize', fit);
  // A new width (a window resized, a phone turned) moves the step's region: once the resizing
  // settles it is brought back into view as a step change does. A height-only change is the
  // mobile URL bar or the on-screen keyboard, mostly while the reader scrolls or types: left alone.
  let width = window.innerWidth;
  let settle = 0;
  window.addEventListener('resize', () => {
    const newWidth = window.innerWidth !== width;
    width = window.innerWidth;
    if (!newWidth || !lesson.step) return;
    clearTimeout(settle);
    settle = window.setTimeout(() => requestAnimationFrame(() => lesson.reveal()), 200);
  });
  const params = new URLSearchParams(location.search);
  if (params.has('lesson')) lesson.open(stepOfLink(params.get('lesson') ?? '', STEPS.length), { embed: params.get('embed') === '1' });
  return lesson;
}

/**
 * The step a ?lesson= link opens: its number, the nearest step when it is out of range (a link
 * made for a longer lesson, ?lesson=0), step 1 when it is no number. A link that asks for the
 * lesson opens it rather than showing nothing; the address then names the step shown.
 */
export function stepOfLink(value: string, count: number): number {
  const n = Math.round(Number(value));
  return Number.isFinite(n) && value.trim() !== '' ? Math.min(count, Math.max(1, n)) : 1;
}
