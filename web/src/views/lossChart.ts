// The loss curve on a canvas with labelled axes (linear loss, step number).
import { fmt } from '../format';
import { S } from '../strings';
import { cssColor, drawFrame, prepareCanvas, strokePolyline } from './chartFrame';
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
    const { ctx, w: cssW, h: cssH } = prepareCanvas(this.canvas, 150);
    this.canvas.setAttribute('aria-label', n ? S.chartAria(n, fmt(last)) : S.chartEmpty);
    const ink = cssColor(this.canvas, '--muted', '#555');
    const line = cssColor(this.canvas, '--accent', '#2166ac');
    const box = { l: 48, t: 10, w: cssW - 48 - 10, h: cssH - 10 - 30 };
    const { l, t, w, h: hgt } = box;
    let max = 0;
    for (const v of history) if (Number.isFinite(v) && v > max) max = v;
    max = max || 1;
    drawFrame(ctx, box, ink, '11px system-ui, sans-serif', (f) => (n ? fmt(max * f) : ''));
    if (!n) {
      ctx.textAlign = 'center';
      ctx.fillText(S.chartEmpty, l + w / 2, t + hgt / 2, w - 8);
      return;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('1', l, t + hgt + 4);
    ctx.fillText(String(n), l + w, t + hgt + 4);
    ctx.fillText(S.chartAxisX, l + w / 2, t + hgt + 14);
    ctx.save();
    ctx.translate(10, t + hgt / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(S.chartAxisY, 0, -6);
    ctx.restore();
    ctx.strokeStyle = line;
    ctx.lineWidth = 2;
    strokePolyline(ctx, n, w, (i) => l + (n === 1 ? 0 : (i / (n - 1)) * w), (i) => t + hgt * (1 - Math.min(1, history[i] / max)));
  }
}
