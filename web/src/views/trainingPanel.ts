// Training controls: optimizer, learning rate, Step / Run-Pause / Reset, the loss curve and
// the divergence message.
import type { Actions } from '../actions';
import type { Snapshot } from '../engine';
import { fmt } from '../format';
import type { UIState } from '../state';
import { S } from '../strings';
import { setMessage } from '../i18n';
import { button, h, select, setText } from './dom';
import { LossChart } from './lossChart';

export class TrainingPanel {
  readonly el: HTMLElement;
  private readonly opt: HTMLSelectElement;
  private readonly lr: HTMLInputElement;
  private readonly spf: HTMLInputElement;
  private readonly run: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly chart = new LossChart();

  constructor(a: Actions) {
    this.opt = select([['sgd', S.optSgd], ['momentum', S.optMomentum], ['adam', S.optAdam]], 'sgd',
      (v) => a.setOptimizer(v as 'sgd' | 'momentum' | 'adam'), { testid: 'optimizer-select' });
    this.lr = h('input', { type: 'text', inputmode: 'decimal', size: 6, testid: 'lr-input' });
    this.lr.addEventListener('change', () => a.setLearningRate(this.lr.value));
    this.spf = h('input', { type: 'number', min: 1, max: 1000, step: 1, size: 4, testid: 'steps-per-frame' });
    this.spf.addEventListener('change', () => a.setStepsPerFrame(Number(this.spf.value)));
    this.run = button(S.run, () => a.toggleRun(), { class: 'primary', testid: 'btn-run' });
    this.status = h('p', { class: 'train-status', testid: 'train-status' });
    this.error = h('p', { class: 'layer-error', role: 'alert', testid: 'train-error', hidden: true });
    this.el = h('section', { class: 'panel training', testid: 'training-panel', 'aria-label': S.training },
      h('h2', {}, S.training),
      h('div', { class: 'settings' },
        h('label', {}, S.optimizerLabel, this.opt),
        h('label', {}, S.lrLabel, this.lr),
        h('label', {}, S.stepsPerFrame, this.spf)),
      h('div', { class: 'buttons' },
        button(S.step, () => a.step(), { testid: 'btn-step' }),
        this.run,
        button(S.resetTraining, () => a.resetTraining(), { title: S.resetTrainingTitle, testid: 'btn-reset' })),
      this.error, this.status, this.chart.el);
  }

  render(snap: Snapshot, st: UIState): void {
    const o = snap.optimizer;
    const kind = o.type === 'adam' ? 'adam' : o.momentum > 0 ? 'momentum' : 'sgd';
    if (this.opt.value !== kind) this.opt.value = kind;
    if (document.activeElement !== this.lr) this.lr.value = String(o.lr);
    if (document.activeElement !== this.spf) this.spf.value = String(st.training.stepsPerFrame);
    setText(this.run, st.training.running ? S.pause : S.run);
    this.run.setAttribute('aria-pressed', String(st.training.running));
    setText(this.status, `${S.stepsTaken(snap.steps)} · ${S.lossNow(fmt(snap.loss))}`);
    this.error.hidden = !st.training.error;
    setMessage(this.error, st.training.error ?? '');
    this.chart.render(snap.history);
  }
}
