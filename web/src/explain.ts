// Turns the selected cell into words and numbers ("1×1 + (−1)×0 + … = 3") plus the cells to
// highlight. Pure apart from the engine's explain* calls; the inspector view only draws it.
import type { Engine, Snapshot, Tensor } from './engine';
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

function cellOf(shape: number[], flat: number): { sub: number; index: number } {
  const size = layoutOf(shape).size;
  return { sub: Math.floor(flat / size), index: flat % size };
}

/** Marks a cell of the activation entering layer `layer` (the previous card's output). */
function markInputOf(marks: Mark[], layer: number, sub: number, index: number, cls: string): void {
  for (const tensor of ['output', 'grad_output']) marks.push({ layer: layer - 1, tensor, sub, index, cls });
}

export function explain(engine: Engine, snap: Snapshot, sel: Selection, mode: ViewMode, loss: 'mse' | 'cross_entropy'): Explanation {
  const out: Explanation = { sections: [], marks: [{ ...sel, cls: 'sel' }] };
  // the same cell in the other view (values <-> gradients) is selected too
  const twin = sel.tensor === 'output' ? 'grad_output' : sel.tensor === 'grad_output' ? 'output' : null;
  if (twin) out.marks.push({ ...sel, tensor: twin, cls: 'sel' });
  const n = snap.layers.length;
  if (sel.layer === n) return explainLoss(snap, sel, out, loss);
  const layer = sel.layer >= 0 ? snap.layers[sel.layer] : null;
  const t = sel.tensor;
  if (layer && (t === 'output' || t === 'grad_output')) explainOutput(engine, snap, sel, out);
  else if (layer && /^(weight|bias)/.test(t)) explainParam(engine, snap, sel, out);
  else if (sel.layer === -1) {
    const v = snap.input.data[sel.sub * layoutOf(snap.input.shape).size + sel.index];
    out.sections.push({ title: S.tensorTitles.input, formula: S.valueLine('x', fmt(v)), lines: [S.edited] });
  }
  // how the gradient of this activation is built, when the next layer is a convolution
  const next = snap.layers[sel.layer + 1];
  if (next?.type === 'conv2d' && (t === 'output' || t === 'grad_output')) {
    const shape = next.tensors.get('input')!.shape;
    const [, , w] = shape;
    const e = engine.explainConvInputGrad(next.index, sel.sub, Math.floor(sel.index / w), sel.index % w);
    if (e.ok) {
      const v = e.value;
      const kIn = shape[0];
      const kw = next.tensors.get('weight')!.shape[3];
      const outW = next.tensors.get('output')!.shape[2];
      out.sections.push({
        title: S.inputGradHead(sel.sub, Math.floor(sel.index / w), sel.index % w),
        formula: `${sum(v.terms.length, (k) => `${fmtTerm(v.terms[k].weight)}×${fmtTerm(v.terms[k].grad_output)}`)} = ${fmt(v.grad)}`,
        lines: [S.inputGradBody],
      });
      if (mode !== 'values') {
        for (const x of v.terms) {
          out.marks.push({ layer: next.index, tensor: 'weight.grad', sub: x.out_channel * kIn + sel.sub, index: x.kernel_row * kw + x.kernel_col, cls: 'tap' });
          out.marks.push({ layer: next.index, tensor: 'grad_output', sub: x.out_channel, index: x.row * outW + x.col, cls: 'field' });
        }
      }
    }
  }
  return out;
}

function explainOutput(engine: Engine, snap: Snapshot, sel: Selection, out: Explanation): void {
  const L = snap.layers[sel.layer];
  const outT = L.tensors.get('output')!;
  const inT = L.tensors.get('input')!;
  const { sub: ch, index } = sel;
  const flat = ch * layoutOf(outT.shape).size + index;
  const y = outT.data[flat];
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
  } else if (L.type === 'maxpool2d' || L.type === 'avgpool2d') {
    const e = engine.explainPool(L.index, ch, r, c);
    if (!e.ok) return;
    const v = e.value;
    const vals = v.window.map((x) => fmt(x.value));
    const formula = v.kind === 'max' ? `max(${vals.join(', ')}) = ${fmt(v.output)}` : `(${vals.join(' + ')}) / ${vals.length} = ${fmt(v.output)}`;
    const title = v.kind === 'max' ? S.poolHeadMax(ch, r, c) : S.poolHeadAvg(ch, r, c);
    if (v.winner !== undefined) lines.unshift(S.poolWinner(vals[v.winner]));
    out.sections.push({ title, formula, lines });
    v.window.forEach((x, k) => {
      const idx = x.row * inW + x.col;
      markInputOf(out.marks, L.index, ch, idx, k === v.winner ? 'field winner' : 'field');
      if (k === v.winner) out.marks.push({ layer: L.index, tensor: 'grad_input', sub: ch, index: idx, cls: 'sel' });
    });
  } else if (L.type === 'flatten') {
    const src = cellOf(inT.shape, index);
    const [, h = 1, w = 1] = inT.shape.length === 3 ? inT.shape : [1, 1, inT.shape[0]];
    void h;
    out.sections.push({ title: S.flattenHead(index), formula: S.flattenBody(src.sub, Math.floor(src.index / w), src.index % w, fmt(y)), lines });
    markInputOf(out.marks, L.index, src.sub, src.index, 'src');
  } else if (L.type === 'dense') {
    out.sections.push(denseSection(snap, L.index, index, lines));
    const nIn = inT.data.length;
    for (let i = 0; i < nIn; i++) {
      for (const tensor of ['weight', 'weight.grad']) out.marks.push({ layer: L.index, tensor, sub: 0, index: index * nIn + i, cls: 'tap' });
      const s = cellOf(inT.shape, i);
      markInputOf(out.marks, L.index, s.sub, s.index, 'field');
    }
  } else {
    const x = inT.data[flat];
    const f = L.type === 'softmax' ? `softmax(z)${index + 1} = e^${fmtTerm(x)} / Σ e^z = ${fmt(y)}` : `${L.type}(${fmt(x)}) = ${fmt(y)}`;
    if (L.type === 'relu' || L.type === 'leaky_relu') lines.unshift(x > 0 ? S.reluPass : S.reluBlock);
    out.sections.push({ title: S.activationHead(name, flat), formula: f, lines });
    markInputOf(out.marks, L.index, ch, index, 'src');
  }
}

/** z_j = Σ w_ji x_i + b_j with the numbers, then the activation that follows, if any. */
function denseSection(snap: Snapshot, layer: number, j: number, lines: string[]): Section {
  const L = snap.layers[layer];
  const x = L.tensors.get('input')!.data;
  const w = L.tensors.get('weight')!.data;
  const b = L.tensors.get('bias')!.data[j];
  const z = L.tensors.get('output')!.data[j];
  const terms = sum(x.length, (i) => `${fmtTerm(w[j * x.length + i])}×${fmtTerm(x[i])}`);
  let formula = `z${j + 1} = ${terms} ${S.biasTerm(fmtTerm(b))} = ${fmt(z)}`;
  const next = snap.layers[layer + 1];
  if (next && ['relu', 'leaky_relu', 'sigmoid', 'tanh', 'softmax'].includes(next.type)) {
    formula += `;  ${next.type}(${fmt(z)}) = ${fmt(next.tensors.get('output')!.data[j])}`;
  }
  return { title: S.denseHead(j), formula, lines };
}

function explainParam(engine: Engine, snap: Snapshot, sel: Selection, out: Explanation): void {
  const L = snap.layers[sel.layer];
  const isBias = sel.tensor.startsWith('bias');
  const base = isBias ? 'bias' : 'weight';
  const p = L.tensors.get(base)!;
  const flat = sel.sub * layoutOf(p.shape).size + sel.index;
  const g = L.tensors.get(`${base}.grad`)!.data[flat];
  const lines = [S.valueLine(S.tensorTitles[base], fmt(p.data[flat])), S.valueLine(S.tensorTitles[`${base}.grad`], fmt(g))];
  for (const extra of ['delta', 'momentum', 'velocity']) {
    const t = L.tensors.get(`${base}.${extra}`);
    if (t) lines.push(S.valueLine(S.tensorTitles[`${base}.${extra}`], fmt(t.data[flat])));
  }
  for (const tensor of [base, `${base}.grad`]) out.marks.push({ layer: L.index, tensor, sub: sel.sub, index: sel.index, cls: 'sel' });
  if (L.type === 'conv2d' && !isBias) {
    const [, inC, kh, kw] = p.shape;
    void kh;
    const o = Math.floor(sel.sub / inC), ci = sel.sub % inC;
    const kr = Math.floor(sel.index / kw), kc = sel.index % kw;
    const e = engine.explainConvWeightGrad(L.index, o, ci, kr, kc);
    if (!e.ok) return;
    const v = e.value;
    const inW = L.tensors.get('input')!.shape[2];
    const outW = L.tensors.get('output')!.shape[2];
    out.sections.push({
      title: S.weightGradHead(o, ci, kr, kc),
      formula: `${sum(v.terms.length, (k) => `${fmtTerm(v.terms[k].input)}×${fmtTerm(v.terms[k].grad_output)}`)} = ${fmt(v.grad)}`,
      lines: [S.weightGradBody, ...lines],
    });
    for (const x of v.terms) {
      markInputOf(out.marks, L.index, ci, x.input_row * inW + x.input_col, 'field');
      out.marks.push({ layer: L.index, tensor: 'grad_output', sub: o, index: x.row * outW + x.col, cls: 'src' });
    }
  } else if (L.type === 'dense') {
    const x = L.tensors.get('input')!.data;
    const dz = L.tensors.get('grad_output')!.data;
    const j = isBias ? sel.index : Math.floor(sel.index / x.length);
    const i = sel.index % x.length;
    const formula = isBias ? `${S.denseBiasGrad(j)} = ${fmt(dz[j])}` : `${S.denseWeightGrad(j, i)} = ${fmtTerm(dz[j])}×${fmtTerm(x[i])} = ${fmt(g)}`;
    out.sections.push({ title: S.tensorTitles[`${base}.grad`], formula, lines });
  } else {
    out.sections.push({ title: S.tensorTitles[`${base}.grad`], lines });
  }
}

function explainLoss(snap: Snapshot, sel: Selection, out: Explanation, loss: 'mse' | 'cross_entropy'): Explanation {
  const i = sel.sub * layoutOf(snap.outputShape).size + sel.index;
  const last = snap.layers[snap.layers.length - 1].tensors.get('output') as Tensor;
  const y = last.data[i];
  const g = snap.lossGrad[i];
  const isCe = loss === 'cross_entropy';
  let formula: string;
  if (!isCe) formula = S.mseGradLine(fmt(y), fmt(snap.target[i]), last.data.length, fmt(g));
  else {
    const oh = snap.target[i] === 1 ? 1 : 0;
    formula = S.ceGradLine(fmt(g + oh), oh, fmt(g));
  }
  out.sections.push({ title: S.lossGradHead(i), formula, lines: [] });
  markInputOf(out.marks, snap.layers.length, sel.sub, sel.index, 'src');
  return out;
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
