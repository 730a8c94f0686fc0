// One layer as a card: header (type, settings summary, output shape, actions), the settings
// editor with the core's error in place, parameters next to the layer, output maps, and the
// optimizer state once a step was taken.
import type { Actions } from '../actions';
import type { LayerSnap } from '../engine';
import { fmtShape } from '../format';
import { KERNEL_IDS, matchPreset, type KernelId } from '../photo/kernels';
import { ACTIVATIONS, SETTINGS, sizeText, type LayerSpec } from '../scene';
import type { ViewMode } from '../state';
import { S } from '../strings';
import { setMessage } from '../i18n';
import { button, h, select } from './dom';
import { ColourImage } from './colourImage';
import { TensorBlock } from './tensorBlock';
import { tagRegion } from '../tensorRef';
import type { MatrixOptions } from './matrix';

export interface CardContext {
  actions: Actions;
  mode: ViewMode;
  /** every block is registered as (layer, tensor name) so marks can find it */
  register(layer: number, tensor: string, block: TensorBlock): void;
}

const SHOWN: Record<ViewMode, string[]> = {
  values: ['weight', 'bias', 'output'],
  gradients: ['weight.grad', 'bias.grad', 'grad_output'],
  both: ['weight', 'weight.grad', 'bias', 'bias.grad', 'output', 'grad_output'],
};
const OPT_STATE = ['weight.delta', 'weight.momentum', 'weight.velocity', 'bias.delta', 'bias.momentum', 'bias.velocity'];

export class LayerCard {
  readonly el: HTMLElement;
  private readonly blocks: [string, TensorBlock][] = [];
  /**
   * Blocks still to build, in order: a card of hundreds of maps takes longer than a frame, so
   * the pipeline builds it over a few (buildMore) and shows it once complete.
   */
  private readonly pending: (() => void)[] = [];
  /** the numbers last drawn, for blocks built after them */
  private latest: LayerSnap;
  private readonly error: HTMLElement;
  /** a 3-channel picture-sized output as a colour image */
  private colour: ColourImage | null = null;
  /** the kernel preset menu of a 3×3 or 5×5 conv layer, showing which preset its weights hold */
  private kernel: HTMLSelectElement | null = null;
  private kernelShape: number[] = [];
  /** each setting's field, to mark a typed value the core did not take */
  private readonly fields = new Map<string, HTMLInputElement>();

  constructor(ctx: CardContext, snap: LayerSnap, spec: LayerSpec, layerCount: number) {
    this.latest = snap;
    const i = snap.index;
    const name = S.layerNames[snap.type] ?? snap.type;
    const out = snap.tensors.get('output')!;
    this.el = h('section', { class: `card layer-${snap.type}`, 'aria-label': S.layerTitle(i, name) });
    tagRegion(this.el, { node: i });

    const actions = h('div', { class: 'card-actions' });
    actions.append(
      button('←', () => ctx.actions.moveLayer(i, -1), { title: S.moveLeft, 'aria-label': S.moveLeft, disabled: i === 0, class: 'icon' }),
      button('→', () => ctx.actions.moveLayer(i, 1), { title: S.moveRight, 'aria-label': S.moveRight, disabled: i === layerCount - 1, class: 'icon' }),
      button('✕', () => ctx.actions.removeLayer(i), { title: S.remove, 'aria-label': S.remove, disabled: layerCount === 1, class: 'icon', testid: `remove-${i}` }),
    );
    const head = h('header', { class: 'card-head' },
      h('h3', {}, S.layerTitle(i, name)),
      h('span', { class: 'shape', testid: `shape-${i}` }, S.shapeArrow(fmtShape(out.shape))),
      actions);
    this.error = h('p', { class: 'layer-error', testid: `layer-error-${i}`, role: 'alert', hidden: true });
    this.el.append(head, this.error);

    const settings = this.settingsEditor(ctx, i, spec);
    if (settings) this.el.append(settings);

    const tools = h('div', { class: 'card-tools' });
    if (snap.tensors.has('weight')) {
      tools.append(
        button(S.randomise, () => ctx.actions.randomiseLayer(i), { title: S.randomiseTitle, testid: `randomise-${i}`, class: 'randomise' }),
        button(S.resetParams, () => ctx.actions.resetLayer(i), { title: S.resetParamsTitle, testid: `reset-params-${i}`, class: 'reset-params' }));
    }
    const w = snap.tensors.get('weight');
    if (snap.type === 'conv2d' && w && w.shape[2] === w.shape[3] && (w.shape[2] === 3 || w.shape[2] === 5)) {
      // the classic image kernels, for every filter at once; "custom" once a number is edited
      this.kernel = select([['', S.kernelCustom], ...KERNEL_IDS.map((id) => [id, S.kernelNames[id]] as [string, string])], '',
        (v) => { if (v) ctx.actions.setKernelPreset(i, v as KernelId); },
        { testid: `kernel-preset-${i}`, 'aria-label': S.kernelPresetAria(S.layerTitle(i, name)) });
      this.kernelShape = w.shape;
      tools.append(h('label', { class: 'kernel-preset' }, S.kernelPreset, this.kernel));
    }
    if (snap.type === 'conv2d') {
      tools.append(button(S.slide, () => ctx.actions.slide(i), { title: S.slideTitle, testid: `slide-${i}` }));
    }
    if (tools.childElementCount) this.el.append(tools);

    // parameters on one row, the outputs under them: the card stays as narrow as its widest row
    const body = h('div', { class: 'card-body' });
    const params = h('div', { class: 'card-row' });
    const outs = h('div', { class: 'card-row' });
    const used = new Set<HTMLElement>();
    const later = (row: HTMLElement, make: () => HTMLElement) => { used.add(row); this.pending.push(() => row.append(make())); };
    // three output channels of a picture this big are the filtered photo: shown as one, first
    if (out.shape.length === 3 && out.shape[0] === 3 && out.shape[1] * out.shape[2] > 1024 && ctx.mode === 'values') {
      this.colour = new ColourImage(out.shape[2], out.shape[1], S.colourOutput, S.colourOutputCaption, `output-colour-${i}`, true);
      const colour = this.colour;
      later(outs, () => { colour.draw(this.latest.tensors.get('output')!.data); return colour.el; });
    }
    for (const t of SHOWN[ctx.mode]) {
      const tensor = snap.tensors.get(t);
      if (tensor) later(/^(weight|bias)/.test(t) ? params : outs, () => this.block(ctx, snap, t, tensor.shape));
    }
    if (snap.type === 'maxpool2d' && ctx.mode !== 'values') later(outs, () => this.block(ctx, snap, 'grad_input', snap.tensors.get('grad_input')!.shape, 'routing'));
    if (snap.type === 'relu' && ctx.mode !== 'values') later(outs, () => this.block(ctx, snap, 'grad_input', snap.tensors.get('grad_input')!.shape, 'mask'));
    for (const row of [params, outs]) if (used.has(row)) body.append(row);
    this.el.append(body);
    if (snap.type === 'relu' || snap.type === 'leaky_relu') this.el.append(h('p', { class: 'note' }, S.reluMaskNote));
    if (snap.type === 'maxpool2d' && ctx.mode !== 'values') this.el.append(h('p', { class: 'note' }, S.poolNote));

    const state = OPT_STATE.filter((t) => snap.tensors.has(t));
    if (state.length) {
      // small layers show their optimizer state open; big ones start collapsed to keep the page short
      const size = state.reduce((n, t) => n + snap.tensors.get(t)!.data.length, 0);
      const det = h('details', { class: 'opt-state', open: size <= 80 }, h('summary', {}, S.optimizerState));
      tagRegion(det, { optimizerOf: i });
      const row = h('div', { class: 'card-body' });
      for (const t of state) later(row, () => this.block(ctx, snap, t, snap.tensors.get(t)!.shape, undefined, 'state'));
      det.append(row);
      this.el.append(det);
    }
  }

  private block(ctx: CardContext, snap: LayerSnap, t: string, shape: number[], titleKey?: string, kind?: 'state'): HTMLElement {
    const i = snap.index;
    const param = t === 'weight' || t === 'bias' ? t : null;
    const isGrad = t.includes('grad');
    let matrix: ((k: number) => Partial<MatrixOptions>) | undefined;
    if (snap.type === 'flatten' && t.endsWith('output')) matrix = () => flattenCells(snap.tensors.get('input')!.shape);
    const block = new TensorBlock({
      title: S.tensorTitles[titleKey ?? t] ?? t,
      context: S.layerTitle(i, S.layerNames[snap.type] ?? snap.type),
      shape,
      ref: { node: i, tensor: t },
      kind: kind ?? (isGrad ? 'grad' : 'value'),
      editable: param !== null,
      onCommit: param ? (idx, v) => ctx.actions.editParam(i, param, idx, v) : undefined,
      onPoint: (sub, idx) => ctx.actions.point({ layer: i, tensor: t, sub, index: idx }),
      matrix,
    });
    ctx.register(i, t, block);
    this.blocks.push([t, block]);
    const data = this.latest.tensors.get(t)?.data;
    if (data) block.update(data);
    return block.el;
  }

  /**
   * Builds the blocks still missing until `deadline` (performance.now(); at least one block);
   * true when the card is complete.
   */
  buildMore(deadline = Infinity): boolean {
    let built = 0;
    while (this.pending.length) {
      if (built > 0 && performance.now() > deadline) return false;
      this.pending.shift()!();
      built++;
    }
    return true;
  }

  get complete(): boolean {
    return this.pending.length === 0;
  }

  private settingsEditor(ctx: CardContext, i: number, spec: LayerSpec): HTMLElement | null {
    const keys = SETTINGS[spec.type] ?? [];
    const isAct = ACTIVATIONS.includes(spec.type);
    if (!keys.length && !isAct) return null;
    const form = h('div', { class: 'settings', testid: `settings-${i}` });
    if (isAct) {
      const opts = ACTIVATIONS.map((a) => [a, S.layerNames[a]] as [string, string]);
      form.append(h('label', {}, S.activationType, select(opts, spec.type, (v) => ctx.actions.setLayerType(i, v), { testid: `setting-${i}-type` })));
    }
    for (const key of keys) {
      const fallback = key === 'stride' && spec.type !== 'conv2d' ? sizeText(spec.kernel_size, '1') : key === 'padding' ? '0' : '1';
      const input = h('input', {
        type: 'text', inputmode: 'numeric', size: 4,
        value: sizeText(spec[key] as number | [number, number] | undefined, fallback),
        testid: `setting-${i}-${key}`,
      });
      this.fields.set(`${i}:${key}`, input);
      input.addEventListener('change', () => ctx.actions.setSetting(i, key, input.value));
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') ctx.actions.setSetting(i, key, input.value); });
      form.append(h('label', {}, S.settingNames[key] ?? key, input));
    }
    return form;
  }

  update(snap: LayerSnap, error: string | undefined, invalid?: Map<string, { text: string; reason: string }>): void {
    // a value typed but not applied stays in its field, marked, with the reason as its description
    for (const [k, input] of this.fields) {
      const bad = invalid?.get(k);
      input.classList.toggle('invalid', Boolean(bad));
      input.setAttribute('aria-invalid', String(Boolean(bad)));
      if (bad) { input.title = bad.reason; if (document.activeElement !== input && input.value !== bad.text) input.value = bad.text; } else input.removeAttribute('title');
    }
    this.latest = snap;
    for (const [t, block] of this.blocks) {
      const tensor = snap.tensors.get(t);
      if (tensor) block.update(tensor.data);
    }
    this.error.hidden = !error;
    setMessage(this.error, error ? `${S.errorPrefix} ${error} — ${S.keptPrevious}` : '');
    const out = snap.tensors.get('output');
    if (this.colour && out) this.colour.draw(out.data);
    const weight = snap.tensors.get('weight');
    if (this.kernel && weight) {
      const id = matchPreset(weight.data, this.kernelShape[2], this.kernelShape[1]);
      const bias = snap.tensors.get('bias')?.data ?? [];
      const shown = id && Array.prototype.every.call(bias, (v: number) => v === 0) ? id : '';
      if (this.kernel.value !== shown) this.kernel.value = shown;
    }
  }
}

/** Flattened vector cells: tooltip and colour stripe naming the source (channel, row, col). */
function flattenCells(inShape: number[]): Partial<MatrixOptions> {
  const [c, hh, w] = inShape.length === 3 ? inShape : [1, 1, inShape[0]];
  const per = hh * w;
  return {
    cellTitle: (k) => S.flatSource(Math.floor(k / per), Math.floor((k % per) / w), k % w),
    cellClass: (k) => (c > 1 ? `flat src-${Math.floor(k / per) % 6}` : 'flat'),
  };
}
