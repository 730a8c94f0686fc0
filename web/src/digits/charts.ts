// Small canvas charts of a data set's dashboard: curves over epochs (loss, accuracy) with a
// legend, and the class probabilities of the input as bars.
import { S } from '../strings';
import { drawFrame, prepareCanvas, strokePolyline } from '../views/chartFrame';
import { h } from '../views/dom';

export interface Series {
  label: string;
  /** CSS class of the legend key and a colour */
  color: string;
  dashed?: boolean;
  x: number[];
  y: number[];
}

export class CurveChart {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;
  /**
   * The canvas's CSS width as a ResizeObserver reported it (0: not yet). Reading clientWidth
   * instead would lay out the whole page, while the network's cards are still being added.
   */
  private width = 0;
  private last: { series: Series[]; aria: string; ink: string } | null = null;

  constructor(private readonly o: { title: string; testid: string; yMax?: number; percent?: boolean; height?: number }) {
    // named from the start: the curves' own label comes with the first drawing, a frame or more later
    this.canvas = h('canvas', { class: 'digits-chart', role: 'img', 'aria-label': o.title, testid: o.testid, width: 300, height: o.height ?? 130 });
    this.legend = h('div', { class: 'digits-legend' });
    this.el = h('figure', { class: 'digits-figure' }, h('figcaption', {}, o.title), this.canvas, this.legend);
    if (typeof ResizeObserver === 'undefined') return;
    // called after layout: drawn again at the width the canvas really has
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (w === this.width) return;
      this.width = w;
      if (w && this.last) this.render(this.last.series, this.last.aria, this.last.ink);
    }).observe(this.canvas);
  }

  /** `ink`: the axes' colour (the caller reads the theme's colours once, not per chart and frame). */
  render(series: Series[], aria: string, ink: string): void {
    this.last = { series, aria, ink };
    const H = this.o.height ?? 130;
    // width unknown until the observer reports it: the attribute's, redrawn then
    const { ctx, w, h: hgt } = prepareCanvas(this.canvas, H, this.width || (typeof ResizeObserver === 'undefined' ? 0 : Number(this.canvas.getAttribute('width'))));
    this.canvas.setAttribute('aria-label', aria);
    const pad = { l: 38, r: 8, t: 8, b: 22 };
    const W = w - pad.l - pad.r, Hh = hgt - pad.t - pad.b;
    let xMax = 0, yMax = this.o.yMax ?? 0;
    for (const s of series) {
      for (const x of s.x) if (x > xMax) xMax = x;
      if (this.o.yMax === undefined) for (const y of s.y) if (Number.isFinite(y) && y > yMax) yMax = y;
    }
    xMax = Math.max(xMax, 1);
    yMax = yMax || 1;
    drawFrame(ctx, { l: pad.l, t: pad.t, w: W, h: Hh }, ink, '10px system-ui, sans-serif', (f) => {
      const v = yMax * f;
      return this.o.percent ? `${Math.round(v * 100)}%` : v.toFixed(v >= 10 ? 0 : 2);
    });
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('0', pad.l, pad.t + Hh + 4);
    ctx.fillText(xMax < 10 ? xMax.toFixed(1) : String(Math.round(xMax)), pad.l + W - 8, pad.t + Hh + 4);
    ctx.fillText(S.digitsAxisEpoch, pad.l + W / 2, pad.t + Hh + 4);
    for (const s of series) {
      if (!s.x.length) continue;
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dashed ? [5, 3] : []);
      strokePolyline(ctx, s.x.length, W, (i) => pad.l + (s.x[i] / xMax) * W, (i) => pad.t + Hh * (1 - Math.min(1, Math.max(0, s.y[i] / yMax))));
      ctx.setLineDash([]);
      if (s.x.length === 1) {
        ctx.beginPath();
        ctx.arc(pad.l + (s.x[0] / xMax) * W, pad.t + Hh * (1 - Math.min(1, s.y[0] / yMax)), 2.5, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    const keys = series.map((s) => `${s.label}:${s.color}:${s.dashed}`).join('|');
    if (this.legend.dataset.keys !== keys) {
      this.legend.dataset.keys = keys;
      this.legend.replaceChildren(...series.map((s) =>
        h('span', { class: 'digits-key' }, h('span', { class: `swatch${s.dashed ? ' dashed' : ''}`, style: `border-color:${s.color}`, 'aria-hidden': 'true' }), s.label)));
    }
  }
}

/** The class probabilities as labelled horizontal bars; the winner is highlighted. */
export class ProbabilityBars {
  readonly el: HTMLElement;
  private readonly bars: HTMLElement[] = [];
  private readonly values: HTMLElement[] = [];
  private readonly rows: HTMLElement[] = [];

  /** `names[k]`: class k's name (a digit's is the digit); `aria(name, pct)`: a bar's spoken label. */
  constructor(prefix: string, title: string, private readonly names: string[], private readonly aria: (name: string, pct: string) => string) {
    const named = names.some((n) => n.length > 1);
    this.el = h('ol', { class: named ? 'digits-probs named' : 'digits-probs', testid: `${prefix}-probs`, 'aria-label': title });
    for (let k = 0; k < names.length; k++) {
      const bar = h('span', { class: 'bar' });
      const value = h('span', { class: 'value', testid: `${prefix}-prob-${k}` });
      const row = h('li', { class: 'prob' }, h('span', { class: 'digit' }, names[k]), h('span', { class: 'track' }, bar), value);
      this.bars.push(bar);
      this.values.push(value);
      this.rows.push(row);
      this.el.append(row);
    }
  }

  render(p: Float32Array, winner: number): void {
    for (let k = 0; k < this.names.length; k++) {
      const v = p[k] ?? 0;
      this.bars[k].style.width = `${(v * 100).toFixed(1)}%`;
      const text = `${(v * 100).toFixed(v >= 0.995 || v < 0.001 ? 0 : 1)}%`;
      if (this.values[k].textContent !== text) this.values[k].textContent = text;
      this.rows[k].classList.toggle('winner', k === winner);
      this.rows[k].setAttribute('aria-label', this.aria(this.names[k], text));
    }
  }
}

/** The curves' and axes' colours of a theme. */
export interface ChartColors { train: string; test: string; ink: string }

/**
 * The current theme's chart colours (styles.css). Reading computed styles restyles the page:
 * callers read them once per theme, not per chart and frame.
 */
export function themeColors(): ChartColors {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { train: v('--digits-train', '#2166ac'), test: v('--digits-test', '#b2182b'), ink: v('--muted', '#555') };
}
