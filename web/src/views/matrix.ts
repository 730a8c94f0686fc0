// One matrix: a grid of focusable, editable number cells on a diverging colour scale, or a
// heatmap-only canvas (value on hover/focus) when it is too large for numbers. Updates in
// place: only cells whose text or colour changed are written.
import { colorCss, colorPixel, markColors, needsLightText, themeOf } from '../colors';
import { checkCellText, fmt, fmtCell } from '../format';
import { S } from '../strings';

export interface MatrixOptions {
  rows: number;
  cols: number;
  /** cells actually used (a vector laid out on rows*cols may leave the last row short) */
  count?: number;
  testid: string;
  caption?: string;
  /** name for screen readers, e.g. "Output ch 1" */
  what: string;
  editable?: boolean;
  onCommit?: (index: number, value: number) => void;
  /** hover or keyboard focus on a cell */
  onPoint?: (index: number) => void;
  paint?: { active: () => boolean; paint: (index: number, first: boolean) => void };
  /** extra tooltip per cell (e.g. where a flattened value came from) */
  cellTitle?: (index: number) => string;
  /** extra class per cell, fixed for the matrix's lifetime (e.g. source channel stripes) */
  cellClass?: (index: number) => string;
  /** draw as a heatmap canvas even when small (its block has too many cells for numbers) */
  heatmap?: boolean;
  /**
   * Where a heatmap reads out the value under the pointer or keyboard focus: one line shared by
   * the whole block (TensorBlock), so hovering never changes the layout. `readoutLabel` names
   * the matrix there ("channel 4"; default `what`).
   */
  readout: HTMLElement;
  readoutLabel?: string;
}

const MAX_DOM = 16;
// Characters of tabular digits that fit a cell (44px at 11px, 29px at 9px; styles.css).
const CELL_CHARS = { normal: 6, compact: 5 };

function sameData(a: Float32Array, b: Float32Array): boolean {
  if (b.length < a.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameMarks(a: Map<number, string>, b: Map<number, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [i, cls] of a) if (b.get(i) !== cls) return false;
  return true;
}

/**
 * Focuses without laying the page out now: scrolling a focused element into view needs layout,
 * and an edit is about to change hundreds of cells anyway. The scroll follows in the next frame,
 * when the page is laid out once for painting.
 */
function focusWithoutLayout(el: HTMLElement): void {
  el.focus({ preventScroll: true });
  requestAnimationFrame(() => { if (document.activeElement === el) el.scrollIntoView({ block: 'nearest', inline: 'nearest' }); });
}

// The last pointer kind, page-wide: a touch tap selects a cell (an Edit button edits it), a
// mouse click edits at once. CSS shows the Edit buttons on touch screens (html.touch).
let lastPointer = '';
if (typeof document !== 'undefined') {
  document.addEventListener('pointerdown', (e) => {
    lastPointer = e.pointerType;
    document.documentElement.classList.toggle('touch', e.pointerType === 'touch');
  }, { capture: true, passive: true });
}

/** A heatmap's drawing state: the canvas context and what it shows. */
interface Heat {
  ctx: CanvasRenderingContext2D;
  /** what the canvas shows now: an edit leaves many maps as they were, and those are not redrawn */
  shown: { data: Float32Array; max: number; marks: Map<number, string> | null; focus: number; dark: boolean };
}

/** Which matrix of a block last wrote the block's shared readout (only it clears the line). */
const readoutOwner = new WeakMap<HTMLElement, MatrixView>();

export class MatrixView {
  // A redraw sends new numbers and then new marks (ReLU masks change with the numbers): heatmaps
  // only note that they are stale and are drawn once, when the app has sent everything
  // (App calls drawPending; a microtask does it for anyone else).
  private static readonly stale = new Set<MatrixView>();
  private static drawQueued = false;

  private static chunkQueued = false;
  /** heatmap drawing per frame before the rest waits for the next one */
  static readonly FRAME_BUDGET_MS = 12;

  /**
   * Draws every heatmap whose numbers, marks or focus changed since the last call. With a
   * budget, the drawing stops after `budgetMs` and goes on in the next frames: opening a network
   * of hundreds of heatmaps (Digits) then never holds the page for longer than a frame.
   */
  static drawPending(budgetMs = Infinity): void {
    MatrixView.drawQueued = false;
    const t0 = performance.now();
    for (const v of [...MatrixView.stale]) {
      // off screen: drawn when it scrolls into view (Digits opens with ~200 maps below the fold);
      // an unbudgeted call (tests, exports) draws everything now
      if (!v.el.isConnected) { MatrixView.stale.delete(v); continue; } // replaced by a rebuild
      if (v.offscreen !== false && budgetMs !== Infinity) continue;
      if (performance.now() - t0 > budgetMs) {
        if (!MatrixView.chunkQueued) {
          MatrixView.chunkQueued = true;
          requestAnimationFrame(() => { MatrixView.chunkQueued = false; MatrixView.drawPending(budgetMs); });
        }
        return;
      }
      MatrixView.stale.delete(v);
      v.draw();
    }
  }

  /** Heatmaps tell whether they are (near) the viewport, so off-screen ones wait to be drawn. */
  private static watcher: IntersectionObserver | null = null;
  private static readonly byCanvas = new WeakMap<Element, MatrixView>();
  private static watch(v: MatrixView, canvas: HTMLCanvasElement): void {
    if (typeof IntersectionObserver === 'undefined') return;
    MatrixView.watcher ??= new IntersectionObserver((entries) => {
      for (const e of entries) {
        const view = MatrixView.byCanvas.get(e.target);
        // A canvas taken off the page (a rebuilt card, a removed <cnn-lens>) reports once more:
        // the observer lets it go, or it would keep every old canvas alive.
        if (!e.target.isConnected) {
          MatrixView.watcher?.unobserve(e.target);
          if (view) MatrixView.stale.delete(view);
          continue;
        }
        if (!view) continue;
        view.offscreen = !e.isIntersecting;
        if (!view.offscreen && MatrixView.stale.has(view)) view.requestDraw();
      }
    }, { rootMargin: '300px' });
    MatrixView.byCanvas.set(canvas, v);
    MatrixView.watcher.observe(canvas);
  }
  /** Lets the heatmaps under `root` go (a removed <cnn-lens>: off-screen ones would report nothing more). */
  static release(root: ParentNode): void {
    for (const canvas of root.querySelectorAll('canvas')) {
      MatrixView.watcher?.unobserve(canvas);
      const view = MatrixView.byCanvas.get(canvas);
      if (view) MatrixView.stale.delete(view);
    }
  }
  /**
   * Far from the viewport? null until the observer's first report (a frame after the canvas is
   * laid out): a new heatmap is drawn then, if it is on screen, never in the task that built it.
   * Without IntersectionObserver every heatmap counts as on screen.
   */
  private offscreen: boolean | null = typeof IntersectionObserver === 'undefined' ? false : null;

  readonly el: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly n: number;
  private readonly canvas: HTMLCanvasElement | null = null;
  /** a heatmap's cell editor appears in this line under the canvas (empty and hidden otherwise) */
  private readonly editorHost: HTMLElement | null = null;
  private readonly editBtn: HTMLButtonElement | null = null;
  private cells: HTMLElement[] = [];
  /** each cell's number, rewritten in place (replacing text nodes costs layout-tree rebuilds) */
  private textNodes: Text[] = [];
  private texts: string[] = [];
  private colors: string[] = [];
  private data: Float32Array = new Float32Array(0);
  private max = 1;
  private marks = new Map<number, string>();
  private active = 0;
  private editing: { index: number; input: HTMLInputElement; error?: HTMLElement } | null = null;
  private painting = -2;
  private readonly compact: boolean;
  private readonly pxW: number = 0;
  private readonly pxH: number = 0;
  private heat: Heat | null = null;
  /** the heatmap's value line is shown only while it is pointed at (hover or focus) */
  private readoutLive = false;

  constructor(private readonly o: MatrixOptions) {
    this.n = o.count ?? o.rows * o.cols;
    this.compact = o.cols > 8 || o.rows > 8;
    this.el = document.createElement('figure');
    // editable matrices show a text cursor (a class, not a :has() rule, keeps restyling cheap)
    this.el.className = o.editable ? 'matrix editable' : 'matrix';
    this.el.dataset.testid = o.testid;
    const large = o.heatmap === true || o.rows > MAX_DOM || o.cols > MAX_DOM;
    if (large) {
      // pixels per cell: fill ~260px, cells at most 4:1 so thin matrices stay visible
      // (a photo's 256 columns: one pixel per cell, the picture at its own size)
      const fit = (n: number) => Math.max(n > 200 ? 1 : 2, Math.min(12, Math.floor(260 / n)));
      this.pxW = fit(o.cols);
      this.pxH = Math.min(fit(o.rows), this.pxW * 4);
      this.pxW = Math.min(this.pxW, this.pxH * 4);
      this.canvas = document.createElement('canvas');
      this.canvas.className = 'heat';
      this.canvas.width = o.cols * this.pxW;
      this.canvas.height = o.rows * this.pxH;
      this.canvas.tabIndex = 0;
      this.canvas.setAttribute('role', 'img');
      this.canvas.setAttribute('aria-label', `${S.matrixAria(o.what, o.rows, o.cols)}. ${S.heatmapHelp}`);
      this.grid = this.canvas;
      this.editorHost = document.createElement('div');
      this.editorHost.className = 'tip';
      this.el.append(this.canvas, this.editorHost);
      MatrixView.watch(this, this.canvas);
      this.canvas.addEventListener('keydown', (e) => this.onKey(e));
      this.canvas.addEventListener('pointermove', (e) => { if (this.painting < -1) this.point(this.indexAt(e.clientX, e.clientY)); });
      this.canvas.addEventListener('focus', () => this.point(this.active));
      this.canvas.addEventListener('blur', () => { this.hideReadout(); this.requestDraw(); });
      this.canvas.addEventListener('pointerleave', () => { if (document.activeElement !== this.canvas) this.hideReadout(); });
      this.canvas.addEventListener('click', (e) => {
        if (o.paint?.active()) return;
        this.point(this.indexAt(e.clientX, e.clientY));
        if (o.editable && lastPointer !== 'touch') this.startEdit(this.active);
      });
    } else {
      this.el.classList.toggle('compact', this.compact);
      this.grid = document.createElement('div');
      this.grid.className = 'grid';
      this.grid.setAttribute('role', 'grid');
      this.grid.setAttribute('aria-label', S.matrixAria(o.what, o.rows, o.cols));
      this.grid.style.setProperty('--cols', String(o.cols));
      this.grid.style.setProperty('--rows', String(o.rows)); // the grid's fixed size (styles.css)
      this.buildCells();
      this.el.append(this.grid);
      this.grid.addEventListener('keydown', (e) => this.onKey(e));
      this.grid.addEventListener('pointerover', (e) => { if (this.painting < -1) { const i = this.cellIndex(e.target); if (i >= 0) this.point(i); } });
      this.grid.addEventListener('focusin', (e) => { const i = this.cellIndex(e.target); if (i >= 0) { this.setActive(i); this.point(i); } });
      // a tap on a touch screen only selects (the Edit button below edits); a click edits
      if (o.editable) this.grid.addEventListener('click', (e) => { const i = this.cellIndex(e.target); if (i >= 0 && !o.paint?.active() && this.editing?.index !== i && lastPointer !== 'touch') this.startEdit(i); });
    }
    if (o.paint) this.wirePaint();
    if (o.caption) {
      const cap = document.createElement('figcaption');
      cap.textContent = o.caption;
      this.el.append(cap);
    }
    if (o.editable) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'cell-edit';
      b.dataset.testid = `edit-${o.testid}`;
      b.textContent = `✎ ${S.editCell}`;
      b.addEventListener('click', () => this.startEdit(this.active));
      this.editBtn = b;
      this.el.append(b);
    }
    this.describeActive();
  }

  /** The active cell's full name for screen readers ("conv output, channel 1, row 2, column 3, value −1"). */
  private describeActive(): void {
    const i = this.active;
    const r = Math.floor(i / this.o.cols), c = i % this.o.cols;
    // the label repeats the cell's visible text (WCAG 2.5.3 label in name); the Explain panel has every digit
    this.cells[i]?.setAttribute('aria-label', S.cellAria(this.o.what, r, c, this.texts[i] || fmt(this.data[i] ?? 0)));
    this.editBtn?.setAttribute('aria-label', S.editCellAria(this.o.what, r, c));
  }

  private buildCells(): void {
    const { rows, cols } = this.o;
    const frag = document.createDocumentFragment();
    for (let r = 0; r < rows; r++) {
      const row = document.createElement('div');
      row.setAttribute('role', 'row');
      row.className = 'row';
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        if (i >= this.n) break;
        const cell = document.createElement('div');
        cell.className = 'cell' + (this.o.cellClass ? ' ' + this.o.cellClass(i) : '');
        cell.setAttribute('role', 'gridcell');
        cell.tabIndex = i === 0 ? 0 : -1;
        cell.dataset.index = String(i);
        if (this.o.cellTitle) cell.title = this.o.cellTitle(i);
        const text = document.createTextNode('');
        cell.append(text);
        this.textNodes.push(text);
        this.cells.push(cell);
        this.texts.push('');
        this.colors.push('');
        row.append(cell);
      }
      frag.append(row);
    }
    this.grid.append(frag);
  }

  /** Redraws with new numbers; `max` is the symmetric colour extent. */
  update(data: Float32Array, max: number): void {
    this.data = data;
    this.max = max;
    if (this.canvas) { this.requestDraw(); if (this.readoutLive) this.showReadout(); return; }
    const maxChars = this.compact ? CELL_CHARS.compact : CELL_CHARS.normal;
    const dark = themeOf(this.el) === 'dark';
    for (let i = 0; i < this.cells.length; i++) {
      const v = data[i];
      const cell = this.cells[i];
      const color = colorCss(v, max, dark);
      if (color !== this.colors[i]) {
        this.colors[i] = color;
        cell.style.backgroundColor = color;
        cell.classList.toggle('light', needsLightText(v, max, dark));
      }
      if (this.editing?.index === i) continue;
      // as precise as fits the cell (see CELL_CHARS)
      const text = fmtCell(v, maxChars);
      if (text !== this.texts[i]) {
        this.texts[i] = text;
        this.textNodes[i].data = text;
        if (i === this.active) this.describeActive();
      }
    }
  }

  /** Highlights: index -> class name ("sel", "field", "tap", "winner", "src", "masked"). */
  setMarks(marks: Map<number, string>): void {
    // hover moves re-send most marks unchanged
    if (marks === this.marks || sameMarks(this.marks, marks)) return;
    if (this.canvas) { this.marks = marks; this.requestDraw(); return; }
    for (const [i, cls] of this.marks) if (marks.get(i) !== cls) this.cells[i]?.classList.remove(...cls.split(' '));
    for (const [i, cls] of marks) this.cells[i]?.classList.add(...cls.split(' '));
    this.marks = marks;
  }

  focusCell(i: number): void {
    this.setActive(i);
    if (this.canvas) { focusWithoutLayout(this.canvas); this.point(i); } else if (this.cells[i]) focusWithoutLayout(this.cells[i]);
  }

  private requestDraw(): void {
    MatrixView.stale.add(this);
    if (!MatrixView.drawQueued) {
      MatrixView.drawQueued = true;
      queueMicrotask(() => MatrixView.drawPending(MatrixView.FRAME_BUDGET_MS));
    }
  }

  private makeHeat(): Heat {
    const shown = { data: new Float32Array(this.n), max: NaN, marks: null, focus: -1, dark: false };
    return { ctx: this.canvas!.getContext('2d')!, shown };
  }

  /**
   * One ImageData shared by every heatmap, as large as the largest canvas; each draw fills its
   * top-left corner and puts just that rectangle. (Scaling a one-pixel-per-cell OffscreenCanvas
   * up with drawImage cost several ms per map in software raster, ~60 ms when Digits opened.)
   */
  private static scratch: { img: ImageData; pixels: Uint32Array } | null = null;
  private static scratchFor(ctx: CanvasRenderingContext2D, w: number, h: number): { img: ImageData; pixels: Uint32Array } {
    const s = MatrixView.scratch;
    if (s && s.img.width >= w && s.img.height >= h) return s;
    const img = ctx.createImageData(Math.max(w, s?.img.width ?? 0), Math.max(h, s?.img.height ?? 0));
    return (MatrixView.scratch = { img, pixels: new Uint32Array(img.data.buffer) });
  }

  /** One pixel per cell, scaled up without smoothing; then hatching and outlines on top. */
  private draw(): void {
    const cv = this.canvas!;
    const heat = (this.heat ??= this.makeHeat());
    const { ctx, shown } = heat;
    const focus = document.activeElement === cv ? this.active : -1;
    const dark = themeOf(cv) === 'dark';
    if (shown.max === this.max && shown.marks === this.marks && shown.focus === focus && shown.dark === dark && sameData(shown.data, this.data)) return;
    shown.data.set(this.data.subarray(0, this.n));
    Object.assign(shown, { max: this.max, marks: this.marks, focus, dark });
    const { cols, rows } = this.o;
    const { pxW, pxH } = this;
    const { img, pixels } = MatrixView.scratchFor(ctx, cv.width, cv.height);
    const stride = img.width;
    // each cell a pxW x pxH block of its colour; cells past n (a ragged last row) transparent
    if (pxW === 1 && pxH === 1) {
      // a photo-sized map: one pixel per cell, written directly (a fill() call per pixel costs more)
      for (let r = 0; r < rows; r++) {
        for (let c = 0, i = r * cols, at = r * stride; c < cols; c++, i++, at++) pixels[at] = i < this.n ? colorPixel(this.data[i], this.max, dark) : 0;
      }
    } else {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const i = r * cols + c;
          const color = i < this.n ? colorPixel(this.data[i], this.max, dark) : 0;
          for (let y = r * pxH, start = y * stride + c * pxW; y < (r + 1) * pxH; y++, start += stride) pixels.fill(color, start, start + pxW);
        }
      }
    }
    ctx.putImageData(img, 0, 0, 0, 0, cv.width, cv.height);
    const mc = markColors(dark);
    // not colour alone: negative cells get a diagonal hatch when cells are big enough to show it
    if (pxW >= 4 && pxH >= 4) {
      ctx.strokeStyle = mc.hatch;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < this.n; i++) {
        if (!(this.data[i] < 0)) continue;
        const x = (i % cols) * pxW, y = Math.floor(i / cols) * pxH;
        ctx.moveTo(x + 0.5, y + pxH - 0.5);
        ctx.lineTo(x + pxW - 0.5, y + 0.5);
      }
      ctx.stroke();
    }
    // outlines: one path per colour (hundreds of ReLU-mask marks on a feature map)
    if (this.marks.size) {
      ctx.lineWidth = Math.max(1, Math.min(pxW, pxH) / 4);
      const kinds: [string, (cls: string) => boolean][] = [
        [mc.other, (cls) => !cls.includes('sel') && !cls.includes('winner')],
        [mc.winner, (cls) => !cls.includes('sel') && cls.includes('winner')],
        [mc.sel, (cls) => cls.includes('sel')],
      ];
      for (const [color, wanted] of kinds) {
        ctx.strokeStyle = color;
        ctx.beginPath();
        for (const [i, cls] of this.marks) if (wanted(cls)) ctx.rect((i % cols) * pxW + 0.5, Math.floor(i / cols) * pxH + 0.5, pxW - 1, pxH - 1);
        ctx.stroke();
      }
    }
    if (focus >= 0) {
      ctx.strokeStyle = mc.focus;
      ctx.lineWidth = Math.max(1, Math.min(pxW, pxH) / 4);
      ctx.strokeRect((this.active % cols) * pxW, Math.floor(this.active / cols) * pxH, pxW, pxH);
    }
  }

  /** true when drawn as a heatmap canvas (value readout on hover and focus) */
  get isHeatmap(): boolean {
    return this.canvas !== null;
  }

  private hideReadout(): void {
    this.readoutLive = false;
    const { readout } = this.o;
    if (readoutOwner.get(readout) === this) readout.textContent = '';
  }

  private showReadout(): void {
    if (!this.canvas || this.editing) return;
    const i = this.active;
    const r = Math.floor(i / this.o.cols), c = i % this.o.cols;
    const { readout } = this.o;
    readout.textContent = S.cellAria(this.o.readoutLabel ?? this.o.what, r, c, fmt(this.data[i] ?? 0));
    readoutOwner.set(readout, this);
  }

  private cellIndex(target: EventTarget | null): number {
    const cell = (target as HTMLElement | null)?.closest?.('.cell') as HTMLElement | null;
    return cell && this.grid.contains(cell) ? Number(cell.dataset.index) : -1;
  }

  private indexAt(x: number, y: number): number {
    const rect = this.grid.getBoundingClientRect();
    const c = Math.floor(((x - rect.left) / rect.width) * this.o.cols);
    const r = Math.floor(((y - rect.top) / rect.height) * this.o.rows);
    if (r < 0 || c < 0 || r >= this.o.rows || c >= this.o.cols) return -1;
    const i = r * this.o.cols + c;
    return i < this.n ? i : -1;
  }

  private setActive(i: number): void {
    if (this.cells.length) {
      const prev = this.cells[this.active];
      prev?.setAttribute('tabindex', '-1');
      if (this.active !== i) prev?.removeAttribute('aria-label');
      this.cells[i]?.setAttribute('tabindex', '0');
    }
    this.active = i;
    this.describeActive();
  }

  private point(i: number): void {
    if (i < 0) return;
    this.active = i;
    this.describeActive();
    if (this.canvas) { this.readoutLive = true; this.showReadout(); this.requestDraw(); }
    this.o.onPoint?.(i);
  }

  private onKey(e: KeyboardEvent): void {
    if (this.editing) return;
    const { cols } = this.o;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols };
    if (e.key in moves) {
      const j = this.active + moves[e.key];
      if (j >= 0 && j < this.n) this.focusCell(j);
      e.preventDefault();
    } else if (e.key === 'Home' || e.key === 'End') {
      const rowStart = this.active - (this.active % cols);
      this.focusCell(e.key === 'Home' ? rowStart : Math.min(this.n - 1, rowStart + cols - 1));
      e.preventDefault();
    } else if (this.o.editable && (e.key === 'Enter' || e.key === 'F2')) {
      this.startEdit(this.active);
      e.preventDefault();
    } else if (this.o.editable && /^[-0-9.\u2212]$/.test(e.key) && !e.ctrlKey && !e.metaKey) {
      this.startEdit(this.active, e.key);
      e.preventDefault();
    }
  }

  /** Spreadsheet-style editor: Enter/Tab commit and move on, Esc cancels. */
  startEdit(i: number, initial?: string): void {
    if (!this.o.editable || i < 0 || i >= this.n) return;
    this.finishEdit(false, 0);
    this.setActive(i);
    const host = this.editorHost ?? this.cells[i];
    const input = document.createElement('input');
    input.className = 'cell-editor';
    input.inputMode = 'decimal';
    input.dataset.testid = 'cell-editor';
    const r = Math.floor(i / this.o.cols), c = i % this.o.cols;
    input.setAttribute('aria-label', S.cellAria(this.o.what, r, c, fmt(this.data[i])));
    input.value = initial ?? String(Math.round(this.data[i] * 1e6) / 1e6);
    if (!this.editorHost) this.textNodes[i].data = '';
    host.append(input);
    this.editing = { index: i, input };
    focusWithoutLayout(input);
    if (initial === undefined) input.select();
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); this.finishEdit(true, e.shiftKey ? -1 : 1); }
      else if (e.key === 'Tab') { e.preventDefault(); this.finishEdit(true, e.shiftKey ? -1 : 1); }
      else if (e.key === 'Escape') { e.preventDefault(); this.finishEdit(false, 0); }
      e.stopPropagation();
    });
    input.addEventListener('blur', () => this.finishEdit(true, 0, false));
  }

  private finishEdit(commit: boolean, move: number, refocus = true): void {
    const ed = this.editing;
    if (!ed) return;
    let value = NaN;
    if (commit) {
      // "abc" or "1e40": the text stays in the cell, marked, with the reason under the matrix
      const c = checkCellText(ed.input.value, { notNumber: S.invalidNumber, tooLarge: S.invalidTooLarge, tooSmall: S.invalidTooSmall });
      if (!c.ok) { this.markInvalid(ed, c.reason); return; }
      value = c.value;
    }
    this.editing = null;
    ed.error?.remove();
    const i = ed.index;
    ed.input.remove();
    this.cells[i]?.classList.remove('invalid');
    if (this.cells[i]) { this.texts[i] = ''; this.update(this.data, this.max); }
    else this.showReadout();
    // Focus moves before the commit: focusing lays the page out, which is cheap now and would
    // be a second full layout after the commit's redraw. A value edit never rebuilds this view.
    if (refocus && this.el.isConnected) {
      const j = i + move;
      if (move !== 0 && j >= 0 && j < this.n) this.startEdit(j);
      else this.focusCell(i);
    }
    if (commit && value !== this.data[i]) this.o.onCommit?.(i, value);
  }

  private markInvalid(ed: { index: number; input: HTMLInputElement; error?: HTMLElement }, reason: string): void {
    const { input } = ed;
    input.classList.add('invalid');
    input.setAttribute('aria-invalid', 'true');
    if (!ed.error) {
      ed.error = document.createElement('p');
      ed.error.className = 'cell-error';
      ed.error.setAttribute('role', 'alert');
      ed.error.dataset.testid = 'cell-error';
      this.el.append(ed.error);
      input.addEventListener('input', () => { input.classList.remove('invalid'); input.setAttribute('aria-invalid', 'false'); });
    }
    const text = S.invalidCell(reason);
    if (ed.error.textContent !== text) ed.error.textContent = text;
    input.setAttribute('aria-description', text);
    this.cells[ed.index]?.classList.add('invalid');
  }

  private wirePaint(): void {
    const paint = this.o.paint!;
    this.grid.addEventListener('pointerdown', (e) => {
      if (!paint.active() || e.button !== 0) return;
      e.preventDefault();
      this.grid.setPointerCapture(e.pointerId);
      const i = this.indexAt(e.clientX, e.clientY);
      this.painting = i;
      if (i >= 0) paint.paint(i, true);
    });
    this.grid.addEventListener('pointermove', (e) => {
      if (this.painting < -1) return;
      const i = this.indexAt(e.clientX, e.clientY);
      if (i >= 0 && i !== this.painting) { this.painting = i; paint.paint(i, false); }
    });
    const stop = () => { this.painting = -2; };
    this.grid.addEventListener('pointerup', stop);
    this.grid.addEventListener('pointercancel', stop);
  }
}
