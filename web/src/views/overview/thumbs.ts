// Small heatmaps of one sample's tensor, one canvas per channel, on the page's diverging scale
// (one scale per node, so a node's channels compare). A canvas is only touched when its numbers changed.
import { pixelScale } from '../../colors';

/** How one sample of a tensor splits into maps: [C,H,W] -> C maps; [F] -> one strip wrapped at 16. */
export interface MapLayout { count: number; rows: number; cols: number; size: number }

export function mapLayout(sampleShape: readonly number[]): MapLayout {
  if (sampleShape.length === 3) { const [c, h, w] = sampleShape; return { count: c, rows: h, cols: w, size: h * w }; }
  if (sampleShape.length === 2) { const [c, l] = sampleShape; return { count: c, rows: 1, cols: l, size: l }; }
  const n = sampleShape[0] ?? 1;
  const cols = Math.min(n, 16);
  return { count: 1, rows: Math.ceil(n / cols), cols, size: n };
}

/** What a thumbnail shows now (skipped when an edit left it unchanged), and its drawing surface. */
interface Thumb { data: Float32Array; max: number; dark: boolean; ctx: CanvasRenderingContext2D; img: ImageData; px: Uint32Array }
const shown = new WeakMap<HTMLCanvasElement, Thumb>();

function same(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Draws `data` (rows*cols values, a vector may leave the last row short) into the canvas. */
export function drawMap(canvas: HTMLCanvasElement, data: Float32Array, rows: number, cols: number, max: number, dark: boolean): void {
  let t = shown.get(canvas);
  if (t && t.max === max && t.dark === dark && same(t.data, data)) return;
  if (!t || t.img.width !== cols || t.img.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols, rows);
    t = { data: new Float32Array(0), max, dark, ctx, img, px: new Uint32Array(img.data.buffer) };
    shown.set(canvas, t);
  }
  t.data = data.slice();
  t.max = max;
  t.dark = dark;
  // the page's scale (colors.ts bucket), inlined: ~200,000 cells per redraw of a ResNet
  const table = pixelScale(dark);
  const inv = max > 0 ? 1 / max : 0;
  const px = t.px;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] * inv;
    px[i] = table[v !== v ? 128 : Math.round((v < -1 ? -1 : v > 1 ? 1 : v) * 128 + 128)];
  }
  t.ctx.putImageData(t.img, 0, 0);
}
