// The gallery of a data set's test images: a few of each class under its name; clicking one
// (or Enter/Space on it) makes it the network's input. The images arrive from the worker once
// the data set is loaded; until then the gallery is empty.
import { S } from '../strings';
import { h } from '../views/dom';
import type { LabelledSet } from './protocol';

const PAINT_PER_FRAME = 4;

export class Gallery {
  readonly el: HTMLElement;
  private readonly grid: HTMLElement;
  private items: HTMLButtonElement[] = [];
  private picked = -1;
  /** canvases still to paint, a few per frame (see show) */
  private unpainted: (() => void)[] = [];
  private frame = 0;

  /** `onPick(index)`: the gallery's image `index` was chosen. */
  constructor(private readonly prefix: string, private readonly onPick: (index: number) => void) {
    this.grid = h('div', { class: 'digits-gallery', testid: `${prefix}-gallery`, role: 'group', 'aria-label': S.galleryTitle });
    this.el = h('div', { class: 'digits-gallery-wrap' }, this.grid, h('p', { class: 'note' }, S.galleryHint));
  }

  /** The images, class by class; `names[k]`: class k's name. */
  show(set: LabelledSet, side: number, names: string[]): void {
    const pixels = side * side;
    this.stopPainting();
    this.items = [];
    this.picked = -1;
    const groups: HTMLElement[] = [];
    for (let i = 0; i < set.labels.length; i++) {
      const k = set.labels[i];
      if (!groups[k]) groups[k] = h('figure', { class: 'gallery-class', testid: `${this.prefix}-gallery-class-${k}` }, h('figcaption', {}, names[k]), h('div', { class: 'gallery-row' }));
      const canvas = h('canvas', { width: side, height: side, 'aria-hidden': 'true' });
      const image = set.images.subarray(i * pixels, (i + 1) * pixels);
      this.unpainted.push(() => paint(canvas, image, side));
      const item = h('button', { type: 'button', class: 'gallery-item', 'aria-label': S.galleryItem(names[k]), 'aria-pressed': 'false', title: names[k], testid: `${this.prefix}-gallery-item` }, canvas);
      item.dataset.class = String(k);
      item.addEventListener('click', () => { this.mark(i); this.onPick(i); });
      groups[k].lastElementChild!.append(item);
      this.items.push(item);
    }
    this.grid.replaceChildren(...groups.filter(Boolean));
    // columns as wide as a class's row of images (styles.css)
    this.grid.style.setProperty('--per-class', String(Math.max(1, ...groups.filter(Boolean).map((g) => g.lastElementChild!.childElementCount))));
    this.paintSome();
  }

  /**
   * A few canvases a frame: in software raster each new canvas costs its context, its pixels and
   * its commit (about 3 ms), and all 20-30 in one frame froze the page for about 100 ms while
   * the example opened.
   */
  private paintSome(): void {
    for (const paintOne of this.unpainted.splice(0, PAINT_PER_FRAME)) paintOne();
    this.frame = this.unpainted.length ? requestAnimationFrame(() => this.paintSome()) : 0;
  }

  private stopPainting(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.unpainted = [];
  }

  /** Highlights image `index` (-1: none, e.g. after a drawing). */
  mark(index: number): void {
    if (this.picked >= 0) this.items[this.picked]?.setAttribute('aria-pressed', 'false');
    this.picked = index;
    if (index >= 0) this.items[index]?.setAttribute('aria-pressed', 'true');
  }

  clear(): void {
    this.stopPainting();
    this.items = [];
    this.picked = -1;
    this.grid.replaceChildren();
  }
}

/** Grey pixels (0 = black background), one canvas pixel each; CSS scales the canvas up. */
function paint(canvas: HTMLCanvasElement, pixels: Uint8Array, side: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(side, side);
  for (let p = 0; p < pixels.length; p++) {
    img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = pixels[p];
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
