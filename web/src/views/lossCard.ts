// The loss at the end of the pipeline: loss kind, target (numbers for mse, a class for
// cross-entropy), the value L and dL/d(prediction) (p − onehot for cross-entropy). A forward-only
// scene (loss "none") ends here with a note and the choice of a loss.
import type { Snapshot } from '../engine';
import { fmt } from '../format';
import type { UIState } from '../state';
import { S } from '../strings';
import { setMessage } from '../i18n';
import { h, select, setText } from './dom';
import type { CardContext } from './layerCard';
import { TensorBlock } from './tensorBlock';
import { tagRegion } from '../tensorRef';

export class LossCard {
  readonly el: HTMLElement;
  private readonly value: HTMLElement;
  private readonly error: HTMLElement;
  private readonly classInput: HTMLInputElement | null = null;
  private target: TensorBlock | null = null;
  private readonly grad: TensorBlock | null = null;

  constructor(ctx: CardContext, snap: Snapshot, st: UIState) {
    const a = ctx.actions;
    const at = snap.layers.length;
    const loss = st.scene.loss;
    this.el = h('section', { class: 'card card-loss', 'aria-label': S.lossCard });
    tagRegion(this.el, { node: 'loss' });
    this.value = h('span', { class: 'loss-value', testid: 'loss-value' });
    this.el.append(h('header', { class: 'card-head' }, h('h3', {}, S.lossCard), this.value));
    this.error = h('p', { class: 'layer-error', testid: `layer-error-${at}`, role: 'alert', hidden: true });
    const kind = select([['mse', S.lossMse], ['cross_entropy', S.lossCe], ['none', S.lossNone]], loss, (v) => a.setLoss(v as 'mse' | 'cross_entropy' | 'none'), { testid: 'loss-select' });
    const settings = h('div', { class: 'settings' }, h('label', {}, S.lossKind, kind));
    if (loss === 'none') {
      this.el.append(this.error, settings, h('p', { class: 'note', testid: 'forward-only-note' }, S.forwardOnlyNote));
      return;
    }
    if (loss === 'cross_entropy') {
      this.classInput = h('input', { type: 'number', min: 0, step: 1, size: 3, testid: 'target-class' });
      this.classInput.addEventListener('change', () => a.setTargetClass(Number(this.classInput!.value)));
      settings.append(h('label', {}, S.targetClass, this.classInput));
    }
    this.el.append(this.error, settings);
    const body = h('div', { class: 'card-body' });
    if (loss === 'mse') {
      this.target = new TensorBlock({
        title: S.tensorTitles.target, context: S.lossCard, shape: snap.outputShape, ref: { node: 'loss', tensor: 'target' }, editable: true,
        onCommit: (i, v) => a.editTarget(i, v),
        onPoint: (sub, index) => a.point({ layer: at, tensor: 'target', sub, index }),
      });
      ctx.register(at, 'target', this.target);
      body.append(this.target.el);
    }
    this.grad = new TensorBlock({
      title: S.tensorTitles.lossGrad, context: S.lossCard, shape: snap.outputShape, ref: { node: 'loss', tensor: 'grad' }, kind: 'grad',
      onPoint: (sub, index) => a.point({ layer: at, tensor: 'lossGrad', sub, index }),
    });
    ctx.register(at, 'lossGrad', this.grad);
    body.append(this.grad.el);
    this.el.append(body, h('p', { class: 'note formula' }, loss === 'mse' ? S.lossGradMse : S.lossGradCe));
  }

  update(snap: Snapshot, st: UIState): void {
    setText(this.value, st.scene.loss === 'none' ? '' : S.lossValue(fmt(snap.loss)));
    this.target?.update(snap.target);
    if (this.classInput && document.activeElement !== this.classInput) this.classInput.value = String(Math.max(0, snap.target.indexOf(1)));
    this.grad?.update(snap.lossGrad);
    const err = st.layerErrors.get(snap.layers.length);
    this.error.hidden = !err;
    setMessage(this.error, err ? `${S.errorPrefix} ${err}` : '');
  }
}
