// MNIST-style preparation of a drawing: crop to the bounding box of the ink, scale (keeping
// the aspect ratio) so the longer side is 20 pixels with area averaging (anti-aliased), then
// place it in a 28x28 field so that its centre of mass is at the centre, as LeCun et al. did
// for MNIST. Pure functions on arrays, so tests and the pad share them.
import { IMAGE_SIDE } from './protocol';

const BOX = 20;

/** For each of `dst` output cells, the source cells it covers and their weights (area averaging). */
function coverage(src: number, dst: number): { from: number; weights: number[] }[] {
  const scale = src / dst;
  const out: { from: number; weights: number[] }[] = [];
  for (let i = 0; i < dst; i++) {
    const a = i * scale, b = (i + 1) * scale;
    const from = Math.floor(a);
    const weights: number[] = [];
    for (let j = from; j < Math.min(src, Math.ceil(b)); j++) weights.push((Math.min(b, j + 1) - Math.max(a, j)) / scale);
    out.push({ from, weights });
  }
  return out;
}

/**
 * `ink` is a width x height array of coverage in [0, 1] (e.g. the alpha of a large canvas).
 * Returns the 28x28 input in [0, 1], row-major, or all zeros when nothing is drawn.
 */
export function toMnist(ink: ArrayLike<number>, width: number, height: number, threshold = 0.02): Float32Array {
  const out = new Float32Array(IMAGE_SIDE * IMAGE_SIDE);
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return out;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const side = Math.max(w, h);
  const tw = Math.max(1, Math.round((w * BOX) / side));
  const th = Math.max(1, Math.round((h * BOX) / side));
  // separable area average: rows first, then columns
  const cx = coverage(w, tw), cy = coverage(h, th);
  const rows = new Float32Array(h * tw);
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < tw; i++) {
      const { from, weights } = cx[i];
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * ink[(y0 + y) * width + x0 + from + k];
      rows[y * tw + i] = s;
    }
  }
  const small = new Float32Array(th * tw);
  for (let j = 0; j < th; j++) {
    const { from, weights } = cy[j];
    for (let i = 0; i < tw; i++) {
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * rows[(from + k) * tw + i];
      small[j * tw + i] = Math.min(1, s);
    }
  }
  // centre of mass of the small image, moved to the centre of the 28x28 field
  let mass = 0, mx = 0, my = 0;
  for (let j = 0; j < th; j++) {
    for (let i = 0; i < tw; i++) {
      const v = small[j * tw + i];
      mass += v;
      mx += v * (i + 0.5);
      my += v * (j + 0.5);
    }
  }
  if (mass <= 0) return out;
  const ox = Math.round(IMAGE_SIDE / 2 - mx / mass);
  const oy = Math.round(IMAGE_SIDE / 2 - my / mass);
  for (let j = 0; j < th; j++) {
    const r = j + oy;
    if (r < 0 || r >= IMAGE_SIDE) continue;
    for (let i = 0; i < tw; i++) {
      const c = i + ox;
      if (c >= 0 && c < IMAGE_SIDE) out[r * IMAGE_SIDE + c] = small[j * tw + i];
    }
  }
  return out;
}

/** Softmax of logits, numerically stable. */
export function softmax(z: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] > max) max = z[i];
  const p = new Float32Array(z.length);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += (p[i] = Math.exp(z[i] - max));
  for (let i = 0; i < z.length; i++) p[i] /= sum;
  return p;
}

export function argmax(v: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}
