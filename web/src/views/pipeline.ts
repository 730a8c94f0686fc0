// The network as a left-to-right pipeline of cards. Rebuilds DOM only when the structure
// (layers, shapes, tensors listed, view mode) changes; otherwise updates cells in place.
import type { Actions } from '../actions';
import type { MarkGroup } from '../explain';
import type { Snapshot } from '../engine';
import { LAYER_TYPES } from '../scene';
import type { UIState } from '../state';
import { S } from '../strings';
import { h, select } from './dom';
import { InputCard } from './inputCard';
import { LayerCard, type CardContext } from './layerCard';
import { LossCard } from './lossCard';
import type { TensorBlock } from './tensorBlock';
import type { MatrixView } from './matrix';

/** A highlight on one cell: (layer, tensor, matrix k, cell index) gets a class. */
export interface Mark { layer: number; tensor: string; sub: number; index: number; cls: string }

export class Pipeline {
  readonly el: HTMLElement;
  private key = '';
  private input: InputCard | null = null;
  private cards: LayerCard[] = [];
  private loss: LossCard | null = null;
  private registry = new Map<string, TensorBlock>();
  private marked = new Set<MatrixView>();
  private baseSource: MarkGroup[] | null = null;
  private basePer = new Map<MatrixView, Map<number, string>>();

  constructor(private readonly actions: Actions, private readonly getState: () => UIState) {
    this.el = h('div', { class: 'pipeline', testid: 'pipeline' });
    // a theme change rebuilds the matrices with the other colour scale
    document.addEventListener('cnnlens:theme', () => { this.key = ''; });
  }

  render(snap: Snapshot, st: UIState): void {
    const key = structureKey(snap, st);
    if (key !== this.key) {
      this.key = key;
      this.build(snap, st);
    }
    this.input!.update(snap);
    snap.layers.forEach((l, i) => this.cards[i].update(l, st.layerErrors.get(i), st.invalid));
    this.loss!.update(snap, st);
  }

  private build(snap: Snapshot, st: UIState): void {
    // keep keyboard focus on the same control across a rebuild, when it still exists
    const focusId = (document.activeElement as HTMLElement | null)?.dataset?.testid;
    this.registry.clear();
    this.marked.clear();
    this.baseSource = null;
    const ctx: CardContext = {
      actions: this.actions,
      mode: st.mode,
      register: (layer, tensor, block) => this.registry.set(`${layer}:${tensor}`, block),
    };
    this.input = new InputCard(ctx, snap, this.getState);
    this.cards = snap.layers.map((l, i) => new LayerCard(ctx, l, st.scene.layers[i] ?? { type: l.type }, snap.layers.length));
    this.loss = new LossCard(ctx, snap, st);
    // each stage carries the arrow to the next one, so a wrapped line never starts with an arrow
    const stage = (card: HTMLElement, pos: number) => h('div', { class: 'stage' }, card, this.connector(pos));
    const parts: HTMLElement[] = [stage(this.input.el, 0)];
    this.cards.forEach((c, i) => parts.push(stage(c.el, i + 1)));
    parts.push(this.loss.el);
    this.el.dataset.mode = st.mode;
    this.el.replaceChildren(...parts);
    if (focusId) (this.el.querySelector(`[data-testid="${focusId}"]`) as HTMLElement | null)?.focus();
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
