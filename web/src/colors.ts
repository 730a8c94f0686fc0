// Diverging colour scale centred on 0: blue for negative, white (dark grey in the dark theme) at 0, orange-red for positive
// (ColorBrewer RdBu/PuOr-like end points, distinguishable with the common colour-vision deficiencies).

type RGB = [number, number, number];

// stops from -1 to +1
const LIGHT: RGB[] = [
  [33, 102, 172],   // -1   dark blue
  [103, 169, 207],  // -0.66
  [209, 229, 240],  // -0.33
  [247, 247, 247],  //  0   near white
  [253, 219, 199],  // +0.33
  [244, 165, 130],  // +0.66
  [202, 0, 32],     // +1   red
];
// dark theme: 0 is the dark surface, the ends get brighter (same blue/orange-red hues)
const DARK: RGB[] = [
  [110, 170, 230],  // -1   light blue
  [52, 104, 158],   // -0.66
  [38, 62, 90],     // -0.33
  [36, 40, 48],     //  0   dark grey
  [96, 50, 44],     // +0.33
  [176, 72, 50],    // +0.66
  [250, 120, 80],   // +1   orange-red
];

/** One theme's colours, precomputed for CACHE_SIZE steps of the scale. */
interface Scale { stops: RGB[]; css: string[]; rgb: RGB[]; pixels: Uint32Array; lightText: boolean[] }

const CACHE_SIZE = 257;
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function buildScale(stops: RGB[]): Scale {
  const scale: Scale = { stops, css: [], rgb: [], pixels: new Uint32Array(CACHE_SIZE), lightText: [] };
  for (let k = 0; k < CACHE_SIZE; k++) {
    const rgb = interpolate(stops, (k / (CACHE_SIZE - 1)) * 2 - 1);
    scale.rgb.push(rgb);
    scale.css.push(`rgb(${rgb[0]},${rgb[1]},${rgb[2]})`);
    scale.pixels[k] = packPixel(rgb);
    // black or white text, whichever contrasts more: always >= 4.5:1 (WCAG AA)
    scale.lightText.push(luminance(rgb) < 0.179);
  }
  return scale;
}

// Each page or <cnn-lens> element has its own theme, so both scales live side by side; every
// function takes `dark` (themeOf() of the element being drawn).
let scales: [Scale, Scale] | null = null;
const scale = (dark: boolean): Scale => (scales ??= [buildScale(LIGHT), buildScale(DARK)])[dark ? 1 : 0];

/** Whether `el` is drawn in the dark theme: the nearest data-theme (a page's <html>, an element's root). */
export function themeOf(el: Element): 'light' | 'dark' {
  const holder = el.closest('[data-theme]') as HTMLElement | null;
  return (holder ?? document.documentElement).dataset.theme === 'dark' ? 'dark' : 'light';
}

/** Outline colours on heatmap canvases (selection, max-pool winner, other marks, hatching). */
export function markColors(dark: boolean): { sel: string; winner: string; other: string; hatch: string; focus: string } {
  return dark
    ? { sel: '#ffffff', winner: '#ffb347', other: '#d0d4dc', hatch: 'rgba(255,255,255,0.75)', focus: '#ffb347' }
    : { sel: '#111111', winner: '#7a3d00', other: '#333333', hatch: 'rgba(0,0,0,0.6)', focus: '#000000' };
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: RGB): number {
  const lin = (c: number) => { const x = c / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function interpolate(stops: RGB[], t: number): RGB {
  const x = (Math.max(-1, Math.min(1, t)) + 1) / 2 * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i], b = stops[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

function bucket(v: number, max: number): number {
  if (!Number.isFinite(v)) return v > 0 ? CACHE_SIZE - 1 : v < 0 ? 0 : (CACHE_SIZE - 1) / 2;
  const t = max > 0 ? v / max : 0;
  return Math.round((Math.max(-1, Math.min(1, t)) + 1) / 2 * (CACHE_SIZE - 1));
}

/** CSS colour for v on a scale from -max..max. */
export function colorCss(v: number, max: number, dark: boolean): string {
  return scale(dark).css[bucket(v, max)];
}

export function colorRgb(v: number, max: number, dark: boolean): RGB {
  return scale(dark).rgb[bucket(v, max)];
}

/** The colour as one opaque ImageData pixel, for writing through a Uint32Array view. */
export function colorPixel(v: number, max: number, dark: boolean): number {
  return scale(dark).pixels[bucket(v, max)];
}

/** The scale's 257 pixels from -max (0) to +max (256), for loops over many cells (the overview's thumbnails). */
export function pixelScale(dark: boolean): Uint32Array {
  return scale(dark).pixels;
}

/** An opaque [r, g, b] as one ImageData pixel in this machine's byte order. */
export function packPixel([r, g, b]: RGB): number {
  return (littleEndian ? (255 << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** Dark cell backgrounds need white text (chosen by luminance, so contrast is always AA). */
export function needsLightText(v: number, max: number, dark: boolean): boolean {
  return scale(dark).lightText[bucket(v, max)];
}

/** A CSS linear-gradient of the whole scale, for the legend. */
export function legendGradient(dark: boolean): string {
  const stops = scale(dark).stops;
  const parts = stops.map((s, i) => `rgb(${s[0]},${s[1]},${s[2]}) ${(i / (stops.length - 1)) * 100}%`);
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

/** the share of a heatmap's non-zero cells its colours must span (the rest show at full colour) */
const HEATMAP_SHARE = 0.98;
const HEATMAP_BINS = 1024;

/**
 * The colour extent of a heatmap: `max` spans the colours, `largest` is the largest |value|.
 * Usually both are maxAbs; but when a few cells stand far out (a filtered photo's zero-padded
 * border, one hot pixel), a scale up to them would leave every other cell near white. Then the
 * extent is the 98th percentile of the non-zero |values| (zeros are left out, so a mostly dark
 * ReLU map keeps its scale), found with a histogram in one pass, and the few cells beyond it show
 * at full colour: the robust colour limits plotting libraries offer. Only heatmaps use it; a
 * matrix that prints its numbers keeps every one of them inside the scale.
 */
export function heatmapExtent(data: ArrayLike<number>): { max: number; largest: number } {
  const largest = maxAbs(data);
  const bins = new Uint32Array(HEATMAP_BINS);
  let nonZero = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a === 0 || !Number.isFinite(a)) continue;
    bins[Math.min(HEATMAP_BINS - 1, Math.floor((a / largest) * HEATMAP_BINS))]++;
    nonZero++;
  }
  if (nonZero === 0) return { max: largest, largest };
  const wanted = Math.ceil(nonZero * HEATMAP_SHARE);
  let seen = 0;
  let bin = 0;
  while (bin < HEATMAP_BINS - 1 && seen + bins[bin] < wanted) seen += bins[bin++];
  // the bin's upper edge covers every value in it; clip only when that at least halves the scale
  const percentile = ((bin + 1) / HEATMAP_BINS) * largest;
  return { max: percentile * 2 <= largest ? percentile : largest, largest };
}
