// Diverging colour scale centred on 0: blue for negative, white at 0, orange-red for positive
// (ColorBrewer RdBu/PuOr-like end points, distinguishable with the common colour-vision deficiencies).

type RGB = [number, number, number];

// stops from -1 to +1
const STOPS: RGB[] = [
  [33, 102, 172],   // -1   dark blue
  [103, 169, 207],  // -0.66
  [209, 229, 240],  // -0.33
  [247, 247, 247],  //  0   near white
  [253, 219, 199],  // +0.33
  [244, 165, 130],  // +0.66
  [202, 0, 32],     // +1   red
];

const CACHE_SIZE = 257;
const cssCache: string[] = [];
const rgbCache: RGB[] = [];
for (let k = 0; k < CACHE_SIZE; k++) {
  const rgb = interpolate((k / (CACHE_SIZE - 1)) * 2 - 1);
  rgbCache.push(rgb);
  cssCache.push(`rgb(${rgb[0]},${rgb[1]},${rgb[2]})`);
}

function interpolate(t: number): RGB {
  const x = (Math.max(-1, Math.min(1, t)) + 1) / 2 * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i], b = STOPS[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

function bucket(v: number, max: number): number {
  if (!Number.isFinite(v)) return v > 0 ? CACHE_SIZE - 1 : v < 0 ? 0 : (CACHE_SIZE - 1) / 2;
  const t = max > 0 ? v / max : 0;
  return Math.round((Math.max(-1, Math.min(1, t)) + 1) / 2 * (CACHE_SIZE - 1));
}

/** CSS colour for v on a scale from -max..max. */
export function colorCss(v: number, max: number): string {
  return cssCache[bucket(v, max)];
}

export function colorRgb(v: number, max: number): RGB {
  return rgbCache[bucket(v, max)];
}

/** Dark backgrounds (|t| large) need light text for contrast. */
export function needsLightText(v: number, max: number): boolean {
  return max > 0 && Math.abs(v / max) > 0.62;
}

/** A CSS linear-gradient of the whole scale, for the legend. */
export function legendGradient(): string {
  const parts = STOPS.map((s, i) => `rgb(${s[0]},${s[1]},${s[2]}) ${(i / (STOPS.length - 1)) * 100}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** Symmetric extent for a block of numbers (at least a tiny epsilon so 0 stays white). */
export function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m || 1;
}
