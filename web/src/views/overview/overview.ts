// The whole graph at a glance: one column per node (the network input first) with its id, kind,
// shape and one small heatmap per channel of the shown sample; edges between columns, arcs for
// the ones that skip columns (residual and concat branches). Each node is a button in an ordered
// list (keyboard and screen readers walk the nodes in execution order); activating it opens its detail.
import { maxAbs } from '../../colors';
import { fmtShape } from '../../format';
import type { ViewMode } from '../../state';
import { S } from '../../strings';
import type { TensorInfo } from '../../wasm/cnnlens.mjs';
import { h } from '../dom';
import { INPUT_ID, inputSource, type Graph, type GraphNode } from './graph';
import { drawMap, mapLayout } from './thumbs';

/** The reads the overview and the detail make (Model's node calls). */
export interface GraphReader {
  nodeTensors(id: string): TensorInfo[];
  nodeView(id: string, name: string): Float32Array;
}

/** Channels drawn per node; the rest are counted ("+N more") and shown in the detail. */
export const MAX_THUMBS = 12;
// Geometry (px), kept in step with .ov-* in styles.css: columns of fixed width, so the SVG
// edges are placed without measuring the page.
const COL_W = 104;
const GAP = 28;
const PAD = 12;
const HEAD_Y = 14;

/** Where one column's drawn tensor lives in the core: a node's tensor, or the input via its first reader. */
interface Source { id: string; name: string }

interface Column {
  node: GraphNode;
  button: HTMLButtonElement;
  thumbs: HTMLCanvasElement[];
  source: Source | null;
  info: TensorInfo | null;
  /** inside the scroller's view (until the observer says otherwise, assumed so) */
  visible: boolean;
  /** its thumbnails show older numbers than the last render */
  stale: boolean;
}

const SVG = 'http://www.w3.org/2000/svg';

export class Overview {
  readonly el: HTMLElement;
  /** scrolls sideways when the graph is wider than the page */
  readonly scroller: HTMLElement;
  private readonly head: HTMLElement;
  private readonly row: HTMLOListElement;
  private readonly svg: SVGSVGElement;
  private columns: Column[] = [];
  private key = '';
  private structure = '';
  private grad = false;
  private infos: (TensorInfo | null)[] = [];
  /** what the last render drew with, for columns drawn later when they scroll into view */
  private drawn: { reader: GraphReader; sample: number; dark: boolean } | null = null;
  private readonly seen: IntersectionObserver | null;
  onOpen: (id: string) => void = () => {};

  constructor() {
    this.head = h('p', { class: 'ov-head muted', testid: 'ov-head' });
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('ov-edges');
    this.svg.setAttribute('aria-hidden', 'true');
    this.row = h('ol', { class: 'ov-row', 'aria-label': S.ovNodeList, testid: 'ov-nodes' });
    this.scroller = h('div', { class: 'ov-scroll' }, this.svg, this.row);
    this.el = h('section', { class: 'overview', 'aria-label': S.ovLabel, testid: 'overview' }, this.head, this.scroller);
    this.seen = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => {
      for (const e of entries) {
        const col = this.columns.find((c) => c.button.parentElement === e.target);
        if (!col) continue;
        col.visible = e.isIntersecting;
        if (col.visible && col.stale) this.draw(col);
      }
    }, { root: this.scroller, rootMargin: '0px 200px' });
  }

  /** The button of a node (focus goes back to it after its detail closes). */
  button(id: string): HTMLButtonElement | undefined {
    return this.columns.find((c) => c.node.id === id)?.button;
  }

  /** `structure`: the scene's settings without its numbers (the same key: the same shapes). */
  render(reader: GraphReader, graph: Graph, structure: string, titles: (type: string) => string, mode: ViewMode, sample: number, dark: boolean): void {
    const grad = mode === 'gradients';
    const input = inputSource(graph);
    const sourceOf = (n: GraphNode): Source | null => {
      if (n.id !== INPUT_ID) return { id: n.id, name: grad ? 'grad_output' : 'output' };
      if (!input) return null;
      return grad ? { id: input.id, name: input.name.replace('input', 'grad_input') } : input;
    };
    // the core's tensor lists change only with the structure: asked again only then
    if (structure !== this.structure || grad !== this.grad) {
      this.structure = structure;
      this.grad = grad;
      this.infos = graph.nodes.map((n) => { const s = sourceOf(n); return s ? reader.nodeTensors(s.id).find((t) => t.name === s.name) ?? null : null; });
    }
    const infos = this.infos;
    const key = JSON.stringify([graph.nodes.map((n) => [n.id, n.type, n.inputs]), infos.map((t) => t?.shape), grad]);
    if (key !== this.key) {
      this.key = key;
      this.build(graph, infos, titles, sourceOf);
    }
    const batch = infos.find((t) => t)?.shape[0] ?? 1;
    const s = Math.min(sample, batch - 1);
    this.head.textContent = S.ovHint(grad ? S.ovGradients : S.ovValues, s, batch);
    this.drawn = { reader, sample: s, dark };
    // columns scrolled out of sight are drawn when they come into view (a ResNet is 4 screens wide)
    for (const col of this.columns) {
      col.stale = true;
      if (col.visible) this.draw(col);
    }
  }

  private draw(col: Column): void {
    const d = this.drawn;
    if (!col.source || !col.info || !d) return;
    col.stale = false;
    const lay = mapLayout(col.info.shape.slice(1));
    const all = d.reader.nodeView(col.source.id, col.source.name);
    // a view into the wasm heap, valid until the next core call: drawn (copied) right away
    const one = all.subarray(d.sample * lay.count * lay.size, (d.sample + 1) * lay.count * lay.size);
    const max = maxAbs(one);
    col.thumbs.forEach((c, i) => drawMap(c, one.subarray(i * lay.size, (i + 1) * lay.size), lay.rows, lay.cols, max, d.dark));
  }

  private build(graph: Graph, infos: (TensorInfo | null)[], titles: (type: string) => string, sourceOf: (n: GraphNode) => Source | null): void {
    this.columns = graph.nodes.map((node, k) => {
      const info = infos[k];
      const shape = info ? info.shape.slice(1) : [];
      const lay = mapLayout(shape);
      const drawn = info ? Math.min(lay.count, MAX_THUMBS) : 0;
      const thumbs = Array.from({ length: drawn }, () => h('canvas', { class: lay.count === 1 ? 'ov-thumb wide' : 'ov-thumb' }));
      const kind = node.id === INPUT_ID ? S.ovInputKind : titles(node.type);
      const reads = node.inputs.length > 1 || (node.inputs.length === 1 && k > 0 && node.inputs[0] !== graph.nodes[k - 1].id) ? node.inputs.join(', ') : '';
      const button = h('button', {
        type: 'button', class: 'ov-node', testid: `ov-node-${node.id}`,
        // the visible words are the accessible name (id, kind, shape, inputs); the tooltip says what a click does
        title: S.ovNodeAria(node.id, kind, fmtShape(shape), reads),
      },
      h('span', { class: 'ov-id', title: node.id }, node.id),
      h('span', { class: 'ov-kind' }, kind),
      h('span', { class: 'ov-shape' }, fmtShape(shape)),
      ...(reads ? [h('span', { class: 'ov-reads' }, S.ovReads(reads))] : []),
      h('span', { class: 'ov-thumbs', 'aria-hidden': 'true' }, ...thumbs),
      ...(lay.count > drawn && info ? [h('span', { class: 'ov-more' }, S.ovMore(lay.count - drawn))] : []));
      button.addEventListener('click', () => this.onOpen(node.id));
      return { node, button, thumbs, source: sourceOf(node), info, visible: true, stale: true };
    });
    this.seen?.disconnect();
    this.row.replaceChildren(...this.columns.map((c) => h('li', { class: 'ov-col' }, c.button)));
    for (const li of this.row.children) this.seen?.observe(li);
    this.drawEdges(graph);
  }

  /** Straight arrows between neighbouring columns; arcs above the columns for the edges that skip some. */
  private drawEdges(graph: Graph): void {
    const skips = graph.edges.filter((e) => e.to - e.from !== 1);
    const longest = Math.max(0, ...skips.map((e) => e.to - e.from));
    const arcH = skips.length ? Math.min(84, 18 + 8 * longest) : 0;
    this.row.style.paddingTop = `${arcH + 6}px`;
    const width = PAD * 2 + graph.nodes.length * (COL_W + GAP) - GAP;
    const height = arcH + 6 + HEAD_Y + 8;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    const left = (c: number) => PAD + c * (COL_W + GAP);
    const parts: string[] = [];
    const top = arcH + 6;
    for (const e of graph.edges) {
      if (e.to - e.from === 1) {
        const y = top + HEAD_Y;
        const x0 = left(e.from) + COL_W + 2;
        const x1 = left(e.to) - 3;
        parts.push(`<path class="ov-edge" d="M${x0} ${y}H${x1}"/><path class="ov-head-arrow" d="M${x1 - 6} ${y - 4}L${x1} ${y}L${x1 - 6} ${y + 4}"/>`);
      } else {
        // higher arcs for longer skips, so nested branches do not overlap
        const x0 = left(e.from) + COL_W * (0.6 + 0.1 * e.slot);
        const x1 = left(e.to) + COL_W * (0.35 + 0.1 * e.slot);
        const rise = Math.min(arcH - 4, 10 + 8 * (e.to - e.from));
        parts.push(`<path class="ov-edge ov-arc" d="M${x0} ${top}C${x0} ${top - rise} ${x1} ${top - rise} ${x1} ${top - 2}"/>` +
          `<path class="ov-head-arrow" d="M${x1 - 4} ${top - 8}L${x1} ${top - 2}L${x1 + 4} ${top - 8}"/>`);
      }
    }
    this.svg.innerHTML = parts.join('');
  }
}
