// One node in full: every tensor the core lists for it (edges, parameters, gradients, optimizer
// state, running and batch statistics, masks, routing), drawn by the role the core reports with
// the page's matrix views. The values view shows the non-gradient roles, the gradients view the
// gradient roles, side by side shows all; parameters are editable.
import { kindHelp } from '../../i18n/kinds';
import { LANG } from '../../i18n';
import type { ViewMode } from '../../state';
import { S } from '../../strings';
import type { TensorInfo } from '../../wasm/cnnlens.mjs';
import type { GraphCellRef } from '../../explainRecord';
import { button, h } from '../dom';
import { TensorBlock } from '../tensorBlock';
import { INPUT_ID, isGradientRole, perSample, type GraphNode } from './graph';
import type { GraphReader } from './overview';

/** Matrices drawn per tensor at most (a 64x64 conv has 4,096 kernels): the first ones, said so. */
const MAX_MATRICES = 64;

/** The part of a tensor drawn: one sample of a batched one, the first MAX_MATRICES matrices. */
function shownShape(t: TensorInfo): { shape: number[]; total: number } {
  const shape = perSample(t) ? t.shape.slice(1) : t.shape.slice();
  if (shape.length === 4 && shape[0] * shape[1] > MAX_MATRICES) {
    const total = shape[0] * shape[1];
    return { shape: [Math.max(1, Math.floor(MAX_MATRICES / shape[1])), ...shape.slice(1)], total };
  }
  if (shape.length === 3 && shape[0] > MAX_MATRICES) return { shape: [MAX_MATRICES, ...shape.slice(1)], total: shape[0] };
  return { shape, total: 0 };
}

interface Shown { info: TensorInfo; block: TensorBlock; size: number }

export interface DetailActions {
  editNodeParam(id: string, name: string, index: number, value: number): void;
}

export class NodeDetail {
  readonly el: HTMLElement;
  readonly heading: HTMLHeadingElement;
  private readonly meta: HTMLElement;
  private readonly body: HTMLElement;
  private shown: Shown[] = [];
  private key = '';
  /** the sample the matrices show (a hovered cell belongs to it) */
  private sample = 0;
  private owner = '';
  onBack: () => void = () => {};
  /** hover or keyboard focus on a cell of any tensor */
  onPoint: (ref: GraphCellRef) => void = () => {};

  constructor(private readonly actions: DetailActions, private readonly locked: () => boolean) {
    this.heading = h('h2', { class: 'ov-detail-title', tabindex: '-1', testid: 'node-title' });
    this.meta = h('p', { class: 'muted small', testid: 'node-meta' });
    this.body = h('div', { class: 'ov-detail-body' });
    const back = button(S.ovBack, () => this.onBack(), { class: 'ov-back', testid: 'node-back' });
    this.el = h('section', { class: 'ov-detail', testid: 'node-detail' }, back, this.heading, this.meta, this.body);
  }

  /** Puts `tools` (the editing panel) between the node's description and its tensors. */
  setTools(tools: HTMLElement): void {
    this.el.insertBefore(tools, this.body);
  }

  /** `all`: the tensors to draw, read from the core's node `owner` (the network input's: its first reader). */
  render(reader: GraphReader, node: GraphNode, owner: string, all: TensorInfo[], readers: string[], kind: string, help: string, mode: ViewMode, sample: number): void {
    const wanted = all.filter((t) => mode === 'both' || isGradientRole(t.role) === (mode === 'gradients'));
    this.sample = sample;
    this.owner = owner;
    const key = JSON.stringify([node.id, wanted, mode, this.locked()]);
    if (key !== this.key) {
      this.key = key;
      this.heading.textContent = S.ovDetailTitle(node.id, kind);
      const hidden = all.length - wanted.length;
      this.meta.textContent = [
        help,
        node.inputs.length ? S.ovReads(node.inputs.join(', ')) : '',
        readers.length ? S.ovReadBy(readers.join(', ')) : '',
        hidden ? S.ovOtherView(hidden) : '',
      ].filter(Boolean).join(' · ');
      this.build(node, wanted, kind);
    }
    for (const s of this.shown) {
      const data = reader.nodeView(owner, s.info.name);
      const batch = perSample(s.info) ? Math.min(sample, s.info.shape[0] - 1) : 0;
      const per = perSample(s.info) ? data.length / s.info.shape[0] : data.length;
      // a copy: the heap view dies at the next core call and the matrices keep what they show
      s.block.update(data.slice(batch * per, batch * per + s.size));
    }
  }

  private build(node: GraphNode, tensors: TensorInfo[], kind: string): void {
    this.shown = [];
    const editable = !this.locked();
    const parts = tensors.map((info) => {
      const { shape, total } = shownShape(info);
      const param = info.role === 'param' && editable;
      const block = new TensorBlock({
        title: titleOf(info, node),
        context: S.ovDetailTitle(node.id, kind),
        shape,
        testid: `node-${node.id}-${info.name}`,
        kind: isGradientRole(info.role) ? 'grad' : info.role === 'param' || info.role === 'output' || info.role === 'input' ? 'value' : 'state',
        editable: param,
        onCommit: param ? (i, v) => this.actions.editNodeParam(node.id, info.name, i, v) : undefined,
        // the cell as the core names it: the node that owns the tensor, its name, the sample, the flat index
        onPoint: (k, i) => this.onPoint({
          node: this.owner, tensor: info.name, sample: perSample(info) ? Math.min(this.sample, info.shape[0] - 1) : 0,
          index: k * block.layout.size + i, shape: perSample(info) ? info.shape.slice(1) : info.shape, inputs: node.inputs,
        }),
      });
      const size = shape.reduce((a, b) => a * b, 1);
      this.shown.push({ info, block, size });
      block.el.dataset.role = info.role;
      return total ? h('div', {}, block.el, h('p', { class: 'muted small' }, S.ovFirstMatrices(block.layout.count, total))) : block.el;
    });
    this.body.replaceChildren(...parts);
  }
}

/** "Input x ← r0" for the edges (the node they come from), "Weights · parameter" for the rest. */
function titleOf(info: TensorInfo, node: GraphNode): string {
  const edge = /^(grad_)?input(?:\.(\d+))?$/.exec(info.name);
  if (edge) {
    const from = node.inputs[Number(edge[2] ?? 0)];
    if (!from) return S.tensorTitles[edge[1] ? 'grad_input' : 'input']; // the network input's own column
    return edge[1] ? `${S.tensorTitles.grad_input} → ${from}` : `${S.tensorTitles.input} ← ${from}`;
  }
  if (info.role === 'output' || info.name === 'grad_output') return S.tensorTitles[info.name] ?? info.name;
  return `${S.tensorTitles[info.name] ?? info.name} · ${S.ovRoles[info.role] ?? info.role}`;
}

/** The one-line help of a kind in the page's language (web/src/i18n/kinds.ts). */
export function helpOf(type: string): string {
  if (type === INPUT_ID) return '';
  const k = kindHelp[`kind.${type}`];
  return k ? (LANG === 'zh' ? k.zh : k.en) : '';
}
