// Step 8's loss landscape: the core computes the loss on a grid over two parameters
// (Model.lossLandscape, on a throwaway copy of the live model), then gradient descent on just
// those two parameters runs on the same copy so its path stays on the drawn surface.
// Also the two-curve chart of step 9 (SGD vs Adam).
import type { CnnLensModule, LossLandscape } from '../wasm/cnnlens.mjs';
import { fmt } from '../format';

export interface ParamRef { layer: number; name: 'weight' | 'bias'; index: number }

export interface LandscapeResult {
  grid: LossLandscape;
  a: ParamRef;
  b: ParamRef;
  res: number;
  half: number;
  start: [number, number];
  path: [number, number][];
  ms: number;
}

export const RES = 41;
export const HALF = 2;
export const PATH_STEPS = 30;

export function refKey(p: ParamRef): string {
  return `${p.layer}:${p.name}:${p.index}`;
}

export function parseRef(key: string): ParamRef {
  const [l, n, i] = key.split(':');
  return { layer: Number(l), name: n === 'bias' ? 'bias' : 'weight', index: Number(i) };
}

/** The landscape and a descent path of `steps` plain gradient steps (learning rate lr) on a copy. */
export function computeLandscape(module: CnnLensModule, sceneJson: string, a: ParamRef, b: ParamRef, lr: number, steps = PATH_STEPS): LandscapeResult {
  const copy = new module.Model(sceneJson);
  try {
    const t0 = performance.now();
    const grid = copy.lossLandscape(a.layer, a.name, a.index, b.layer, b.name, b.index, HALF, RES);
    const ms = performance.now() - t0;
    const read = (p: ParamRef, t = '') => copy.copy(p.layer, p.name + t)[p.index];
    const start: [number, number] = [read(a), read(b)];
    const path: [number, number][] = [start];
    for (let k = 0; k < steps; k++) {
      const ga = read(a, '.grad'), gb = read(b, '.grad');
      const [x, y] = path[path.length - 1];
      const next: [number, number] = [x - lr * ga, y - lr * gb];
      if (!next.every(Number.isFinite)) break;
      copy.setParamElement(a.layer, a.name, a.index, next[0]);
      if (refKey(a) !== refKey(b)) copy.setParamElement(b.layer, b.name, b.index, next[1]);
      path.push(next);
    }
    return { grid, a, b, res: RES, half: HALF, start, path, ms };
  } finally {
    copy.delete();
  }
}

// a perceptually ordered dark-to-light scale (viridis end points): low loss is dark
const STOPS: [number, number, number][] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function heat(t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export const PAD = { l: 40, r: 8, t: 8, b: 34 };

/** Draws the heatmap, the path, the start and the grid minimum; records the marker position. */
export function drawLandscape(cv: HTMLCanvasElement, L: LandscapeResult, labelA: string, labelB: string): void {
  const cssW = Math.max(200, Math.min(420, cv.clientWidth || 300));
  const plot = cssW - PAD.l - PAD.r;
  const cssH = plot + PAD.t + PAD.b;
  const dpr = window.devicePixelRatio || 1;
  cv.width = Math.round(cssW * dpr);
  cv.height = Math.round(cssH * dpr);
  cv.style.height = `${cssH}px`;
  const ctx = cv.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const { grid, res } = L;
  let lo = Infinity, hi = -Infinity;
  for (const v of grid.loss) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  const cell = plot / res;
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      ctx.fillStyle = heat(Math.sqrt((grid.loss[r * res + c] - lo) / span));
      // row r holds bValues[r]; larger b is drawn higher up
      ctx.fillRect(PAD.l + c * cell, PAD.t + (res - 1 - r) * cell, Math.ceil(cell), Math.ceil(cell));
    }
  }
  const a0 = grid.aValues[0], a1 = grid.aValues[res - 1], b0 = grid.bValues[0], b1 = grid.bValues[res - 1];
  const px = (a: number) => PAD.l + ((a - a0) / (a1 - a0)) * (plot - cell) + cell / 2;
  const py = (b: number) => PAD.t + (1 - (b - b0) / (b1 - b0)) * (plot - cell) + cell / 2;

  // the descent path, clipped to the plot
  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.l, PAD.t, plot, plot);
  ctx.clip();
  ctx.strokeStyle = '#ff9f1c';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  L.path.forEach(([a, b], k) => (k ? ctx.lineTo(px(a), py(b)) : ctx.moveTo(px(a), py(b))));
  ctx.stroke();
  ctx.fillStyle = '#ff9f1c';
  for (const [a, b] of L.path.slice(1)) { ctx.beginPath(); ctx.arc(px(a), py(b), 2, 0, Math.PI * 2); ctx.fill(); }
  ctx.restore();

  // start: a dark dot with a white rim
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#1c2330';
  ctx.beginPath(); ctx.arc(px(L.start[0]), py(L.start[1]), 5, 0, Math.PI * 2); ctx.fill(); ctx.stroke();

  // the lowest grid cell: a white dot in a dark ring
  const mx = PAD.l + (grid.minCol + 0.5) * cell;
  const my = PAD.t + (res - 1 - grid.minRow + 0.5) * cell;
  ctx.fillStyle = '#fff';
  ctx.strokeStyle = '#1c2330';
  ctx.lineWidth = 2;
  ctx.beginPath(); ctx.arc(mx, my, 5, 0, Math.PI * 2); ctx.fill(); ctx.stroke();
  Object.assign(cv.dataset, {
    minRow: String(grid.minRow), minCol: String(grid.minCol), minX: mx.toFixed(2), minY: my.toFixed(2),
    a: refKey(L.a), b: refKey(L.b), res: String(res), half: String(L.half),
  });

  // axes: value range of each parameter and its name
  const styles = getComputedStyle(document.documentElement);
  ctx.fillStyle = styles.getPropertyValue('--muted').trim() || '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(fmt(a0), PAD.l, PAD.t + plot + 3);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(a1), PAD.l + plot, PAD.t + plot + 3);
  ctx.textAlign = 'center';
  ctx.fillText(labelA, PAD.l + plot / 2, PAD.t + plot + 17, plot - 70);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(fmt(b0), PAD.l - 3, PAD.t + plot);
  ctx.textBaseline = 'top';
  ctx.fillText(fmt(b1), PAD.l - 3, PAD.t);
  ctx.save();
  ctx.translate(PAD.l - 14, PAD.t + plot / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(labelB, 0, 0, plot - 70);
  ctx.restore();
}

export const CURVE_COLORS = ['#2166ac', '#d95f02'];

/** Loss curves on one linear scale (step 9: SGD and Adam from the same start). */
export function drawCurves(cv: HTMLCanvasElement, curves: Float32Array[], axisX: string, axisY: string): void {
  const cssW = Math.max(200, cv.clientWidth || 300), cssH = 160;
  const dpr = window.devicePixelRatio || 1;
  cv.width = Math.round(cssW * dpr);
  cv.height = Math.round(cssH * dpr);
  const ctx = cv.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const pad = { l: 44, r: 8, t: 8, b: 30 };
  const w = cssW - pad.l - pad.r, hgt = cssH - pad.t - pad.b;
  const ink = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#555';
  let max = 0, n = 0;
  for (const c of curves) { n = Math.max(n, c.length); for (const v of c) if (Number.isFinite(v) && v > max) max = v; }
  max ||= 1;
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, pad.t + hgt); ctx.lineTo(pad.l + w, pad.t + hgt); ctx.stroke();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText(fmt(max), pad.l - 4, pad.t + 4);
  ctx.fillText('0', pad.l - 4, pad.t + hgt);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText('1', pad.l, pad.t + hgt + 3);
  ctx.fillText(String(n), pad.l + w, pad.t + hgt + 3);
  ctx.fillText(axisX, pad.l + w / 2, pad.t + hgt + 15);
  ctx.save();
  ctx.translate(12, pad.t + hgt / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(axisY, 0, -6);
  ctx.restore();
  curves.forEach((c, k) => {
    ctx.strokeStyle = CURVE_COLORS[k % CURVE_COLORS.length];
    ctx.lineWidth = 2;
    ctx.setLineDash(k ? [6, 3] : []);
    ctx.beginPath();
    c.forEach((v, i) => {
      const x = pad.l + (n > 1 ? (i / (n - 1)) * w : 0);
      const y = pad.t + hgt * (1 - Math.min(1, v / max));
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
  ctx.setLineDash([]);
}
