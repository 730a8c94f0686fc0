// The rows of "Your classes": per class its name (editable), sample count, the ways to add
// samples (hold to record, add the drawing, add files), clear and remove (confirmed when it has
// samples), and thumbnails of its newest samples, each opening the sample in the network.
// Rows are rebuilt only when the classes change; counts, thumbnails and the record buttons are
// updated in place, since a rebuilt button would lose the focus or pointer that holds it.
import { button, h, setText } from '../views/dom';
import { MIN_CLASSES, SAMPLE_SIDE, type SampleStore } from './samples';
import { TS } from './strings';

/** the newest samples of a class shown as thumbnails (all are kept and trained on) */
const THUMBNAILS = 13;

/** What the rows ask of the dashboard, by class index. */
export interface ClassActions {
  rename(k: number, typed: string, field: HTMLInputElement): void;
  startRecording(k: number): void;
  stopRecording(): void;
  addDrawing(k: number): void;
  addFiles(k: number, files: File[]): void;
  /** asks first: the samples cannot come back with Undo */
  clear(k: number): void;
  confirmClear(k: number): void;
  /** asks first when the class has samples */
  remove(k: number): void;
  confirmRemove(k: number): void;
  keep(): void;
  showSample(k: number, index: number): void;
}

/** The dashboard's state the rows show. */
export interface RowState {
  camera: boolean;
  /** the class being recorded into, by name */
  recording: string | null;
  /** the class whose removal waits for a yes, -1 for none */
  removing: number;
  /** the class whose samples' clearing waits for a yes, -1 for none */
  clearing: number;
  /** the sample shown in the network */
  shown: { name: string; index: number } | null;
}

interface Row {
  el: HTMLElement;
  k: number;
  field: HTMLInputElement;
  hold: HTMLButtonElement;
  clear: HTMLButtonElement;
  count: HTMLElement;
  thumbs: HTMLElement;
  /** whose samples the thumbnails show, at which version of them */
  drawn: string;
}

export class ClassRows {
  readonly el: HTMLElement;
  private rows: Row[] = [];
  private key = '';

  constructor(private readonly store: SampleStore, private readonly act: ClassActions) {
    this.el = h('div', { class: 'teach-classes', testid: 'teach-classes' });
  }

  render(names: string[], st: RowState): void {
    const key = JSON.stringify([names, st.removing, st.clearing]);
    if (key !== this.key) {
      // typing a name: the field keeps the focus across the rebuild
      const typing = this.rows.findIndex((r) => r.field === document.activeElement);
      this.key = key;
      this.rows = names.map((name, k) => this.row(name, k, names.length, st.removing === k, st.clearing === k));
      this.el.replaceChildren(...this.rows.map((r) => r.el));
      if (typing >= 0) this.rows[typing]?.field.focus();
    }
    this.rows.forEach((row, k) => this.update(row, names[k], st));
  }

  private row(name: string, k: number, classes: number, removing: boolean, clearing: boolean): Row {
    const a = this.act;
    const field = h('input', { type: 'text', class: 'teach-name', value: name, maxlength: 60, 'aria-label': TS.nameLabel(k + 1), testid: `teach-name-${k}` });
    field.addEventListener('change', () => a.rename(k, field.value, field));
    field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') field.blur();
      if (e.key === 'Escape') { field.value = name; field.blur(); }
    });
    // held, not clicked: pointer (captured, so sliding off the button still ends it) or Space/Enter
    const hold = button(TS.hold, () => undefined, { class: 'teach-hold', testid: `teach-hold-${k}`, disabled: true, 'aria-pressed': 'false' });
    hold.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      hold.setPointerCapture(e.pointerId);
      a.startRecording(k);
    });
    for (const end of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) hold.addEventListener(end, () => a.stopRecording());
    hold.addEventListener('keydown', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); a.startRecording(k); }
    });
    hold.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') a.stopRecording(); });
    hold.addEventListener('blur', () => a.stopRecording());
    const files = fileInput(`teach-files-${k}`, true, (list) => a.addFiles(k, list));
    const clear = button(TS.clearSamples, () => a.clear(k), { testid: `teach-clear-${k}` });
    const actions = h('div', { class: 'buttons' },
      hold,
      button(TS.addDrawing, () => a.addDrawing(k), { title: TS.addDrawingTitle, testid: `teach-add-drawing-${k}` }),
      button(TS.addFiles, () => files.click(), { title: TS.addFilesTitle, testid: `teach-add-files-${k}` }), files, clear);
    const count = h('span', { class: 'teach-count', testid: `teach-count-${k}` });
    const head = h('div', { class: 'teach-class-head' }, field, count);
    if (classes > MIN_CLASSES) head.append(button(TS.remove, () => a.remove(k), { class: 'teach-remove', title: TS.removeTitle(name), testid: `teach-remove-${k}` }));
    const thumbs = h('div', { class: 'teach-thumbs', role: 'group', 'aria-label': name });
    const el = h('div', { class: 'teach-class', testid: `teach-class-${k}` }, head, actions, thumbs);
    // pictures dropped on a class are its samples (elsewhere on the page a drop opens a file)
    el.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.stopPropagation();
      el.classList.add('drop-target');
    });
    el.addEventListener('dragleave', () => el.classList.remove('drop-target'));
    el.addEventListener('drop', (e) => {
      el.classList.remove('drop-target');
      const dropped = [...(e.dataTransfer?.files ?? [])];
      if (!dropped.length) return;
      e.preventDefault();
      e.stopPropagation();
      a.addFiles(k, dropped);
    });
    if (removing) {
      el.append(h('div', { class: 'teach-confirm', role: 'alertdialog', 'aria-label': TS.removeTitle(name) },
        h('span', {}, TS.removeConfirm(name, this.store.of(name).length)),
        button(TS.removeYes, () => a.confirmRemove(k), { class: 'danger', testid: `teach-remove-yes-${k}` }),
        button(TS.removeNo, () => a.keep(), { testid: `teach-remove-no-${k}` })));
    }
    if (clearing) {
      el.append(h('div', { class: 'teach-confirm', role: 'alertdialog', 'aria-label': TS.clearSamples },
        h('span', {}, TS.clearConfirm(name, this.store.of(name).length)),
        button(TS.clearYes, () => a.confirmClear(k), { class: 'danger', testid: `teach-clear-yes-${k}` }),
        button(TS.removeNo, () => a.keep(), { testid: `teach-clear-no-${k}` })));
    }
    return { el, k, field, hold, clear, count, thumbs, drawn: '' };
  }

  private update(row: Row, name: string, st: RowState): void {
    const samples = this.store.of(name);
    setText(row.count, TS.count(samples.length));
    row.clear.hidden = samples.length === 0;
    const recordingHere = st.recording === name;
    row.hold.disabled = !st.camera;
    row.hold.title = st.camera ? TS.holdTitle : TS.holdNoCamera;
    row.hold.classList.toggle('recording', recordingHere);
    row.hold.setAttribute('aria-pressed', String(recordingHere));
    const shown = st.shown?.name === name ? st.shown.index : -1;
    const drawn = `${this.store.versionOf(name)}:${name}`;
    if (drawn === row.drawn) {
      for (const item of row.thumbs.querySelectorAll<HTMLElement>('.teach-thumb')) item.setAttribute('aria-pressed', String(Number(item.dataset.index) === shown));
      return;
    }
    row.drawn = drawn;
    const items: HTMLElement[] = [];
    const first = Math.max(0, samples.length - THUMBNAILS);
    if (first > 0) items.push(h('span', { class: 'teach-more' }, TS.moreSamples(first)));
    for (let i = first; i < samples.length; i++) {
      const canvas = h('canvas', { width: SAMPLE_SIDE, height: SAMPLE_SIDE, 'aria-hidden': 'true' });
      paintSample(canvas, samples[i]);
      const item = button('', () => this.act.showSample(row.k, i), { class: 'teach-thumb', 'aria-label': TS.sampleAria(name, i + 1), 'aria-pressed': String(i === shown), testid: 'teach-sample' });
      item.dataset.class = String(row.k);
      item.dataset.index = String(i);
      item.append(canvas);
      items.push(item);
    }
    row.thumbs.replaceChildren(...items);
  }
}

/** A hidden file input (its button is beside it); `multiple` for several samples at once. */
export function fileInput(testid: string, multiple: boolean, onFiles: (files: File[]) => void, accept = 'image/*'): HTMLInputElement {
  const input = h('input', { type: 'file', accept, multiple, hidden: true, testid, tabindex: -1 });
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) onFiles(files);
  });
  return input;
}

/** Sample bytes [3, 32, 32] on a 32×32 canvas. */
export function paintSample(canvas: HTMLCanvasElement, bytes: Uint8Array): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(SAMPLE_SIDE, SAMPLE_SIDE);
  const plane = SAMPLE_SIDE * SAMPLE_SIDE;
  for (let p = 0; p < plane; p++) {
    img.data[p * 4] = bytes[p];
    img.data[p * 4 + 1] = bytes[plane + p];
    img.data[p * 4 + 2] = bytes[2 * plane + p];
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
