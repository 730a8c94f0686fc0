// The network input: editable cells, a paint brush (0/1 or grey), and dL/dx in gradient mode.
import type { Actions } from '../actions';
import type { Snapshot } from '../engine';
import { fmtShape } from '../format';
import type { Brush, UIState } from '../state';
import { LANG, S } from '../strings';
import { showNotice } from '../share/notice';
import { button, h } from './dom';
import type { CardContext } from './layerCard';
import { ColourImage } from './colourImage';
import { TensorBlock } from './tensorBlock';
import { tagRegion } from '../tensorRef';

export class InputCard {
  readonly el: HTMLElement;
  private value: TensorBlock | null = null;
  private grad: TensorBlock | null = null;
  private readonly brushButtons = new Map<Brush, HTMLButtonElement>();
  private readonly level: HTMLInputElement;
  /** a 3-channel input as the colour image it stands for (red, green, blue channels) */
  private colour: ColourImage | null = null;

  constructor(ctx: CardContext, snap: Snapshot, private readonly getState: () => UIState) {
    const a: Actions = ctx.actions;
    this.el = h('section', { class: 'card card-input', 'aria-label': S.inputCard });
    tagRegion(this.el, { node: 'input' });
    this.el.append(h('header', { class: 'card-head' }, h('h3', {}, S.inputCard), h('span', { class: 'shape' }, fmtShape(snap.input.shape))));

    const tools = h('div', { class: 'card-tools', role: 'group', 'aria-label': S.brush });
    for (const [b, label] of [['edit', S.brushEdit], ['binary', S.brushBinary], ['grey', S.brushGrey]] as [Brush, string][]) {
      const btn = button(label, () => a.setBrush(b), { class: 'toggle', testid: `brush-${b}` });
      this.brushButtons.set(b, btn);
      tools.append(btn);
    }
    this.level = h('input', { type: 'range', min: 0, max: 1, step: 0.05, 'aria-label': S.brushStrength, testid: 'brush-level' });
    this.level.addEventListener('input', () => a.setBrushValue(Number(this.level.value)));
    tools.append(h('label', { class: 'level' }, S.brushStrength, this.level));
    this.el.append(tools);
    const picture = imageShapeOf(snap.input.shape);
    if (picture) this.el.append(pictureControls(this.el, a, picture));

    const body = h('div', { class: 'card-body' });
    const paint = { active: () => getState().brush !== 'edit', paint: (i: number, first: boolean) => a.paintInput(i, first) };
    if (ctx.mode !== 'gradients') {
      this.value = new TensorBlock({
        title: S.tensorTitles.input, context: S.inputCard, shape: snap.input.shape, ref: { node: 'input', tensor: 'value' }, editable: true,
        onCommit: (i, v) => a.editInput(i, v),
        onPoint: (sub, index) => a.point({ layer: -1, tensor: 'output', sub, index }),
        matrix: () => ({ paint }),
      });
      ctx.register(-1, 'output', this.value);
      body.append(this.value.el);
      const [c, hh, w] = snap.input.shape;
      if (snap.input.shape.length === 3 && c === 3) {
        this.colour = new ColourImage(w, hh, S.colourPreview, S.colourPreviewCaption, 'input-colour', hh * w > 1024);
        body.append(this.colour.el);
      }
    }
    if (ctx.mode !== 'values' && snap.layers.length) {
      this.grad = new TensorBlock({
        title: S.gradOfInput, context: S.inputCard, shape: snap.input.shape, ref: { node: 'input', tensor: 'grad' }, kind: 'grad',
        onPoint: (sub, index) => a.point({ layer: -1, tensor: 'grad_output', sub, index }),
      });
      ctx.register(-1, 'grad_output', this.grad);
      body.append(this.grad.el);
    }
    // a read-only embed can't be typed into: its readers get the other sentence (styles.css)
    this.el.append(body, h('p', { class: 'note input-hint' }, S.inputHint), h('p', { class: 'note input-hint-ro' }, S.inputHintReadonly));
  }

  update(snap: Snapshot): void {
    const st = this.getState();
    for (const [b, btn] of this.brushButtons) btn.setAttribute('aria-pressed', String(st.brush === b));
    this.level.value = String(st.brushValue);
    this.level.disabled = st.brush !== 'grey';
    this.el.classList.toggle('painting', st.brush !== 'edit'); // touch: drag paints instead of scrolling
    this.value?.update(snap.input.data);
    this.colour?.draw(snap.input.data);
    const g = snap.layers[0]?.tensors.get('grad_input');
    if (this.grad && g) this.grad.update(g.data);
  }
}

/** The input's image shape, for the picture controls. */
export interface ImageShape { channels: 1 | 3; height: number; width: number }

/** What the picture controls and dialog ask of the view (the controller). */
export type PictureActions = Pick<Actions, 'setInputPicture' | 'lifetime'>;

/** The input as a picture: [C, H, W] or one sample [1, C, H, W] with 1 or 3 channels; else null. */
export function imageShapeOf(shape: readonly number[]): ImageShape | null {
  const s = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  return s.length === 3 && (s[0] === 1 || s[0] === 3) ? { channels: s[0] as 1 | 3, height: s[1], width: s[2] } : null;
}

/** Where pictures go: the card (or graph view) with its controls, and the input's shape. */
interface PictureTargetEl { card: HTMLElement; controls: HTMLElement; shape: ImageShape }

/** Shown and still there: a hidden graph view or a replaced card takes no picture. */
const live = (t: PictureTargetEl | undefined): t is PictureTargetEl => !!t && t.controls.isConnected && t.card.getClientRects().length > 0;

/** The latest picture target per view, for paste and for files dropped elsewhere on the page. */
const pasteTarget = new WeakMap<PictureActions, PictureTargetEl>();
/** The picture target of each element that takes dropped pictures (its drop listeners are added once). */
const dropTarget = new WeakMap<HTMLElement, PictureTargetEl>();

/** The page's root (notices go there): the app root holds the header and the <main> layout. */
const rootOf = (card: HTMLElement) => (card.closest('main')?.parentElement ?? document.body) as HTMLElement;

/** Loads the picture dialog (a separate chunk, web/src/views/pictureDialog.ts) and hands it the source. */
function openPicture(card: HTMLElement, a: PictureActions, shape: ImageShape, source: File | 'camera'): void {
  if (card.closest('.cl-readonly')) return;
  const root = rootOf(card);
  const notify = (message: string, kind: 'warn' | 'info' = 'warn') => showNotice(root, message, kind);
  void import('./pictureDialog').then((m) => m.openPictureDialog({ ...shape, root, actions: a, notify, strings: S, lang: LANG, dom: { h, button } }, source));
}

/**
 * "Picture": Open image (file picker), Camera; a picture file dropped on `card`, or pasted
 * anywhere on the page (Ctrl+V), opens the same dialog (crop, scaling, Use/Cancel). Also used by
 * a graph scene's view (web/src/views/overview/graphView.ts), with the graph as the `card`.
 */
export function pictureControls(card: HTMLElement, a: PictureActions, shape: ImageShape): HTMLElement {
  const file = h('input', { type: 'file', accept: 'image/*', hidden: true, testid: 'picture-file', 'aria-label': S.pictureOpen });
  file.addEventListener('change', () => { const f = file.files?.[0]; file.value = ''; if (f) openPicture(card, a, shape, f); });
  const controls = h('div', { class: 'card-tools picture-tools', role: 'group', 'aria-label': S.pictureGroup },
    h('span', { class: 'tools-label' }, S.pictureGroup),
    button(S.pictureOpen, () => file.click(), { title: S.pictureOpenTitle, testid: 'picture-open' }),
    button(S.pictureCamera, () => openPicture(card, a, shape, 'camera'), { title: S.pictureCameraTitle, testid: 'picture-camera' }),
    file);
  const target = { card, controls, shape };
  if (!dropTarget.has(card)) {
    const takes = (e: DragEvent) => live(dropTarget.get(card)) && !!e.dataTransfer?.types.includes('Files');
    card.addEventListener('dragover', (e) => {
      if (!takes(e)) return;
      e.preventDefault();
      e.stopPropagation(); // the page's own drop opens scene files (web/src/share/shareBar.ts)
      card.classList.add('drop-target');
    });
    card.addEventListener('dragleave', () => card.classList.remove('drop-target'));
    card.addEventListener('drop', (e) => {
      card.classList.remove('drop-target');
      const t = dropTarget.get(card);
      const f = e.dataTransfer?.files[0];
      if (!f || !live(t)) return;
      e.preventDefault();
      e.stopPropagation();
      openPicture(card, a, t.shape, f);
    });
  }
  dropTarget.set(card, target);
  if (!pasteTarget.has(a)) {
    document.addEventListener('paste', (e) => {
      const t = pasteTarget.get(a);
      if (!live(t)) return;
      const files = [...(e.clipboardData?.files ?? [])];
      const image = files.find((f) => f.type.startsWith('image/'));
      // any other file only when no text field has the focus (pasting numbers into a cell stays)
      const el = document.activeElement as HTMLElement | null;
      const typing = !!el && (el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA');
      const f = image ?? (typing ? undefined : files[0]);
      if (!f) return;
      e.preventDefault();
      openPicture(t.card, a, t.shape, f);
    }, { signal: a.lifetime.signal });
  }
  pasteTarget.set(a, target);
  return controls;
}

/**
 * A picture file dropped or opened elsewhere on the page (web/src/share/shareBar.ts): to the
 * picture dialog when the network shown takes a picture as its input; false otherwise.
 */
export function openPictureFor(a: PictureActions, f: File): boolean {
  const t = pasteTarget.get(a);
  if (!live(t)) return false;
  openPicture(t.card, a, t.shape, f);
  return true;
}
