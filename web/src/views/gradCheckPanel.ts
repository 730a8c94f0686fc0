// "Gradient check": backprop vs finite differences, largest errors per layer and tensor.
import type { Actions } from '../actions';
import { fmt } from '../format';
import type { UIState } from '../state';
import { S } from '../strings';
import { setMessage } from '../i18n';
import { button, h } from './dom';

export class GradCheckPanel {
  readonly el: HTMLElement;
  private readonly out: HTMLElement;
  private last: UIState['gradCheck'] | undefined;

  constructor(a: Actions) {
    this.out = h('div', { class: 'gc-out' });
    this.el = h('section', { class: 'panel gradcheck', 'aria-label': S.gradCheck },
      h('h2', {}, S.gradCheck),
      button(S.gradCheckRun, () => a.gradientCheck(), { testid: 'btn-gradcheck' }),
      h('p', { class: 'muted small' }, S.gradCheckHint),
      this.out);
  }

  render(st: UIState): void {
    if (st.gradCheck === this.last) return;
    this.last = st.gradCheck;
    const gc = st.gradCheck;
    if (!gc) { this.out.replaceChildren(); return; }
    if ('error' in gc) {
      const p = h('p', { class: 'layer-error', role: 'alert' });
      setMessage(p, `${S.gradCheckFailed} ${gc.error}`);
      this.out.replaceChildren(p);
      return;
    }
    const head = h('tr', {}, ...[S.gcLayer, S.gcTensor, S.gcChecked, S.gcRel, S.gcAbs].map((t) => h('th', { scope: 'col' }, t)));
    const rows = gc.rows.map((r) => h('tr', { class: r.max_rel_error < 1e-2 ? 'ok' : 'warn' },
      h('td', {}, r.layer < 0 ? S.gcInput : `${r.layer + 1}. ${S.layerNames[r.type] ?? r.type}`),
      h('td', {}, r.tensor === 'input' ? S.gcInput : S.tensorTitles[r.tensor] ?? r.tensor),
      h('td', { class: 'num' }, String(r.checked)),
      h('td', { class: 'num', testid: 'gc-rel' }, fmt(r.max_rel_error)),
      h('td', { class: 'num', testid: 'gc-abs' }, fmt(r.max_abs_error))));
    this.out.replaceChildren(h('table', { testid: 'gradcheck-table' }, h('thead', {}, head), h('tbody', {}, ...rows)));
  }
}
