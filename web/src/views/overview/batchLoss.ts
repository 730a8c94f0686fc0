// A graph scene's loss card: each sample's loss from the core (Model.losses()) beside the batch
// mean (Model.loss()), which is the number training minimises. The shown sample's row is marked
// and every row picks its sample, so a sample with a large loss is one click from its tensors.
import { fmt } from '../../format';
import { S } from '../../strings';
import { button, h, setText } from '../dom';

export interface LossReader {
  losses(): Float32Array | null;
  loss(): number;
}

export class BatchLoss {
  readonly el: HTMLElement;
  private readonly mean: HTMLElement;
  private readonly note: HTMLElement;
  private readonly rows: HTMLElement;
  /** a row's sample button was pressed */
  onPick: (sample: number) => void = () => {};

  constructor() {
    this.mean = h('span', { class: 'loss-value', testid: 'batch-loss-mean' });
    this.note = h('p', { class: 'muted small', testid: 'batch-loss-note' });
    this.rows = h('tbody', {});
    this.el = h('section', { class: 'card card-loss batch-loss', testid: 'batch-loss', 'aria-label': S.lossCard },
      h('header', { class: 'card-head' }, h('h3', {}, S.lossCard), this.mean),
      this.note,
      h('table', { class: 'batch-loss-table', testid: 'batch-loss-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, S.ovSampleLabel), h('th', { scope: 'col', class: 'num' }, S.batchLossSample))),
        this.rows));
  }

  /** Hidden for a scene without a loss ("none"). */
  render(reader: LossReader, kind: string, sample: number): void {
    const losses = kind === 'none' ? null : reader.losses();
    this.el.hidden = !losses;
    if (!losses) return;
    const n = losses.length;
    setText(this.mean, S.lossValue(fmt(reader.loss())));
    setText(this.note, S.batchLossNote(n, kind === 'mse' ? S.lossMse : S.lossCe));
    if (this.rows.childElementCount !== n + 1) {
      const row = (k: number) => h('tr', { testid: `batch-loss-row-${k}` },
        h('th', { scope: 'row' }, button(String(k + 1), () => this.onPick(k), { class: 'link', 'aria-label': S.batchLossPick(k + 1) })),
        h('td', { class: 'num', testid: `batch-loss-${k}` }));
      this.rows.replaceChildren(...Array.from({ length: n }, (_, k) => row(k)),
        h('tr', { class: 'batch-loss-mean-row' }, h('th', { scope: 'row' }, S.batchLossMean), h('td', { class: 'num', testid: 'batch-loss-mean-cell' })));
    }
    for (let k = 0; k < n; k++) {
      const tr = this.rows.children[k] as HTMLElement;
      setText(tr.lastElementChild as HTMLElement, fmt(losses[k]));
      tr.classList.toggle('current', k === sample);
      if (k === sample) tr.setAttribute('aria-current', 'true'); else tr.removeAttribute('aria-current');
    }
    setText(this.rows.lastElementChild!.lastElementChild as HTMLElement, fmt(reader.loss()));
  }
}
