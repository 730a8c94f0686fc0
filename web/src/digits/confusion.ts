// The confusion matrix of a data set's test images: row = true class, column = predicted class,
// each cell a count shaded by its share of the row; the diagonal (correct) in the accent colour.
// Axes are labelled with the class names (column names written upwards when they are words).
import { S } from '../strings';
import { h, setText } from '../views/dom';
import type { DataSetWords } from './datasets';

export class ConfusionMatrix {
  readonly el: HTMLElement;
  private readonly cells: HTMLTableCellElement[] = [];
  private readonly note: HTMLElement;
  private readonly classes: number;

  constructor(prefix: string, private readonly names: string[], private readonly words: DataSetWords) {
    const CLASSES = this.classes = names.length;
    const named = names.some((n) => n.length > 1);
    const table = h('table', { class: named ? 'digits-confusion named' : 'digits-confusion', testid: `${prefix}-confusion` });
    const head = h('tr', {}, h('th', { scope: 'col', class: 'corner' }, S.digitsConfusionCorner));
    for (let c = 0; c < CLASSES; c++) head.append(h('th', { scope: 'col', title: names[c] }, h('span', {}, names[c])));
    table.append(h('thead', {}, head));
    const body = h('tbody');
    for (let r = 0; r < CLASSES; r++) {
      const row = h('tr', {}, h('th', { scope: 'row', title: names[r] }, names[r]));
      for (let c = 0; c < CLASSES; c++) {
        const td = h('td', { class: r === c ? 'count diag' : 'count', testid: `${prefix}-confusion-${r}-${c}` });
        this.cells.push(td);
        row.append(td);
      }
      body.append(row);
    }
    table.append(body);
    this.note = h('p', { class: 'note', testid: `${prefix}-confusion-note` });
    this.el = h('figure', { class: 'digits-figure' },
      h('figcaption', {}, words.confusionTitle), table, this.note);
  }

  render(confusion: Int32Array | null, epoch: number | null): void {
    // shades run from the card's own background (light or dark theme) to the full colour
    const base = parseRgb(getComputedStyle(this.el.parentElement ?? this.el).backgroundColor) ?? [255, 255, 255];
    const CLASSES = this.classes;
    for (let r = 0; r < CLASSES; r++) {
      let rowSum = 0;
      for (let c = 0; c < CLASSES; c++) rowSum += confusion?.[r * CLASSES + c] ?? 0;
      for (let c = 0; c < CLASSES; c++) {
        const n = confusion?.[r * CLASSES + c] ?? 0;
        const td = this.cells[r * CLASSES + c];
        setText(td, confusion ? String(n) : '');
        const share = rowSum ? n / rowSum : 0;
        const rgb = mix(r === c ? DIAGONAL : OFF_DIAGONAL, base, share);
        td.style.backgroundColor = `rgb(${rgb.join(',')})`;
        // black or white text, whichever contrasts more (at least 4.5:1 either way)
        td.style.color = luminance(rgb) < 0.18 ? '#fff' : '#000';
        td.title = confusion ? this.words.confusionCell(this.names[r], this.names[c], n) : '';
      }
    }
    setText(this.note, confusion && epoch !== null ? this.words.confusionNote(epoch.toFixed(1)) : this.words.confusionEmpty);
  }
}

type RGB = [number, number, number];
const DIAGONAL: RGB = [33, 102, 172];
const OFF_DIAGONAL: RGB = [178, 24, 43];

function mix(a: RGB, b: RGB, t: number): RGB {
  return [0, 1, 2].map((i) => Math.round(a[i] * t + b[i] * (1 - t))) as RGB;
}

function parseRgb(css: string): RGB | null {
  const m = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)/);
  if (!m || m[4] === '0') return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG relative luminance. */
function luminance([r, g, b]: RGB): number {
  const lin = (c: number) => { const x = c / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
