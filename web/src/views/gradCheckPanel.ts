// "Gradient check": backprop vs finite differences, largest errors per layer and tensor.
import type { Actions } from '../actions';
import type { GradientCheckCause, GradientCheckRow } from '../wasm/cnnlens.mjs';
import { fmt } from '../format';
import type { UIState } from '../state';
import { S } from '../strings';
import { setMessage } from '../i18n';
import { button, h } from './dom';

export class GradCheckPanel {
  readonly el: HTMLElement;
  private readonly out: HTMLElement;
  private last: UIState['gradCheck'] | undefined;

  constructor(private readonly a: Actions) {
    this.out = h('div', { class: 'gc-out' });
    this.el = h('section', { class: 'panel gradcheck', 'aria-label': S.gradCheck },
      h('h2', {}, S.gradCheck),
      button(S.gradCheckRun, () => a.gradientCheck(), { testid: 'btn-gradcheck' }),
      h('p', { class: 'muted small' }, S.gradCheckHint),
      this.out);
  }

  render(st: UIState): void {
    // a forward-only scene has no gradients to check
    this.el.hidden = st.scene.loss === 'none';
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
    // the layer and its tensor share a column: five columns don't fit the side panel's width
    const head = h('tr', {}, ...[S.gcWhat, S.gcChecked, S.gcRel, S.gcAbs].map((t) => h('th', { scope: 'col' }, t)));
    const rows = gc.rows.flatMap((r) => [h('tr', { class: r.max_rel_error < 1e-2 ? 'ok' : 'warn' },
      r.layer < 0
        ? h('td', {}, S.gcInput)
        : h('td', {}, `${r.layer + 1}. ${S.layerNames[r.type] ?? r.type}`, h('br'), h('span', { class: 'gc-tensor' }, S.tensorTitles[r.tensor] ?? r.tensor)),
      h('td', { class: 'num' }, String(r.checked)),
      h('td', { class: 'num', testid: 'gc-rel' }, fmt(r.max_rel_error)),
      h('td', { class: 'num', testid: 'gc-abs' }, fmt(r.max_abs_error))), ...this.causeRow(r)]);
    this.out.replaceChildren(h('table', { testid: 'gradcheck-table' }, h('thead', {}, head), h('tbody', {}, ...rows)));
  }

  /** Under a row with a large error: what the core named as its cause, each a link to the cell. */
  private causeRow(r: GradientCheckRow): HTMLElement[] {
    const causes = r.causes ?? [];
    if (!causes.length) return [];
    const links = causes.slice(0, 2).map((c) => {
      const target = c.kind === 'maxpool_tie' ? c.cells[0] : c.cell;
      return button(causeText(c), () => this.a.pointCell(target.node, target.tensor, target.index), { testid: 'gc-cause', class: 'link' });
    });
    const more = (r.causes_total ?? causes.length) - links.length;
    return [h('tr', { class: 'gc-cause-row' }, h('td', { colspan: '4', class: 'small' },
      h('span', {}, `${S.gcCause} `), ...links, ...(more > 0 ? [h('span', { class: 'muted' }, ` ${S.gcMoreCauses(more)}`)] : [])))];
  }
}

function layerName(node: number, type: string): string {
  return `${node + 1}. ${S.layerNames[type] ?? type}`;
}

function causeText(c: GradientCheckCause): string {
  if (c.kind === 'maxpool_tie') {
    // cells of the pool's input map, as (channel, row, col)
    const cells = c.cells.map((x) => S.gcCellName(...tieCell(c, x.index))).join(', ');
    return S.gcTie(layerName(c.node, c.type), cells, fmt(c.value));
  }
  return S.gcKink(layerName(c.node, c.type), S.gcElementName(c.cell.index), fmt(c.input));
}

/** (channel, row, col) of a flat index into the pool's input, from the output cell's window geometry. */
function tieCell(c: Extract<GradientCheckCause, { kind: 'maxpool_tie' }>, index: number): [number, number, number] {
  const width = c.input_width, height = c.input_height;
  return [Math.floor(index / (width * height)), Math.floor(index / width) % height, index % width];
}
