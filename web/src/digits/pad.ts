// The drawing pad: draw with mouse, pen or touch on a large canvas; every change is turned into
// the network's input and handed to `onInput`, at most once per animation frame while drawing
// and once more when the stroke ends. By default a digit: white ink turned into the 28x28
// MNIST-style input (preprocess.ts); "Teach it your classes" draws dark ink on white paper and
// reads colour pixels (PadStyle).
import { S } from '../strings';
import { button, h } from '../views/dom';
import { toMnist } from './preprocess';

const SIZE = 280;
/** stroke width on the 280 px canvas: after scaling the drawing to 20 px, about 2 px like MNIST */
const PEN = 20;

/** How a pad looks and what its drawing becomes. */
export interface PadStyle {
  testid: string;
  /** the paper's colour, or null for a transparent pad over the page's dark square (digits) */
  paper: string | null;
  ink: string;
  pen: number;
  label: string;
  /** the network's input from the pad's canvas (SIZE x SIZE) */
  read: (ctx: CanvasRenderingContext2D, size: number) => Float32Array;
}

/** MNIST's preparation of white ink (its alpha) on nothing. */
function digitStyle(): PadStyle {
  return {
    testid: 'digits-pad', paper: null, ink: '#fff', pen: PEN, label: S.digitsPadAria,
    read: (ctx, size) => {
      const rgba = ctx.getImageData(0, 0, size, size).data;
      const ink = new Float32Array(size * size);
      for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
      return toMnist(ink, size, size);
    },
  };
}

export class DrawPad {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private pending = 0;
  private drawn = false;

  private readonly style: PadStyle;

  constructor(private readonly onInput: (pixels: Float32Array | null) => void, style?: PadStyle) {
    const st = this.style = style ?? digitStyle();
    this.canvas = h('canvas', { class: st.paper ? 'digits-pad paper' : 'digits-pad', width: SIZE, height: SIZE, testid: st.testid, role: 'img', 'aria-label': st.label });
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.paint();
    const clear = button(S.digitsClear, () => this.clear(), { testid: st.testid === 'digits-pad' ? 'digits-clear' : `${st.testid}-clear` });
    this.el = h('div', { class: 'digits-pad-wrap' }, this.canvas, h('div', { class: 'buttons' }, clear));
    this.canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      // preventDefault keeps the focus where it was: a field being typed in (a class's name)
      // is left now, as a click elsewhere would leave it, so what was typed is applied
      const typing = document.activeElement;
      if (typing instanceof HTMLInputElement || typing instanceof HTMLTextAreaElement) typing.blur();
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
    this.paint();
    this.drawn = false;
    if (notify) this.onInput(null);
  }

  /** The network's input of the current drawing. */
  pixels(): Float32Array {
    return this.style.read(this.ctx, SIZE);
  }

  /** Blank paper (or nothing). */
  private paint(): void {
    this.ctx.clearRect(0, 0, SIZE, SIZE);
    if (!this.style.paper) return;
    this.ctx.fillStyle = this.style.paper;
    this.ctx.fillRect(0, 0, SIZE, SIZE);
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * SIZE, y: ((e.clientY - r.top) / r.height) * SIZE };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = this.style.ink;
    c.lineWidth = this.style.pen;
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
