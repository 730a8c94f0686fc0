// The network as a left-to-right pipeline of cards. Rebuilds DOM only when the structure
// (layers, shapes, tensors listed, view mode) changes; otherwise updates cells in place. A big
// network (Digits: hundreds of maps) is built a few blocks per frame, so opening it never holds
// the page for long; the cards not complete yet are placeholders and get the newest numbers.
import { afterNextPaint } from '../afterPaint';
import type { Actions } from '../actions';
import type { MarkGroup } from '../explain';
import type { Snapshot } from '../engine';
import { LAYER_TYPES } from '../scene';
import type { UIState } from '../state';
import { S } from '../strings';
import { onThemeToggle } from '../theme';
import { h, select } from './dom';
import { InputCard } from './inputCard';
import { LayerCard, type CardContext } from './layerCard';
import { LossCard } from './lossCard';
import type { TensorBlock } from './tensorBlock';
import { MatrixView } from './matrix';
import { findRegion, regionOf, tagRegion, type Region } from '../tensorRef';

/**
 * Building cards per frame: the frame also lays the new blocks out, draws their heatmaps and
 * highlights (MatrixView's own budget) and paints, which on a slow 2-core machine takes two to
 * four times as long as building them; 5 ms keeps the whole frame well within 50 ms.
 */
const BUILD_BUDGET_MS = 5;

/**
 * A network with at most this many values in its layers is built in one task whatever the
 * machine's speed: it takes a few ms, and everything a reader (or a test) does next finds every
 * card there.
 */
const SMALL_NETWORK_VALUES = 4096;

/** A highlight on one cell: (layer, tensor, matrix k, cell index) gets a class. */
export interface Mark { layer: number; tensor: string; sub: number; index: number; cls: string }

export class Pipeline {
  readonly el: HTMLElement;
  private key = '';
  private input: InputCard | null = null;
  private cards: (LayerCard | null)[] = [];
  /** whether card i is complete and shown (it replaced its placeholder) */
  private placed: boolean[] = [];
  /** each layer's stage: holds a placeholder until the card is built */
  private stages: HTMLElement[] = [];
  private ctx: CardContext | null = null;
  private latest: { snap: Snapshot; st: UIState } | null = null;
  /** cancels the next chunk of a build in progress (null: the build is complete) */
  private stopChunk: (() => void) | null = null;
  /** the control focused when a rebuild began: its card and its place among the card's controls */
  private focus: { card: Region; nth: number } | null = null;
  /** called when cards were added after the build began (their highlights are drawn then) */
  onGrow: () => void = () => {};
  private loss: LossCard | null = null;
  private registry = new Map<string, TensorBlock>();
  private marked = new Set<MatrixView>();
  private baseSource: MarkGroup[] | null = null;
  private basePer = new Map<MatrixView, Map<number, string>>();

  constructor(private readonly actions: Actions, private readonly getState: () => UIState) {
    this.el = h('div', { class: 'pipeline' });
    tagRegion(this.el, { panel: 'pipeline' });
    // a theme change rebuilds the matrices with the other colour scale
    onThemeToggle(actions.lifetime, () => { this.key = ''; });
    // a network still being built stops building when the view goes
    actions.lifetime.signal.addEventListener('abort', () => this.cancelChunk());
    // an arrow at the end of a wrapped row must not point into empty space: it turns to the next row
    if (typeof ResizeObserver !== 'undefined') {
      let queued = 0;
      const watch = new ResizeObserver(() => {
        cancelAnimationFrame(queued);
        queued = requestAnimationFrame(() => this.markRowEnds());
      });
      watch.observe(this.el);
      actions.lifetime.signal.addEventListener('abort', () => { cancelAnimationFrame(queued); watch.disconnect(); });
    }
  }

  /** Marks each arrow whose next card starts a new row (read once per size change, after layout). */
  private markRowEnds(): void {
    const stages = [...this.el.children] as HTMLElement[];
    // every position first, then the classes that change: one layout, not one per arrow
    const tops = stages.map((stage) => stage.offsetTop);
    stages.forEach((stage, k) => {
      const rowEnd = k + 1 < stages.length && tops[k + 1] > tops[k] + 4;
      const connector = stage.querySelector(':scope > .connector');
      if (connector && connector.classList.contains('row-end') !== rowEnd) connector.classList.toggle('row-end', rowEnd);
    });
  }

  /** `since`: when the task drawing it began (its copying counts against the first cards' time). */
  render(snap: Snapshot, st: UIState, since = performance.now()): void {
    this.latest = { snap, st };
    const key = structureKey(snap, st);
    if (key !== this.key) {
      this.key = key;
      this.build(snap, st, since);
    }
    this.input!.update(snap);
    snap.layers.forEach((l, i) => this.cards[i]?.update(l, st.layerErrors.get(i), st.invalid));
    this.loss!.update(snap, st);
  }

  /**
   * A note in place of the cards while a big network is being opened (App.renderOpened): the
   * previous network's cards must not stay, and the new one is drawn a few tasks later.
   */
  showBuilding(): void {
    this.cancelChunk();
    this.key = '';
    this.waiting = true;
    this.el.replaceChildren(h('p', { class: 'note pipeline-building', testid: 'pipeline-building', role: 'status', 'aria-busy': 'true' }, S.buildingNetwork));
  }

  /** Builds the cards still missing now (before exporting or reading every matrix). */
  finishBuild(): void {
    this.buildMore(Infinity);
  }

  private build(snap: Snapshot, st: UIState, t0: number): void {
    this.waiting = false;
    // keep keyboard focus on the same control across a rebuild, when it still exists
    this.focus = focusPlace(this.el);
    this.cancelChunk();
    this.registry.clear();
    this.marked.clear();
    this.baseSource = null;
    const ctx: CardContext = {
      actions: this.actions,
      mode: st.mode,
      register: (layer, tensor, block) => this.registry.set(`${layer}:${tensor}`, block),
    };
    this.ctx = ctx;
    this.input = new InputCard(ctx, snap, this.getState);
    this.cards = snap.layers.map(() => null);
    this.placed = snap.layers.map(() => false);
    this.loss = new LossCard(ctx, snap, st);
    // each stage carries the arrow to the next one, so a wrapped line never starts with an arrow
    const stage = (card: HTMLElement, pos: number) => h('div', { class: 'stage' }, card, this.connector(pos));
    this.stages = snap.layers.map((_, i) => stage(h('div', { class: 'card card-pending', 'aria-busy': 'true', testid: `card-pending-${i}` }), i + 1));
    this.el.dataset.mode = st.mode;
    this.el.replaceChildren(stage(this.input.el, 0), ...this.stages, this.loss.el);
    // a small network is built at once; a big one gets what the task that changed the scene has
    // left of a frame's budget, and goes on in the next frames
    this.buildMore(valueCount(snap) <= SMALL_NETWORK_VALUES ? Infinity : BUILD_BUDGET_MS, t0, false);
  }

  /**
   * Builds cards in order, block by block, until `budgetMs` has passed since `t0`; the rest in
   * the next frames (at least one block per frame, so it always finishes). A card replaces its
   * placeholder once complete.
   */
  private buildMore(budgetMs: number, t0 = performance.now(), atLeastOne = true): void {
    this.cancelChunk();
    const latest = this.latest;
    if (!latest || !this.ctx) return;
    const { snap, st } = latest;
    const deadline = t0 + budgetMs;
    // the next cards once this chunk is painted (not in the frame that paints it: afterPaint.ts)
    const later = () => { this.stopChunk = afterNextPaint(() => { this.stopChunk = null; this.buildMore(BUILD_BUDGET_MS); this.onGrow(); }); };
    let worked = false;
    for (let i = 0; i < this.cards.length; i++) {
      if (this.placed[i]) continue;
      if ((worked || !atLeastOne) && performance.now() > deadline) { later(); break; }
      let card = this.cards[i];
      if (!card) {
        const l = snap.layers[i];
        card = new LayerCard(this.ctx, l, st.scene.layers[i] ?? { type: l.type }, snap.layers.length);
        card.update(l, st.layerErrors.get(i), st.invalid);
        this.cards[i] = card;
      }
      worked = true;
      if (!card.buildMore(deadline)) { later(); break; }
      this.stages[i].firstElementChild!.replaceWith(card.el);
      this.placed[i] = true;
    }
    if (this.stopChunk === null) this.settleBuilt();
    this.baseSource = null; // the highlights are looked up again, for the new cards too
    if (this.focus) {
      const card = 'panel' in this.focus.card ? this.el : findRegion(this.el, this.focus.card);
      const el = card?.querySelectorAll<HTMLElement>(FOCUSABLE)[this.focus.nth];
      if (el) { el.focus(); this.focus = null; }
    }
  }

  private cancelChunk(): void {
    this.stopChunk?.();
    this.stopChunk = null;
  }

  private builtWaiters: (() => void)[] = [];
  /** the "building" note is shown: the network's cards come with the next render */
  private waiting = false;
  private settleBuilt(): void {
    const waiters = this.builtWaiters;
    this.builtWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once every card of the current network exists (now, or after the frames that build it). */
  whenBuilt(): Promise<void> {
    if (!this.waiting && this.stopChunk === null && !this.placed.includes(false)) return Promise.resolve();
    return new Promise((resolve) => this.builtWaiters.push(resolve));
  }

  /** The arrow between two cards, with a menu that inserts a layer there. */
  private connector(pos: number): HTMLElement {
    const opts: [string, string][] = [['', S.insertLayer], ...LAYER_TYPES.map((t) => [t, S.layerNames[t]] as [string, string])];
    const menu = select(opts, '', (v) => { if (v) this.actions.insertLayer(pos, v); }, { 'aria-label': S.insertLayerAria(pos), testid: `insert-${pos}`, class: 'insert' });
    return h('div', { class: 'connector' }, h('span', { class: 'arrow', 'aria-hidden': 'true' }), menu);
  }

  /**
   * Replaces every highlight: `base` (the same array until the numbers change, so looked up
   * once) plus `extra` (the selection's). Matrices whose marks did not change are handed the
   * identical map and skip their redraw.
   */
  applyMarks(base: MarkGroup[], extra: Mark[]): void {
    if (base !== this.baseSource) {
      this.baseSource = base;
      this.basePer = new Map();
      for (const g of base) {
        const view = this.registry.get(`${g.layer}:${g.tensor}`)?.views[g.sub];
        if (!view) continue;
        const have = this.basePer.get(view);
        this.basePer.set(view, have ? joinMarks(have, g.cells) : g.cells);
      }
    }
    const per = new Map(this.basePer);
    const copied = new Set<MatrixView>(); // base maps are shared: copy before the first change
    for (const m of extra) {
      const view = this.registry.get(`${m.layer}:${m.tensor}`)?.views[m.sub];
      if (!view) continue;
      let map = per.get(view);
      if (!copied.has(view)) {
        copied.add(view);
        map = new Map(map);
        per.set(view, map);
      }
      const prev = map!.get(m.index);
      map!.set(m.index, prev ? `${prev} ${m.cls}` : m.cls);
    }
    for (const v of this.marked) if (!per.has(v)) v.setMarks(new Map());
    for (const [v, map] of per) v.setMarks(map);
    this.marked = new Set(per.keys());
  }

  block(layer: number, tensor: string): TensorBlock | undefined {
    return this.registry.get(`${layer}:${tensor}`);
  }
}

const FOCUSABLE = 'button, input, select, textarea, [tabindex]';

/**
 * Where the focused control is, in terms that survive a rebuild: the card it is in (its typed
 * reference) and its place among that card's controls.
 */
function focusPlace(root: HTMLElement): { card: Region; nth: number } | null {
  const el = document.activeElement as HTMLElement | null;
  if (!el || !root.contains(el)) return null;
  for (let up: HTMLElement | null = el; up && up !== root; up = up.parentElement) {
    const card = up.classList.contains('card') ? regionOf(up) : undefined;
    if (card) return { card, nth: [...up.querySelectorAll(FOCUSABLE)].indexOf(el) };
  }
  // between the cards (a connector's "insert a layer" menu): its place in the whole pipeline
  return { card: { panel: 'pipeline' }, nth: [...root.querySelectorAll(FOCUSABLE)].indexOf(el) };
}

/** Both maps' classes per cell, in a new map. */
function joinMarks(a: Map<number, string>, b: Map<number, string>): Map<number, string> {
  const out = new Map(a);
  for (const [i, cls] of b) {
    const prev = out.get(i);
    out.set(i, prev ? `${prev} ${cls}` : cls);
  }
  return out;
}

function structureKey(snap: Snapshot, st: UIState): string {
  const layers = snap.layers.map((l) => `${l.type}[${[...l.tensors.values()].map((t) => `${t.name}:${t.shape}`).join(',')}]`);
  const settings = st.scene.layers.map(({ weight: _w, bias: _b, ...rest }) => rest);
  return [st.mode, st.presetId, snap.input.shape, st.scene.loss, layers.join('|'), JSON.stringify(settings)].join('#');
}

/** How many values the layers' tensors hold (what building their cards costs). */
function valueCount(snap: Snapshot): number {
  let n = 0;
  for (const layer of snap.layers) for (const t of layer.tensors.values()) n += t.data.length;
  return n;
}
