// The network input: editable cells, a paint brush (0/1 or grey), and dL/dx in gradient mode.
import type { Actions } from '../actions';
import type { Snapshot } from '../engine';
import { fmtShape } from '../format';
import type { Brush, UIState } from '../state';
import { S } from '../strings';
import { button, h } from './dom';
import type { CardContext } from './layerCard';
import { ColourImage } from './colourImage';
import { TensorBlock } from './tensorBlock';

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
    this.el = h('section', { class: 'card card-input', testid: 'input-card', 'aria-label': S.inputCard });
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

    const body = h('div', { class: 'card-body' });
    const paint = { active: () => getState().brush !== 'edit', paint: (i: number, first: boolean) => a.paintInput(i, first) };
    if (ctx.mode !== 'gradients') {
      this.value = new TensorBlock({
        title: S.tensorTitles.input, context: S.inputCard, shape: snap.input.shape, testid: 'matrix-input', editable: true,
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
        title: S.gradOfInput, context: S.inputCard, shape: snap.input.shape, testid: 'matrix-input-grad', kind: 'grad',
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
