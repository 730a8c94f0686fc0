// Turns the selected cell into words and numbers ("1×1 + (−1)×0 + … = 3") plus the cells to
// highlight. Pure apart from the engine's explain* calls; the inspector view only draws it.
import type { Engine, Snapshot } from './engine';
import type { CellExplanation, CellRef } from './wasm/cnnlens.mjs';
import { fmt, fmtTerm } from './format';
import type { Selection, ViewMode } from './state';
import { S } from './strings';
import { layoutOf } from './views/tensorBlock';
import type { Mark } from './views/pipeline';

export interface Section { title: string; formula?: string; lines: string[] }
export interface Explanation { sections: Section[]; marks: Mark[] }

const MAX_TERMS = 12;

/**
 * "a + b + … + z" of n terms: long sums keep their first and last terms. Only the terms shown
 * are formatted (a weight gradient on a 28x28 map has 784).
 */
function sum(n: number, term: (k: number) => string): string {
  if (n <= MAX_TERMS) return Array.from({ length: n }, (_, k) => term(k)).join(' + ');
  return [0, 1, 2, 3, 4, 5, 6, 7].map(term).concat('…', [n - 3, n - 2, n - 1].map(term)).join(' + ');
}

/** Marks a cell of the activation entering layer `layer` (the previous card's output). */
function markInputOf(marks: Mark[], layer: number, sub: number, index: number, cls: string): void {
  for (const tensor of ['output', 'grad_output']) marks.push({ layer: layer - 1, tensor, sub, index, cls });
}

export function explain(engine: Engine, snap: Snapshot, sel: Selection, mode: ViewMode, loss: 'mse' | 'cross_entropy' | 'none'): Explanation {
  void loss;  // the core's record says which loss it is
  const out: Explanation = { sections: [], marks: [{ ...sel, cls: 'sel' }] };
  // the same cell in the other view (values <-> gradients) is selected too
  const twin = sel.tensor === 'output' ? 'grad_output' : sel.tensor === 'grad_output' ? 'output' : null;
  if (twin) out.marks.push({ ...sel, tensor: twin, cls: 'sel' });
  const n = snap.layers.length;
  if (sel.layer === n) {
    // the loss card: dL/dŷ, the last layer's grad_output
    const flat = sel.sub * layoutOf(snap.outputShape).size + sel.index;
    const r = engine.explainCell(n - 1, 'grad_output', 0, flat, MAX_TERMS);
    if (r.ok) addRecord(snap, r.value, out, mode);
    return out;
  }
  const layer = sel.layer >= 0 ? snap.layers[sel.layer] : null;
  const t = sel.tensor;
  if (layer && (t === 'output' || t === 'grad_output')) {
    const flat = flatOf(snap, sel.layer, t, sel.sub, sel.index);
    const grad = engine.explainCell(sel.layer, 'grad_output', 0, flat, MAX_TERMS);
    // a gradient cell: how dL/d(this output) was obtained first, then how the value was made
    if (t === 'grad_output' && grad.ok) addRecord(snap, grad.value, out, mode);
    explainOutput(engine, snap, sel, out, mode);
    if (t === 'output' && grad.ok && (mode !== 'values' || snap.layers[sel.layer + 1]?.type === 'conv2d')) {
      addRecord(snap, grad.value, out, mode);
    }
  } else if (layer && t === 'grad_input') {
    const r = engine.explainCell(sel.layer, 'grad_input', 0, flatOf(snap, sel.layer, t, sel.sub, sel.index), MAX_TERMS);
    if (r.ok) addRecord(snap, r.value, out, mode);
  } else if (layer && /^(weight|bias)/.test(t)) explainParam(engine, snap, sel, out, mode);
  else if (sel.layer === -1) {
    const v = snap.input.data[sel.sub * layoutOf(snap.input.shape).size + sel.index];
    out.sections.push({ title: S.tensorTitles.input, formula: S.valueLine('x', fmt(v)), lines: [S.edited] });
  }
  return out;
}

/** Flat index within the sample of cell (sub, index) of a layer's tensor. */
function flatOf(snap: Snapshot, layer: number, tensor: string, sub: number, index: number): number {
  const shape = snap.layers[layer].tensors.get(tensor)?.shape ?? snap.layers[layer].tensors.get('output')!.shape;
  return sub * layoutOf(shape).size + index;
}

/** A core cell reference as the page's marks: node-local inputs are the previous card's outputs. */
function refMarks(snap: Snapshot, ref: CellRef, cls: string): Mark[] {
  const marks: Mark[] = [];
  const push = (layer: number, tensor: string) => {
    const shape = layer < 0 ? snap.input.shape : snap.layers[layer]?.tensors.get(tensor)?.shape;
    if (!shape) return;
    const { size } = layoutOf(shape);
    marks.push({ layer, tensor, sub: Math.floor(ref.index / size), index: ref.index % size, cls });
  };
  switch (ref.tensor) {
    case 'input': push(ref.node - 1, 'output'); push(ref.node - 1, 'grad_output'); break;
    case 'grad_input': push(ref.node, 'grad_input'); push(ref.node - 1, 'grad_output'); break;
    case 'output': push(ref.node, 'output'); push(ref.node, 'grad_output'); break;
    case 'weight': case 'weight.grad': push(ref.node, 'weight'); push(ref.node, 'weight.grad'); break;
    case 'bias': case 'bias.grad': push(ref.node, 'bias'); push(ref.node, 'bias.grad'); break;
    default: push(ref.node, ref.tensor);
  }
  return marks;
}

/**
 * "a×b + c×d + 2 more (0.1) + 40 zero terms = v": the shown terms (non-zero first), then what was
 * left out, so the shown numbers always add up to what is written.
 */
export function sumText(r: CellExplanation, term: (a: number, b: number) => string, constant?: string): string {
  const parts = (r.terms ?? []).map((x) => term(x.a, x.b));
  if (constant) parts.push(constant);
  let text = parts.join(' + ') || '0';
  if (r.omitted_terms) text += ` ${S.moreTerms(r.omitted_terms, fmt(r.omitted_sum ?? 0))}`;
  if (r.omitted_zero_terms) text += ` ${S.zeroTerms(r.omitted_zero_terms)}`;
  return `${text} = ${fmt(r.value)}`;
}

export const product = (a: number, b: number) => `${fmtTerm(a)}×${fmtTerm(b)}`;

function mapCell(snap: Snapshot, layer: number, tensor: string, flat: number): [number, number, number] {
  const shape = layer < 0 ? snap.input.shape : snap.layers[layer].tensors.get(tensor)?.shape ?? [];
  const [, h = 1, w = 1] = shape.length === 3 ? shape : [1, 1, shape[0] ?? 1];
  return [Math.floor(flat / (h * w)), Math.floor(flat / w) % h, flat % w];
}

/** The section of one core record, and its highlights. */
function addRecord(snap: Snapshot, r: CellExplanation, out: Explanation, mode: ViewMode): void {
  const node = r.cell.node;
  const i = r.cell.index;
  const name = S.layerNames[r.type] ?? r.type;
  const lines: string[] = [];
  const marks: Mark[] = [];
  const mark = (ref: CellRef | undefined, cls: string) => { if (ref) marks.push(...refMarks(snap, ref, cls)); };
  let section: Section | null = null;
  switch (r.formula) {
    case 'loss.mse':
      section = { title: S.lossGradHead(i), formula: S.mseGradLine(fmt(r.y!), fmt(r.target!), (r.features ?? 1) * (r.batch ?? 1), fmt(r.value)), lines };
      mark(r.y_ref, 'src');
      break;
    case 'loss.cross_entropy':
      section = { title: S.lossGradHead(i), formula: S.ceGradLine(fmt(r.softmax!), r.target === 1 ? 1 : 0, fmt(r.value)), lines };
      mark(r.y_ref, 'src');
      break;
    case 'activation.grad': {
      const g = r.grad_output!;
      const factors = r.slope_factors ?? [];
      const rule = r.type === 'sigmoid' ? S.chainSigmoid : r.type === 'tanh' ? S.chainTanh : S.chainGeneric(r.type);
      const numbers = factors.length ? factors.map((f) => fmtTerm(f.value)).join(' × ') : fmtTerm(r.slope!);
      lines.push(rule);
      if (!factors.length) lines.push(S.chainAt(r.type, fmt(r.x!), fmt(r.slope!)));
      if (['relu', 'leaky_relu', 'prelu', 'relu6'].includes(r.type)) lines.push(r.x! > 0 ? S.reluPass : S.reluBlock);
      if (r.slope_ref) lines.push(S.preluSlope(fmt(r.slope!)));
      section = { title: S.chainHead(name, i), formula: `${fmtTerm(g)} × ${numbers} = ${fmt(r.value)}`, lines };
      mark(r.grad_output_ref, 'src');
      mark(r.x_ref, 'field');
      mark(r.slope_ref, 'tap');
      break;
    }
    case 'softmax.grad': case 'log_softmax.grad': {
      const log = r.formula === 'log_softmax.grad';
      const inner = sumText({ ...r, value: r.inner_sum! }, log ? (a) => fmtTerm(a) : product);
      const formula = log
        ? `${fmtTerm(r.grad_output!)} − ${fmtTerm(r.y!)} × ${fmtTerm(r.inner_sum!)} = ${fmt(r.value)}`
        : `${fmtTerm(r.y!)} × (${fmtTerm(r.grad_output!)} − ${fmtTerm(r.inner_sum!)}) = ${fmt(r.value)}`;
      section = { title: S.softmaxGradHead(i), formula, lines: [log ? S.logSoftmaxGradBody : S.softmaxGradBody, `Σ = ${inner}`] };
      mark(r.grad_output_ref, 'src');
      break;
    }
    case 'dense.grad_input':
      section = { title: S.denseInputGradHead(i), formula: sumText(r, product), lines: [S.denseInputGradBody] };
      break;
    case 'dense.weight_grad': {
      const nIn = snap.layers[node].tensors.get('input')!.data.length;
      section = { title: S.denseWeightGrad(Math.floor(i / nIn), i % nIn), formula: sumText(r, product), lines: [S.denseWeightGradBody] };
      break;
    }
    case 'dense.bias_grad': case 'conv.bias_grad':
      section = { title: S.biasGradHead(i), formula: sumText(r, (a) => fmtTerm(a)), lines: [S.biasGradBody] };
      break;
    case 'prelu.weight_grad':
      section = { title: S.preluGradHead(i), formula: sumText(r, product), lines: [S.preluGradBody] };
      break;
    case 'conv.weight_grad': {
      const [, inC, , kw] = snap.layers[node].tensors.get('weight')!.shape;
      const k = kw * (snap.layers[node].tensors.get('weight')!.shape[2]);
      const o = Math.floor(i / (inC * k)), ci = Math.floor(i / k) % inC, tap = i % k;
      section = { title: S.weightGradHead(o, ci, Math.floor(tap / kw), tap % kw), formula: sumText(r, product), lines: [S.weightGradBody] };
      break;
    }
    case 'conv.grad_input': {
      const [c, row, col] = mapCell(snap, node - 1, 'output', i);
      section = { title: S.inputGradHead(c, row, col), formula: sumText(r, product), lines: [S.inputGradBody] };
      break;
    }
    case 'maxpool.grad_input': {
      const [c, row, col] = mapCell(snap, node, 'grad_input', i);
      section = { title: S.routeHead(c, row, col), formula: r.term_count ? sumText(r, (a, b) => `${fmtTerm(a)}×${b}`) : `0`, lines: [r.term_count ? S.routeBody : S.routeNone] };
      for (const x of r.terms ?? []) { mark(x.a_ref, 'src'); mark(x.b_ref, 'field winner'); }
      break;
    }
    case 'avgpool.grad_input': {
      const [c, row, col] = mapCell(snap, node, 'grad_input', i);
      section = { title: S.shareHead(c, row, col), formula: sumText(r, (a, b) => `${fmtTerm(a)}/${fmt(1 / b)}`), lines: [S.shareBody] };
      for (const x of r.terms ?? []) mark(x.a_ref, 'src');
      break;
    }
    case 'flatten.grad_input': {
      const [c, row, col] = r.map_cell ?? [0, 0, i];
      section = { title: S.flattenGradHead(i), formula: S.flattenGradBody(c, row, col, fmt(r.value)), lines };
      mark(r.source, 'src');
      break;
    }
    case 'edge.readers':
      section = { title: S.tensorTitles.grad_output, formula: `= ${fmt(r.value)}`, lines: [S.readersBody((r.readers ?? []).map((x) => x.node_id).join(', '))] };
      break;
    default:
      return;
  }
  if (mode !== 'values' && !r.formula.startsWith('maxpool') && !r.formula.startsWith('avgpool')) {
    for (const x of r.terms ?? []) {
      mark(x.a_ref, x.a_ref?.tensor.startsWith('weight') ? 'tap' : 'field');
      mark(x.b_ref, x.b_ref?.tensor.startsWith('weight') ? 'tap' : 'field');
    }
  }
  out.sections.push(section);
  out.marks.push(...marks);
}

function explainOutput(engine: Engine, snap: Snapshot, sel: Selection, out: Explanation, mode: ViewMode): void {
  const L = snap.layers[sel.layer];
  const outT = L.tensors.get('output')!;
  const inT = L.tensors.get('input')!;
  const { sub: ch, index } = sel;
  const flat = ch * layoutOf(outT.shape).size + index;
  const name = S.layerNames[L.type] ?? L.type;
  const W = outT.shape.length === 3 ? outT.shape[2] : 1;
  const r = Math.floor(index / W), c = index % W;
  const inW = inT.shape.length === 3 ? inT.shape[2] : 1;
  const lines: string[] = [];
  if (sel.tensor === 'grad_output') lines.push(S.valueLine(S.tensorTitles.grad_output, fmt(L.tensors.get('grad_output')!.data[flat])));

  if (L.type === 'conv2d') {
    const e = engine.explainConv(L.index, ch, r, c);
    if (!e.ok) return;
    const v = e.value;
    const kShape = L.tensors.get('weight')!.shape;
    const terms = sum(v.terms.length, (k) => `${fmtTerm(v.terms[k].weight)}×${fmtTerm(v.terms[k].input)}`);
    out.sections.push({ title: S.convHead(ch, r, c), formula: `${terms} ${S.biasTerm(fmtTerm(v.bias))} = ${fmt(v.output)}`, lines: [S.convSum, ...(v.terms.some((x) => x.padding) ? [S.padNote] : []), ...lines] });
    for (const x of v.terms) {
      const tap = x.kernel_row * kShape[3] + x.kernel_col;
      for (const tensor of ['weight', 'weight.grad']) out.marks.push({ layer: L.index, tensor, sub: ch * kShape[1] + x.channel, index: tap, cls: 'tap' });
      if (!x.padding) markInputOf(out.marks, L.index, x.channel, x.row * inW + x.col, 'field');
    }
    return;
  }
  const e = engine.explainCell(L.index, 'output', 0, flat, MAX_TERMS);
  if (!e.ok) return;
  const v = e.value;
  const mark = (ref: CellRef | undefined, cls: string) => { if (ref) out.marks.push(...refMarks(snap, ref, cls)); };
  switch (v.formula) {
    case 'maxpool.forward': case 'avgpool.forward': {
      const vals = (v.window ?? []).map((x) => fmt(x.value));
      const isMax = v.formula === 'maxpool.forward';
      const formula = isMax ? `max(${vals.join(', ')}) = ${fmt(v.value)}` : `(${vals.join(' + ')}) / ${fmt(v.divisor ?? vals.length)} = ${fmt(v.value)}`;
      if (isMax && v.winner !== undefined && v.winner >= 0) lines.unshift(S.poolWinner(vals[v.winner]));
      out.sections.push({ title: isMax ? S.poolHeadMax(ch, r, c) : S.poolHeadAvg(ch, r, c), formula, lines });
      (v.window ?? []).forEach((x, k) => {
        mark(x.ref, isMax && k === v.winner ? 'field winner' : 'field');
        if (isMax && k === v.winner) out.marks.push(...refMarks(snap, { ...x.ref, tensor: 'grad_input' }, 'sel').filter((m) => m.tensor === 'grad_input'));
      });
      break;
    }
    case 'flatten.forward': {
      const [sc, sr, scol] = v.map_cell ?? [0, 0, index];
      out.sections.push({ title: S.flattenHead(index), formula: S.flattenBody(sc, sr, scol, fmt(v.value)), lines });
      mark(v.source, 'src');
      break;
    }
    case 'dense.forward': {
      let formula = `z${index + 1} = ${sumText(v, product, S.biasTerm(fmtTerm(v.constant?.value ?? 0)).replace(/^\+ /, ''))}`;
      const next = snap.layers[sel.layer + 1];
      if (next && (next.tensors.get('output')?.data.length ?? 0) > index) {
        const n = engine.explainCell(next.index, 'output', 0, index, MAX_TERMS);
        if (n.ok && (n.value.kind === 'apply' || n.value.kind === 'softmax')) formula += `;  ${next.type}(${fmt(v.value)}) = ${fmt(n.value.value)}`;
      }
      out.sections.push({ title: S.denseHead(index), formula, lines });
      for (const x of v.terms ?? []) { mark(x.a_ref, 'tap'); mark(x.b_ref, 'field'); }
      break;
    }
    case 'activation.forward': {
      if (['relu', 'leaky_relu', 'prelu', 'relu6'].includes(L.type)) lines.unshift(v.x! > 0 ? S.reluPass : S.reluBlock);
      out.sections.push({ title: S.activationHead(name, flat), formula: `${L.type}(${fmt(v.x!)}) = ${fmt(v.value)}`, lines });
      mark(v.x_ref, 'src');
      break;
    }
    case 'softmax.forward': case 'log_softmax.forward': {
      const f = v.formula === 'softmax.forward'
        ? `softmax(z)${index + 1} = e^${fmtTerm(v.x!)} / Σ e^z = ${fmt(v.value)}`
        : `log_softmax(z)${index + 1} = ${fmtTerm(v.x!)} − log Σ e^z = ${fmt(v.value)}`;
      out.sections.push({ title: S.activationHead(name, flat), formula: f, lines });
      mark(v.x_ref, 'src');
      break;
    }
    default:
      out.sections.push({ title: S.activationHead(name, flat), formula: S.valueLine(S.tensorTitles.output, fmt(v.value)), lines });
  }
  void mode;
}

function explainParam(engine: Engine, snap: Snapshot, sel: Selection, out: Explanation, mode: ViewMode): void {
  const L = snap.layers[sel.layer];
  const isBias = sel.tensor.startsWith('bias');
  const base = isBias ? 'bias' : 'weight';
  const p = L.tensors.get(base)!;
  const flat = sel.sub * layoutOf(p.shape).size + sel.index;
  const g = L.tensors.get(`${base}.grad`)?.data[flat];
  const lines = [S.valueLine(S.tensorTitles[base], fmt(p.data[flat]))];
  if (g !== undefined) lines.push(S.valueLine(S.tensorTitles[`${base}.grad`], fmt(g)));
  for (const extra of ['delta', 'momentum', 'velocity']) {
    const t = L.tensors.get(`${base}.${extra}`);
    if (t) lines.push(S.valueLine(S.tensorTitles[`${base}.${extra}`], fmt(t.data[flat])));
  }
  for (const tensor of [base, `${base}.grad`]) out.marks.push({ layer: L.index, tensor, sub: sel.sub, index: sel.index, cls: 'sel' });
  const r = g === undefined ? null : engine.explainCell(L.index, `${base}.grad`, 0, flat, MAX_TERMS);
  const before = out.sections.length;
  if (r?.ok) addRecord(snap, r.value, out, mode === 'values' ? 'gradients' : mode);
  if (out.sections.length > before) out.sections[out.sections.length - 1].lines.push(...lines);
  // no gradient (a forward-only scene): the parameter itself
  else out.sections.push({ title: S.tensorTitles[g === undefined ? base : `${base}.grad`], lines });
}

/** Highlights of one matrix: cell index -> class names. */
export interface MarkGroup { layer: number; tensor: string; sub: number; cells: Map<number, string> }

/**
 * Highlights that depend only on the numbers: ReLU masks and max-pool winners, grouped per
 * matrix (tens of thousands of cells on the digits net, so no object per cell). Groups may share
 * their maps: nobody changes them.
 */
export function baseMarks(snap: Snapshot): MarkGroup[] {
  const groups: MarkGroup[] = [];
  for (const L of snap.layers) {
    if (L.type === 'relu' || L.type === 'leaky_relu') {
      const inp = L.tensors.get('input')!;
      const { count, size } = layoutOf(inp.shape);
      for (let sub = 0; sub < count; sub++) {
        const cells = new Map<number, string>();
        for (let i = 0; i < size; i++) if (!(inp.data[sub * size + i] > 0)) cells.set(i, 'masked');
        if (cells.size) for (const tensor of ['output', 'grad_output', 'grad_input']) groups.push({ layer: L.index, tensor, sub, cells });
      }
    } else if (L.type === 'maxpool2d') {
      const { count, size } = layoutOf(L.tensors.get('input')!.shape);
      const perChannel = Array.from({ length: count }, () => new Map<number, string>());
      for (const flat of L.tensors.get('argmax')!.data) perChannel[Math.floor(flat / size)]?.set(flat % size, 'winner');
      perChannel.forEach((cells, sub) => {
        if (!cells.size) return;
        groups.push({ layer: L.index, tensor: 'grad_input', sub, cells });
        groups.push({ layer: L.index - 1, tensor: 'grad_output', sub, cells });
      });
    }
  }
  return groups;
}
