// Three channels of a tensor as the colour picture they stand for (red, green, blue; each value
// 0..1, clamped): the input photo, and a conv layer's three outputs as the filtered photo.
import { h } from './dom';

export class ColourImage {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;

  constructor(width: number, height: number, label: string, caption: string, testid: string, big = false) {
    this.canvas = h('canvas', { class: big ? 'colour-preview big' : 'colour-preview', width, height, role: 'img', 'aria-label': label, title: label, testid });
    this.el = h('figure', { class: 'colour-figure' }, this.canvas, h('figcaption', {}, caption));
  }

  /** Channels 0, 1, 2 (planes of width×height in `data`) as red, green, blue. */
  draw(data: ArrayLike<number>): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const n = this.canvas.width * this.canvas.height;
    const img = ctx.createImageData(this.canvas.width, this.canvas.height);
    const px = img.data;
    const byte = (v: number) => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0);
    for (let i = 0; i < n; i++) {
      px[4 * i] = byte(data[i]);
      px[4 * i + 1] = byte(data[n + i]);
      px[4 * i + 2] = byte(data[2 * n + i]);
      px[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
}
