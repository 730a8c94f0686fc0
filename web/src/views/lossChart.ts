// The loss curve on a canvas with labelled axes: step number across, the loss up, linear or
// logarithmic; a dashed line marks each step where the optimizer was switched.
import { fmt } from '../format';
import type { OptimizerSwitch } from '../history';
import { S } from '../strings';
import { onThemeToggle } from '../theme';
import { cssColor, drawFrame, fillTextWrapped, prepareCanvas, strokePolyline } from './chartFrame';
import { h } from './dom';

export class LossChart {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private lastKey = '';

  constructor(lifetime: AbortController) {
    this.canvas = h('canvas', { class: 'chart', testid: 'loss-chart', role: 'img', width: 320, height: 150 });
    this.el = h('div', { class: 'chart-wrap' }, this.canvas);
    onThemeToggle(lifetime, () => { this.lastKey = ''; });
  }

  render(history: readonly number[], switches: readonly OptimizerSwitch[] = [], log = false): void {
    const n = history.length;
    const last = n ? history[n - 1] : NaN;
    // redraw only when something drawn changed (every redraw of the page calls this)
    const key = `${n}|${last}|${history[0]}|${log}|${switches.map((s) => s.at).join(',')}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const { ctx, w: cssW, h: cssH } = prepareCanvas(this.canvas, 150);
    this.canvas.setAttribute('aria-label', n ? S.chartAria(n, fmt(last)) : S.chartEmpty);
    this.canvas.dataset.scale = log ? 'log' : 'linear';
    this.canvas.dataset.steps = String(n);
    const ink = cssColor(this.canvas, '--muted', '#555');
    const line = cssColor(this.canvas, '--accent', '#2166ac');
    const box = { l: 48, t: 10, w: cssW - 48 - 10, h: cssH - 10 - 30 };
    const { l, t, w, h: hgt } = box;
    let max = 0, min = Infinity;
    for (const v of history) if (Number.isFinite(v)) { if (v > max) max = v; if (v > 0 && v < min) min = v; }
    max = max || 1;
    // log: whole decades from the smallest positive loss to the largest
    const top = log ? Math.ceil(Math.log10(max)) : 0;
    const bottom = log ? Math.min(top - 1, Math.floor(Math.log10(Number.isFinite(min) ? min : max))) : 0;
    const frac = (v: number) => (log ? (Math.log10(Math.max(v, 10 ** bottom)) - bottom) / (top - bottom) : Math.min(1, v / max));
    const label = (f: number) => (n ? fmt(log ? 10 ** (bottom + f * (top - bottom)) : max * f, 2) : '');
    drawFrame(ctx, box, ink, '11px system-ui, sans-serif', label);
    if (!n) {
      fillTextWrapped(ctx, S.chartEmpty, l + w / 2, t + hgt / 2, w - 16, 15);
      return;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('1', l, t + hgt + 4);
    ctx.fillText(String(n), l + w, t + hgt + 4);
    ctx.fillText(log ? `${S.chartAxisX} · ${S.chartLog}` : S.chartAxisX, l + w / 2, t + hgt + 14);
    ctx.save();
    ctx.translate(10, t + hgt / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(S.chartAxisY, 0, -6);
    ctx.restore();
    const x = (i: number) => l + (n === 1 ? 0 : (i / (n - 1)) * w);
    // where the optimizer changed: the steps after it belong to another optimizer's state
    ctx.save();
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = ink;
    for (const s of switches) {
      if (s.at <= 0 || s.at >= n) continue;
      const sx = x(s.at - 0.5);
      ctx.beginPath();
      ctx.moveTo(sx, t);
      ctx.lineTo(sx, t + hgt);
      ctx.stroke();
    }
    ctx.restore();
    ctx.strokeStyle = line;
    ctx.lineWidth = 2;
    strokePolyline(ctx, n, w, x, (i) => t + hgt * (1 - frac(history[i])));
  }
}
