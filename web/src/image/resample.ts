// Pixels of a picture to the numbers of a network input: crop, composite over white, area
// averaging down (or up) to H×W, grey or RGB, then the scaling. Pure functions on arrays, so the
// page's main thread and the image worker compute exactly the same numbers.
//
// The reference a test recomputes (issue "Real images", item 1):
// - alpha is straight (not premultiplied): a pixel's colour c with opacity a shows c·a + 1·(1 − a)
//   over white, in 0..1;
// - grey = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601 luma, what PIL's convert("L") uses);
// - an output pixel is the mean of the source pixels under its box, each weighted by the area of it
//   the box covers (fractional at the edges), so a box of 2.5×2.5 source pixels counts its border
//   pixels at half weight. Enlarging is the same rule with boxes smaller than a pixel.

/** Decoded pixels, row-major RGBA bytes with straight alpha (what `getImageData` gives). */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** A rectangle of the source in pixels; fractional edges are allowed. */
export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Per-channel standardisation: (v − mean[c]) / std[c], v in 0..1. */
export interface Normalize {
  mean: number[];
  std: number[];
}

/** The largest centred square (the default crop: network inputs are square). */
export function centreSquare(width: number, height: number): CropBox {
  const side = Math.min(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side };
}

/** The crop moved and shrunk to lie inside the picture, at least one pixel each way. */
export function clampCrop(box: CropBox, width: number, height: number): CropBox {
  const w = Math.min(Math.max(box.width, 1), width);
  const h = Math.min(Math.max(box.height, 1), height);
  const x = Math.min(Math.max(box.x, 0), width - w);
  const y = Math.min(Math.max(box.y, 0), height - h);
  return { x, y, width: w, height: h };
}

/**
 * For each of `n` output cells along one axis, the source cells its span [start, start + step)
 * overlaps and by how much (weights sum to `step`, the span's length).
 */
function coverage(start: number, length: number, n: number, limit: number): { first: Int32Array; weights: Float64Array[] } {
  const step = length / n;
  const first = new Int32Array(n);
  const weights: Float64Array[] = [];
  for (let o = 0; o < n; o++) {
    const lo = start + o * step;
    const hi = lo + step;
    const a = Math.max(0, Math.floor(lo));
    const b = Math.min(limit, Math.ceil(hi));
    const w = new Float64Array(Math.max(0, b - a));
    for (let s = a; s < b; s++) w[s - a] = Math.max(0, Math.min(hi, s + 1) - Math.max(lo, s));
    first[o] = a;
    weights.push(w);
  }
  return { first, weights };
}

/**
 * The crop of `src` as a `channels`×`height`×`width` input (channel-major, values 0..1):
 * 1 channel is grey, 3 are red, green, blue.
 */
export function resample(src: Rgba, crop: CropBox, height: number, width: number, channels: 1 | 3): Float32Array {
  if (!(height >= 1 && width >= 1)) throw new RangeError(`output size ${height}x${width}`);
  const box = clampCrop(crop, src.width, src.height);
  const cols = coverage(box.x, box.width, width, src.width);
  const rows = coverage(box.y, box.height, height, src.height);
  const area = (box.width / width) * (box.height / height);
  const out = new Float32Array(channels * height * width);
  const plane = height * width;
  const px = src.data;
  for (let oy = 0; oy < height; oy++) {
    const y0 = rows.first[oy];
    const wy = rows.weights[oy];
    for (let ox = 0; ox < width; ox++) {
      const x0 = cols.first[ox];
      const wx = cols.weights[ox];
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < wy.length; j++) {
        let rowR = 0, rowG = 0, rowB = 0;
        let p = ((y0 + j) * src.width + x0) * 4;
        for (let i = 0; i < wx.length; i++, p += 4) {
          // over white: c·a + 255·(255 − a)/255, still in bytes
          const a = px[p + 3];
          const white = 255 - a;
          rowR += wx[i] * (px[p] * a / 255 + white);
          rowG += wx[i] * (px[p + 1] * a / 255 + white);
          rowB += wx[i] * (px[p + 2] * a / 255 + white);
        }
        r += wy[j] * rowR;
        g += wy[j] * rowG;
        b += wy[j] * rowB;
      }
      const k = 1 / (255 * area);
      const at = oy * width + ox;
      if (channels === 1) {
        out[at] = (0.299 * r + 0.587 * g + 0.114 * b) * k;
      } else {
        out[at] = r * k;
        out[plane + at] = g * k;
        out[2 * plane + at] = b * k;
      }
    }
  }
  return out;
}

/** Standardises 0..1 values in place per channel (a no-op without `norm`). */
export function applyNormalize(values: Float32Array, channels: number, norm: Normalize | undefined): Float32Array {
  if (!norm) return values;
  const plane = values.length / channels;
  for (let c = 0; c < channels; c++) {
    const mean = norm.mean[c] ?? norm.mean[0];
    const std = norm.std[c] ?? norm.std[0];
    for (let i = c * plane; i < (c + 1) * plane; i++) values[i] = (values[i] - mean) / std;
  }
  return values;
}

/** Whether a scaling is usable: one or `channels` finite means and positive finite stds. */
export function checkNormalize(norm: Normalize, channels: number): string | null {
  const okLength = (n: number) => n === 1 || n === channels;
  if (!okLength(norm.mean.length) || !okLength(norm.std.length)) return 'count';
  if (!norm.mean.every(Number.isFinite)) return 'mean';
  if (!norm.std.every((s) => Number.isFinite(s) && s > 0)) return 'std';
  return null;
}
