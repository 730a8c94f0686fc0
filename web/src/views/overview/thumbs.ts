// Small heatmaps of one sample's tensor, one canvas per channel, on the page's diverging scale
// (one scale per node, so a node's channels compare). A canvas is only touched when its numbers changed.
import { colorPixel } from '../../colors';

/** How one sample of a tensor splits into maps: [C,H,W] -> C maps; [F] -> one strip wrapped at 16. */
export interface MapLayout { count: number; rows: number; cols: number; size: number }

export function mapLayout(sampleShape: readonly number[]): MapLayout {
  if (sampleShape.length === 3) { const [c, h, w] = sampleShape; return { count: c, rows: h, cols: w, size: h * w }; }
  if (sampleShape.length === 2) { const [c, l] = sampleShape; return { count: c, rows: 1, cols: l, size: l }; }
  const n = sampleShape[0] ?? 1;
  const cols = Math.min(n, 16);
  return { count: 1, rows: Math.ceil(n / cols), cols, size: n };
}

/** What a thumbnail shows now: skipped when an edit left it unchanged. */
const shown = new WeakMap<HTMLCanvasElement, { data: Float32Array; max: number; dark: boolean }>();

function same(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Draws `data` (rows*cols values, a vector may leave the last row short) into the canvas. */
export function drawMap(canvas: HTMLCanvasElement, data: Float32Array, rows: number, cols: number, max: number, dark: boolean): void {
  const was = shown.get(canvas);
  if (was && was.max === max && was.dark === dark && same(was.data, data)) return;
  shown.set(canvas, { data: data.slice(), max, dark });
  if (canvas.width !== cols || canvas.height !== rows) { canvas.width = cols; canvas.height = rows; }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(cols, rows);
  const px = new Uint32Array(img.data.buffer);
  for (let i = 0; i < data.length; i++) px[i] = colorPixel(data[i], max, dark);
  ctx.putImageData(img, 0, 0);
}
