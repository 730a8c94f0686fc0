// A tensor drawn as one or more matrices sharing one colour scale: [C,H,W] -> C maps,
// [O,I,KH,KW] -> O×I kernels, [R,C] -> one matrix, [N] -> a row (wrapped at 16).
import { heatmapExtent, maxAbs } from '../colors';
import { fmt, fmtShape } from '../format';
import { S } from '../strings';
import { tagRegion, testIdOf, type TensorRef } from '../tensorRef';
import { MatrixView, type MatrixOptions } from './matrix';
import { hintOverflow } from './scrollHint';

export interface Layout {
  count: number;
  rows: number;
  cols: number;
  /** cells used per matrix */
  size: number;
  /** matrices per row of the block (kernels: one row per filter); 0 = wrap freely */
  perRow: number;
  label: (k: number) => string;
  /** the long name of matrix k for screen readers ("channel 1", "filter 2, input channel 1") */
  longLabel: (k: number) => string;
}

export function layoutOf(shape: readonly number[]): Layout {
  if (shape.length === 4) {
    const [o, i, kh, kw] = shape;
    return { count: o * i, rows: kh, cols: kw, size: kh * kw, perRow: i > 1 ? i : 0, label: (k) => S.kernelLabel(Math.floor(k / i), k % i, i), longLabel: (k) => S.kernelLong(Math.floor(k / i), k % i, i) };
  }
  if (shape.length === 3) {
    const [c, h, w] = shape;
    return { count: c, rows: h, cols: w, size: h * w, perRow: 0, label: (k) => (c > 1 ? S.channelLabel(k) : ''), longLabel: (k) => S.channelLong(k) };
  }
  if (shape.length === 2) return { count: 1, rows: shape[0], cols: shape[1], size: shape[0] * shape[1], perRow: 1, label: () => '', longLabel: () => '' };
  const n = shape[0] ?? 1;
  // vectors up to 256 long stay as numbers, wrapped 16 per row; longer ones go to a canvas
  const cols = n <= 16 ? n : n <= 256 ? 16 : 64;
  return { count: 1, rows: Math.ceil(n / cols), cols, size: n, perRow: 1, label: () => '', longLabel: () => '' };
}

// Above this many cells in one block (e.g. 16x8 kernels of 5x5), every matrix of the block is a
// heatmap with its value on hover/focus: thousands of number cells cost far more to restyle
// after an edit than a frame allows, and are too small to read anyway.
const MAX_BLOCK_NUMBERS = 1024;
// Many small maps (16 pooled 5x5 maps) read as a row of pictures, not as hundreds of numbers;
// a few maps (3 filtered 12x12 images, 8 kernels of 5x5) keep their numbers.
const MAX_MAPS_OF_NUMBERS = 8;
const MAX_MANY_MAP_NUMBERS = 256;

function asHeatmaps(lay: Layout): boolean {
  const cells = lay.count * lay.size;
  return cells > MAX_BLOCK_NUMBERS || (lay.count > MAX_MAPS_OF_NUMBERS && cells > MAX_MANY_MAP_NUMBERS);
}

export interface BlockOptions {
  title: string;
  /** the card it belongs to ("1. Convolution"), so screen readers hear which layer a cell is in */
  context?: string;
  shape: number[];
  /**
   * What the block shows, for the pipeline's blocks: the block and each matrix are tagged with
   * it (../tensorRef.ts), which also names them for the tests.
   */
  ref?: TensorRef;
  /** without a ref (a graph node's detail): prefix of each matrix's data-testid, `${testid}-${k}` */
  testid?: string;
  kind?: 'value' | 'grad' | 'state';
  editable?: boolean;
  onCommit?: (flatIndex: number, value: number) => void;
  onPoint?: (sub: number, index: number) => void;
  matrix?: (k: number) => Partial<MatrixOptions>;
}

export class TensorBlock {
  readonly el: HTMLElement;
  readonly views: MatrixView[] = [];
  readonly layout: Layout;
  private readonly range: HTMLElement;
  /** every matrix is a heatmap canvas (decided once, when the block is built) */
  private readonly allHeatmaps: boolean;

  constructor(o: BlockOptions) {
    const lay = (this.layout = layoutOf(o.shape));
    this.el = document.createElement('div');
    this.el.className = `block ${o.kind ?? 'value'}`;
    const ref = o.ref;
    if (ref) tagRegion(this.el, ref);
    else this.el.dataset.testid = `block-${o.testid}`;
    const head = document.createElement('div');
    head.className = 'block-head';
    const title = document.createElement('span');
    title.className = 'block-title';
    title.textContent = o.title;
    const shape = document.createElement('span');
    shape.className = 'block-shape';
    shape.textContent = fmtShape(o.shape);
    this.range = document.createElement('span');
    this.range.className = 'block-range';
    head.append(title, shape, this.range);
    // heatmaps read out the value under the pointer here, one line for the whole block
    const readout = document.createElement('div');
    readout.className = 'block-readout';
    readout.setAttribute('aria-live', 'polite');
    const mats = document.createElement('div');
    mats.className = 'mats';
    if (lay.perRow > 0) mats.style.setProperty('--per-row', String(lay.perRow));
    else mats.classList.add('wrap');
    for (let k = 0; k < lay.count; k++) {
      const view = new MatrixView({
        rows: lay.rows, cols: lay.cols, count: lay.size,
        testid: ref ? testIdOf({ ...ref, channel: k }) : `${o.testid}-${k}`,
        caption: lay.label(k) || undefined,
        what: S.blockWhat(o.context ?? '', o.title, lay.longLabel(k)),
        editable: o.editable,
        heatmap: asHeatmaps(lay),
        readout,
        readoutLabel: lay.longLabel(k) || o.title,
        onCommit: o.onCommit && ((i, v) => o.onCommit!(k * lay.size + i, v)),
        onPoint: o.onPoint && ((i) => o.onPoint!(k, i)),
        ...o.matrix?.(k),
      });
      if (ref) tagRegion(view.el, { ...ref, channel: k });
      this.views.push(view);
      mats.append(view.el);
    }
    this.el.append(head);
    if (this.views.some((v) => v.isHeatmap)) this.el.append(readout);
    this.allHeatmaps = this.views.every((v) => v.isHeatmap);
    this.el.append(mats);
    hintOverflow(mats);
  }

  update(data: Float32Array): void {
    // heatmaps keep a few outlying cells from washing the rest out (heatmapExtent); printed
    // numbers always fit the scale
    const { max, largest } = this.allHeatmaps ? heatmapExtent(data) : fullExtent(data);
    const clipped = max < largest;
    const t = clipped ? S.rangeClipped(fmt(max), fmt(largest)) : S.rangeLabel(fmt(max));
    if (this.range.textContent !== t) {
      this.range.textContent = t;
      if (clipped) this.range.title = S.rangeClippedTitle(fmt(max), fmt(largest));
      else this.range.removeAttribute('title');
    }
    const size = this.layout.size;
    for (let k = 0; k < this.views.length; k++) this.views[k].update(data.subarray(k * size, (k + 1) * size), max);
  }
}

/** the extent of printed matrices: every value inside the scale */
function fullExtent(data: Float32Array): { max: number; largest: number } {
  const max = maxAbs(data);
  return { max, largest: max };
}
