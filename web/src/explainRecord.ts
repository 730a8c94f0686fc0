// Words the core's explanation record of one cell of a graph node (any kind, forward or
// backward) as Inspector sections: a heading naming the node and the cell, the formula with the
// record's numbers, and a one-line why. Pure apart from the engine's explainCell call.
import type { Engine } from './engine';
import type { CellExplanation } from './wasm/cnnlens.mjs';
import { product, sumText, type Explanation, type Section } from './explain';
import { fmt, fmtTerm } from './format';
import { S } from './strings';

/** A cell of the node detail, by what the core calls it (no data-testid involved). */
export interface GraphCellRef {
  /** the node's id (the core's nodeIds()) */
  node: string;
  /** the tensor's name as the core lists it ('output', 'grad_input.1', 'weight.grad', ...) */
  tensor: string;
  /** the batch sample shown (0 for parameters and per-channel statistics) */
  sample: number;
  /** flat index within the sample (or the parameter) */
  index: number;
  /** the tensor's shape within one sample, to name the cell */
  shape: number[];
  /** the node's input ids, in slot order (add / concat name their branches) */
  inputs: string[];
}

const MAX_TERMS = 12;

export function explainGraphCell(engine: Engine, ref: GraphCellRef): Explanation {
  const out: Explanation = { sections: [], marks: [] };
  const node = engine.reader.nodeIds().indexOf(ref.node);
  if (node < 0) return out;
  const r = engine.explainCell(node, ref.tensor, ref.sample, ref.index, MAX_TERMS);
  if (!r.ok) return out;
  const { part } = r.value;
  if (!part) out.sections.push(word(r.value, ref));
  else {
    // a shared edge: this node's own part first, then the edge's gradient as the sum of every reader's part
    out.sections.push(word(part, ref));
    const from = ref.inputs[Number(/\.(\d+)$/.exec(ref.tensor)?.[1] ?? 0)] ?? r.value.node_id;
    out.sections.push({ ...word(r.value, ref), title: `${from} · ${S.tensorTitles.grad_output}` });
  }
  return out;
}

/** "[1, 2, 3]": the cell's place in its tensor (channel, row, column; kernel o, i, row, column). */
function where(ref: GraphCellRef, batched: boolean): string {
  const at: number[] = [];
  let rest = ref.index;
  for (let k = ref.shape.length - 1; k >= 0; k--) {
    at.unshift(rest % ref.shape[k]);
    rest = Math.floor(rest / ref.shape[k]);
  }
  const cell = `[${(at.length ? at : [ref.index]).join(', ')}]`;
  return batched ? `${cell} · ${S.ovSampleLabel} ${ref.sample + 1}` : cell;
}

/** The tensor's title in the page's language; further inputs keep their number ("dL/d input 2"). */
function tensorTitle(name: string): string {
  const m = /^(.*)\.(\d+)$/.exec(name);
  if (m && /input$/.test(m[1])) return `${S.tensorTitles[m[1]] ?? m[1]} ${Number(m[2]) + 1}`;
  return S.tensorTitles[name] ?? name;
}

const terms = (a: number) => fmtTerm(a);

/** The numbers of a record as one Section. */
function word(r: CellExplanation, ref: GraphCellRef): Section {
  const title = `${r.node_id} · ${tensorTitle(r.cell.tensor)} ${where({ ...ref, index: r.cell.index }, r.cell.sample !== undefined)}`;
  const lines: string[] = [];
  const v = fmt(r.value);
  const name = S.layerNames[r.type] ?? r.type;
  const ch = r.channel ?? 0;
  let formula: string;
  switch (r.formula) {
    case 'batchnorm.forward':
      formula = `(x − μ)/√(σ² + ε)·γ + β = (${fmt(r.x!)} − ${fmtTerm(r.mean!)})/√(${fmt(r.var!)} + ${fmt(r.eps!)})·${fmtTerm(r.gamma!)} + ${fmtTerm(r.beta!)} = ${v}`;
      lines.push(r.statistics === 'running' ? S.gxBnEval(ch) : S.gxBnTrain(ch, r.count ?? 0), S.gxBnXhat(fmt(r.xhat!)));
      break;
    case 'batchnorm.grad_input': {
      const paths = r.paths ?? [];
      formula = `${paths.map((p) => fmtTerm(p.value)).join(' + ')} = ${v}`;
      lines.push(S.gxBnGradPaths,
        `γ/σ × (g − Σg/m − x̂·Σg·x̂/m) = ${fmtTerm(r.gamma!)} × ${fmtTerm(r.inv_std!)} × (${fmtTerm(r.grad_output!)} − ${fmtTerm(r.sum_grad!)}/${r.count} − ${fmtTerm(r.xhat!)} × ${fmtTerm(r.sum_grad_xhat!)}/${r.count})`);
      break;
    }
    case 'batchnorm.grad_input_eval':
      formula = `${fmtTerm(r.grad_output!)} × ${(r.slope_factors ?? []).map((f) => fmtTerm(f.value)).join(' × ') || fmtTerm(r.slope!)} = ${v}`;
      lines.push(S.gxBnGradEval);
      break;
    case 'batchnorm.weight_grad': formula = sumText(r, product); lines.push(S.gxBnGamma(r.cell.index)); break;
    case 'batchnorm.bias_grad': formula = sumText(r, terms); lines.push(S.gxBnBeta(r.cell.index)); break;
    case 'batchnorm.batch_mean': case 'batchnorm.batch_var': formula = sumText(r, product); lines.push(S.gxBnTrain(r.cell.index, r.term_count ?? 0)); break;
    case 'conv.forward': case 'conv_transpose.forward':
      formula = sumText(r, product, r.constant ? fmtTerm(r.constant.value) : undefined);
      lines.push(r.formula === 'conv.forward' ? S.convSum : S.gxScatter);
      break;
    case 'conv.grad_input': case 'conv_transpose.grad_input': formula = sumText(r, product); lines.push(S.inputGradBody); break;
    case 'conv.weight_grad': case 'conv_transpose.weight_grad': formula = sumText(r, product); lines.push(S.weightGradBody); break;
    case 'conv.bias_grad': case 'conv_transpose.bias_grad':
      formula = sumText(r, terms); lines.push(S.biasGradBody); break;
    case 'dropout.forward': case 'dropout.grad_input':
      formula = `${fmtTerm(r.formula === 'dropout.forward' ? r.x! : r.grad_output!)} × ${fmt(r.mask!)} × ${fmt(r.scale!)} = ${v}`;
      lines.push(S.gxDropout(fmt(r.p!), fmt(r.scale!)));
      break;
    case 'dropout.identity': case 'dropout.identity_grad':
      formula = `= ${v}`; lines.push(S.gxDropoutEval); break;
    case 'add.forward': formula = sumText(r, terms); lines.push(S.gxAdd); break;
    case 'add.grad_input': formula = `= ${v}`; lines.push(S.gxAddGrad(ref.inputs.length, ref.inputs.join(', '))); break;
    case 'concat.forward':
      formula = `= ${v}`; lines.push(S.gxConcat(r.slot ?? 0, r.from ?? '', r.source_channel ?? 0, r.channel ?? 0)); break;
    case 'concat.grad_input':
      formula = `= ${v}`; lines.push(S.gxConcatGrad(r.output_channel ?? 0, r.channel ?? 0)); break;
    case 'global_avgpool.forward': formula = sumText(r, product); lines.push(S.gxGap(r.divisor ?? r.term_count ?? 0)); break;
    case 'global_avgpool.grad_input': formula = sumText(r, product); lines.push(S.shareBody); break;
    case 'global_maxpool.forward': {
      const vals = (r.window ?? []).map((x) => fmt(x.value));
      if (r.omitted_cells) vals.push(`… +${r.omitted_cells}`);
      formula = `max(${vals.join(', ')}) = ${v}`;
      lines.push(S.gxGmp(r.window_size ?? vals.length));
      break;
    }
    case 'global_maxpool.grad_input': formula = sumText(r, (a, b) => `${fmtTerm(a)}×${b}`); lines.push(S.routeBody); break;
    case 'pad.forward': {
      const [c, row, col] = r.source_cell ?? [0, 0, 0];
      formula = `= ${v}`;
      lines.push(S.gxPad(r.padded ? S.gxPadModes[r.mode ?? ''] ?? r.mode ?? '' : '', c, row, col));
      break;
    }
    case 'pad.constant': formula = `= ${v}`; lines.push(S.gxPadZero); break;
    case 'pad.grad_input': formula = sumText(r, terms); lines.push(S.gxPadGrad); break;
    case 'edge.readers':
      formula = `${(r.readers ?? []).map((x) => fmtTerm(x.value)).join(' + ')} = ${v}`;
      lines.push(S.readersBody((r.readers ?? []).map((x) => x.node_id).join(', ')));
      break;
    case 'activation.forward': case 'softmax.forward': case 'log_softmax.forward':
      formula = `${r.type}(${fmt(r.x!)}) = ${v}`;
      lines.push(['relu', 'leaky_relu', 'prelu', 'relu6'].includes(r.type) ? (r.x! > 0 ? S.reluPass : S.reluBlock) : name);
      break;
    case 'activation.grad':
      formula = `${fmtTerm(r.grad_output!)} × ${fmtTerm(r.slope!)} = ${v}`;
      lines.push(S.chainGeneric(r.type), S.chainAt(r.type, fmt(r.x!), fmt(r.slope!)));
      break;
    default:
      // the classic kinds' sums (dense, pooling, flatten) read the same in a graph
      if (r.terms?.length) formula = sumText(r, product, r.constant ? fmtTerm(r.constant.value) : undefined);
      else formula = S.valueLine(tensorTitle(r.cell.tensor), v);
  }
  // convolutions say which channels the cell's group reads
  const g = r.group;
  if (g && g.groups > 1) {
    lines.push(g.depthwise ? S.gxDepthwise(g.output_channels[0], g.input_channels[0])
      : S.gxGroup(g.index, g.groups, g.input_channels[0], g.input_channels[0] + g.input_channels[1], g.output_channels[0], g.output_channels[0] + g.output_channels[1]));
  }
  return { title, formula, lines };
}
