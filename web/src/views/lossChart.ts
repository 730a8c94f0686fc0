// The loss curve on a canvas with labelled axes (linear loss, step number).
import { fmt } from '../format';
import { S } from '../strings';
import { h } from './dom';

export class LossChart {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private lastLen = -1;
  private lastLast = NaN;

  constructor() {
    this.canvas = h('canvas', { class: 'chart', testid: 'loss-chart', role: 'img', width: 320, height: 150 });
    this.el = h('div', { class: 'chart-wrap' }, this.canvas);
    document.addEventListener('cnnlens:theme', () => { this.lastLen = -1; });
  }

  render(history: Float32Array): void {
    const n = history.length;
    const last = n ? history[n - 1] : NaN;
    if (n === this.lastLen && (Object.is(last, this.lastLast))) return;
    this.lastLen = n;
    this.lastLast = last;
    const cv = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssW = cv.clientWidth || 320, cssH = 150;
    if (cv.width !== Math.round(cssW * dpr)) { cv.width = Math.round(cssW * dpr); cv.height = Math.round(cssH * dpr); }
    const ctx = cv.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    cv.setAttribute('aria-label', n ? S.chartAria(n, fmt(last)) : S.chartEmpty);
    const styles = getComputedStyle(document.documentElement);
    const ink = styles.getPropertyValue('--muted').trim() || '#555';
    const line = styles.getPropertyValue('--accent').trim() || '#2166ac';
    const pad = { l: 48, r: 10, t: 10, b: 30 };
    const w = cssW - pad.l - pad.r, hgt = cssH - pad.t - pad.b;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = ink;
    ctx.strokeStyle = ink;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t);
    ctx.lineTo(pad.l, pad.t + hgt);
    ctx.lineTo(pad.l + w, pad.t + hgt);
    ctx.stroke();
    if (!n) {
      ctx.textAlign = 'center';
      ctx.fillText(S.chartEmpty, pad.l + w / 2, pad.t + hgt / 2, w - 8);
      return;
    }
    let max = 0;
    for (const v of history) if (Number.isFinite(v) && v > max) max = v;
    max = max || 1;
    // y ticks at 0, max/2, max
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) {
      const y = pad.t + hgt * (1 - f);
      ctx.fillText(fmt(max * f), pad.l - 4, y);
      ctx.globalAlpha = 0.15;
      ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(pad.l + w, y); ctx.stroke();
      ctx.globalAlpha = 1;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('1', pad.l, pad.t + hgt + 4);
    ctx.fillText(String(n), pad.l + w, pad.t + hgt + 4);
    ctx.fillText(S.chartAxisX, pad.l + w / 2, pad.t + hgt + 14);
    ctx.save();
    ctx.translate(10, pad.t + hgt / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(S.chartAxisY, 0, -6);
    ctx.restore();
    ctx.strokeStyle = line;
    ctx.lineWidth = 2;
    ctx.beginPath();
    // at most one point per pixel column
    const stride = Math.max(1, Math.floor(n / w));
    for (let i = 0; i < n; i += stride) {
      const x = pad.l + (n === 1 ? 0 : (i / (n - 1)) * w);
      const y = pad.t + hgt * (1 - Math.min(1, history[i] / max));
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}
