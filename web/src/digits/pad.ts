// The drawing pad: draw a digit with mouse, pen or touch on a large canvas; every change is
// turned into the 28x28 MNIST-style input (preprocess.ts) and handed to `onInput`, at most
// once per animation frame while drawing and once more when the stroke ends.
import { S } from '../strings';
import { button, h } from '../views/dom';
import { toMnist } from './preprocess';

const SIZE = 280;
/** stroke width on the 280 px canvas: after scaling the drawing to 20 px, about 2 px like MNIST */
const PEN = 20;

export class DrawPad {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private pending = 0;
  private drawn = false;

  constructor(private readonly onInput: (pixels: Float32Array | null) => void) {
    this.canvas = h('canvas', { class: 'digits-pad', width: SIZE, height: SIZE, testid: 'digits-pad', role: 'img', 'aria-label': S.digitsPadAria });
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    const clear = button(S.digitsClear, () => this.clear(), { testid: 'digits-clear' });
    this.el = h('div', { class: 'digits-pad-wrap' }, this.canvas, h('div', { class: 'buttons' }, clear));
    this.canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      this.canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      // coalesced events keep fast strokes smooth
      for (const ev of e.getCoalescedEvents?.() ?? [e]) {
        const p = this.point(ev);
        this.stroke(this.last, p);
        this.last = p;
      }
    });
    const end = () => {
      if (!this.last) return;
      this.last = null;
      cancelAnimationFrame(this.pending);
      this.pending = 0;
      this.emit();
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
  }

  get isEmpty(): boolean {
    return !this.drawn;
  }

  /** Wipes the pad; `notify`: tell the owner that the input is now empty (not when it has another). */
  clear(notify = true): void {
    this.ctx.clearRect(0, 0, SIZE, SIZE);
    this.drawn = false;
    if (notify) this.onInput(null);
  }

  /** The 28x28 input of the current drawing. */
  pixels(): Float32Array {
    const rgba = this.ctx.getImageData(0, 0, SIZE, SIZE).data;
    const ink = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
    return toMnist(ink, SIZE, SIZE);
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * SIZE, y: ((e.clientY - r.top) / r.height) * SIZE };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = '#fff';
    c.lineWidth = PEN;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x + 0.01, b.y);
    c.stroke();
    this.drawn = true;
    this.pending ||= requestAnimationFrame(() => { this.pending = 0; this.emit(); });
  }

  private emit(): void {
    this.onInput(this.drawn ? this.pixels() : null);
  }
}
