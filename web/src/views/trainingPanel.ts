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
import { tagRegion } from '../tensorRef';

export class TrainingPanel {
  readonly el: HTMLElement;
  private readonly opt: HTMLSelectElement;
  private readonly lr: HTMLInputElement;
  private readonly spf: HTMLInputElement;
  private readonly run: HTMLButtonElement;
  private readonly stepBtn: HTMLButtonElement;
  private readonly blocked: HTMLElement;
  private readonly note: HTMLElement;
  private readonly log: HTMLInputElement;
  /** the log-scale switch and the curve, hidden while there is nothing a curve could show */
  private readonly curveParts: HTMLElement[];
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly chart: LossChart;
  private readonly actions: Actions;

  constructor(a: Actions) {
    this.chart = new LossChart(a.lifetime);
    this.opt = select([['sgd', S.optSgd], ['momentum', S.optMomentum], ['adam', S.optAdam]], 'sgd',
      (v) => a.setOptimizer(v as 'sgd' | 'momentum' | 'adam'), { testid: 'optimizer-select' });
    this.lr = h('input', { type: 'text', inputmode: 'decimal', size: 6, testid: 'lr-input' });
    this.lr.addEventListener('change', () => a.setLearningRate(this.lr.value));
    this.spf = h('input', { type: 'number', min: 1, max: 1000, step: 1, size: 4, testid: 'steps-per-frame' });
    this.spf.addEventListener('change', () => a.setStepsPerFrame(Number(this.spf.value)));
    this.run = button(S.run, () => a.toggleRun(), { class: 'primary', testid: 'btn-run' });
    this.stepBtn = button(S.step, () => a.step(), { testid: 'btn-step' });
    this.status = h('p', { class: 'train-status', testid: 'train-status' });
    // why Step and Run are off while a typed setting is not applied (else the old network trains)
    this.blocked = h('p', { class: 'layer-error', testid: 'train-blocked', role: 'status', hidden: true });
    this.note = h('p', { class: 'note', testid: 'lr-note', role: 'status', hidden: true });
    this.log = h('input', { type: 'checkbox', testid: 'loss-log' });
    this.log.addEventListener('change', () => a.setLogScale(this.log.checked));
    this.error = h('p', { class: 'layer-error', role: 'alert', testid: 'train-error', hidden: true });
    this.el = h('section', { class: 'panel training', 'aria-label': S.training },
      h('h2', {}, S.training),
      h('div', { class: 'settings' },
        h('label', {}, S.optimizerLabel, this.opt),
        h('label', {}, S.lrLabel, this.lr),
        h('label', {}, S.stepsPerFrame, this.spf)),
      h('div', { class: 'buttons' },
        this.stepBtn,
        this.run,
        button(S.resetTraining, () => a.resetTraining(), { title: S.resetTrainingTitle, testid: 'btn-reset' })),
      this.blocked, this.note, this.error, this.status);
    this.curveParts = [h('label', { class: 'chart-log', title: S.chartLogTitle }, this.log, S.chartLog), this.chart.el];
    this.el.append(...this.curveParts);
    tagRegion(this.el, { panel: 'training' });
    this.actions = a;
  }

  render(snap: Snapshot, st: UIState): void {
    const o = snap.optimizer;
    const kind = o.type !== 'sgd' ? 'adam' : o.momentum > 0 ? 'momentum' : 'sgd';
    if (this.opt.value !== kind) this.opt.value = kind;
    const badLr = st.invalid.get('lr');
    if (document.activeElement !== this.lr) this.lr.value = badLr ? badLr.text : String(o.lr);
    this.lr.classList.toggle('invalid', Boolean(badLr));
    this.lr.setAttribute('aria-invalid', String(Boolean(badLr)));
    if (badLr) this.lr.title = badLr.reason;
    else this.lr.removeAttribute('title');
    if (document.activeElement !== this.spf) this.spf.value = String(st.training.stepsPerFrame);
    setText(this.run, st.training.running ? S.pause : S.run);
    this.run.setAttribute('aria-pressed', String(st.training.running));
    const why = this.actions.trainingBlocked();
    this.blocked.hidden = !why;
    // a forward-only scene is not a mistake to fix: its reason reads as a note, not an error
    this.blocked.className = st.scene.loss === 'none' ? 'note' : 'layer-error';
    setText(this.blocked, why ?? '');
    for (const b of [this.stepBtn, this.run]) {
      b.disabled = Boolean(why) && !st.training.running;
      if (why) b.title = why; else b.removeAttribute('title');
    }
    this.note.hidden = !st.training.lrNote;
    setText(this.note, st.training.lrNote ?? '');
    // the counter and the curve read the same list, so they always agree
    const t = st.training;
    const n = t.curve.length;
    const last = t.switches.at(-1);
    const since = last && last.at < n ? ` (${S.stepsWith(n - last.at, last.kind === 'adam' ? S.optAdam : last.kind === 'momentum' ? S.optMomentum : S.optSgd)})` : '';
    setText(this.status, st.scene.loss === 'none' ? S.stepsTaken(n) : `${S.stepsTaken(n)}${since} · ${S.lossNow(fmt(snap.loss))}`);
    this.error.hidden = !st.training.error || st.invalid.has('lr');
    setMessage(this.error, st.training.error ?? '');
    // a forward-only scene never draws a curve: no empty chart that invites a Step it can't take
    const noCurve = st.scene.loss === 'none' && n === 0;
    for (const part of this.curveParts) part.hidden = noCurve;
    if (noCurve) return;
    const log = t.logScale ?? autoLog(t.curve);
    this.log.checked = log;
    this.chart.render(t.curve, t.switches, log);
  }
}

/** Log scale by default when the loss spans more than two decades (the classic story drops fast). */
export function autoLog(curve: readonly number[]): boolean {
  let lo = Infinity, hi = 0;
  for (const v of curve) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi > 0 && hi / lo > 100;
}
