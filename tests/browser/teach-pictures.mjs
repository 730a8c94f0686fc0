// Pictures for the "Teach it your classes" tests and screenshots, made here: 24-bit BMPs of
// striped and plain pictures (three classes a small CNN can learn), and the sample the page must
// make of each (the centre square, area-averaged to 32×32, computed independently of web/src).
import { centreSquareMeans } from './reference-resample.mjs';
import { mulberry32 } from '../../tools/lib/mulberry32.mjs';

const SIDE = 32;
const W = 48, HT = 40; // not square: the sample is the centre square

/** A 24-bit BMP of `pixel(x, y) -> [r, g, b]`, written here (bottom-up rows padded to 4 bytes). */
export function bmp(width, height, pixel) {
  const row = Math.ceil((width * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + row * height);
  buf.write('BM', 0);
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const at = 54 + (height - 1 - y) * row + x * 3;
      buf[at] = b; buf[at + 1] = g; buf[at + 2] = r;
    }
  }
  return buf;
}


/** Class 0: horizontal stripes, 1: vertical stripes, 2: a plain colour; random colours, phase, period and noise. */
export function picture(kind, seed) {
  const r = mulberry32(seed * 7919 + kind);
  const fg = [r() * 255, r() * 255, r() * 255], bg = [255 - fg[0], 255 - fg[1], 255 - fg[2]];
  const period = 6 + Math.floor(r() * 5), phase = Math.floor(r() * period);
  const noise = () => (r() - 0.5) * 40;
  const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
  const pixels = [];
  const image = bmp(W, HT, (x, y) => {
    const t = kind === 0 ? y : x;
    const c = kind === 2 ? fg : ((t + phase) % period) < period / 2 ? fg : bg;
    const px = c.map((v) => clamp(v + noise()));
    pixels.push([x, y, px]);
    return px;
  });
  return { image, pixels };
}

/** The sample the page must make of a picture: the centre square, area-averaged to 32×32 (computed here), as bytes. */
export function referenceSample({ pixels }) {
  const grid = new Map(pixels.map(([x, y, px]) => [y * W + x, px]));
  return Uint8Array.from(centreSquareMeans(W, HT, (x, y) => grid.get(y * W + x), SIDE), Math.round);
}

export const files = (kind, seeds) => seeds.map((s) => ({ name: `${['horizontal', 'vertical', 'plain'][kind]}-${s}.bmp`, mimeType: 'image/bmp', buffer: picture(kind, s).image }));
