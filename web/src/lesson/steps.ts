// The nine steps: which regions of the live page each one spotlights (typed references,
// ../tensorRef.ts), which it needs in embed mode, and the small widgets that make the learner
// act (quizzes, the flatten walk-through, the loss landscape, the SGD/Adam comparison). The
// layers are found by kind (nodesOf), never by a fixed index; every number is read from the
// live model when the step draws, so the text follows the learner's edits.
import type { Controller } from '../controller';
import type { Engine, Snapshot } from '../engine';
import { fmt, fmtTerm, parseNumber } from '../format';
import type { UIState, ViewMode } from '../state';
import { h } from '../views/dom';
import { para, setRich, type StepText, type Vars } from './content';
import { computeLandscape, drawCurves, drawLandscape, parseRef, refKey, CURVE_COLORS, HALF, PATH_STEPS, RES, type ParamRef } from './landscape';
import { cellSelector, findRegion, tagRegion, testIdOf, type Region, type TensorRef } from '../tensorRef';

/**
 * The classic example's layers, found by kind in the learner's network (the first of each; -1
 * when missing): the convolution, the pooling after it, the flatten, the dense layer and the
 * activation right after the dense one.
 */
export interface LessonNodes { conv: number; pool: number; flatten: number; dense: number; activation: number }

export function nodesOf(snap: Snapshot): LessonNodes {
  const first = (...kinds: string[]) => snap.layers.findIndex((l) => kinds.includes(l.type));
  const dense = first('dense');
  const next = dense >= 0 ? snap.layers[dense + 1] : undefined;
  return { conv: first('conv2d'), pool: first('maxpool2d', 'avgpool2d'), flatten: first('flatten'), dense, activation: next ? next.index : -1 };
}

/** One cell of a tensor of the page. */
const cellAt = (node: TensorRef['node'], tensor: string, channel: number, index: number): string => cellSelector({ node, tensor, channel, index });

export interface StepCtx {
  t: StepText;
  ui: Record<string, string>;
  engine: Engine;
  controller: Controller;
  state: UIState;
  snap(): Snapshot;
  /** the classic layers in the current network, by kind */
  nodes(): LessonNodes;
  /** cell-level CSS of this step (quiz cells, windows); replaces the previous */
  setExtra(css: string): void;
  /** changes the spotlight without scrolling */
  setSpot(spot: Region[], needs?: Region[]): void;
  reducedMotion(): boolean;
}

export interface StepView {
  el: HTMLElement;
  /** after every redraw of the page (edits, training): refresh the numbers */
  update?(): void;
  dispose?(): void;
}

export interface StepDef {
  spot(at: LessonNodes): Region[];
  /** regions kept in embed mode (default: spot) */
  needs?(at: LessonNodes): Region[];
  build(ctx: StepCtx): StepView;
}

const str = (t: StepText, k: string): string => (typeof t[k] === 'string' ? (t[k] as string) : '');

function paras(t: StepText, key = 'body'): HTMLElement[] {
  const v = t[key];
  return (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).map((s) => para(s));
}

function act(label: string, onClick: () => void, testid: string, cls = ''): HTMLButtonElement {
  const b = h('button', { type: 'button', testid, class: cls }, label);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Scrolls the lesson's own text (not the page) so that what a button just showed, from `first`
 * to `last`, is in sight: on a 720-high projector step 9's panel is a few lines tall beside the
 * Training panel, and a result drawn below the fold looked as if the click did nothing.
 */
function showInLesson(ctx: StepCtx, first: HTMLElement, last: HTMLElement = first): void {
  const scroller = first.closest<HTMLElement>('.lesson-scroll');
  if (!scroller) return;
  const box = scroller.getBoundingClientRect();
  const top = first.getBoundingClientRect().top, bottom = last.getBoundingClientRect().bottom;
  // already whole in sight: leave the reader's place alone
  if (top >= box.top && bottom <= box.bottom) return;
  // down until its bottom shows, but never past its top (a result taller than the panel shows its start)
  const by = top < box.top ? top - box.top : Math.min(bottom - box.bottom, top - box.top);
  scroller.scrollBy({ top: by, behavior: ctx.reducedMotion() ? 'auto' : 'smooth' });
}

/** A legend's key and its words, kept on one line (a key left at a line's end read as the next label's). */
function legendItem(key: HTMLElement, label: HTMLElement): HTMLElement {
  return h('span', { class: 'item' }, key, label);
}

function formulaEl(testid: string): HTMLElement {
  return h('p', { class: 'lesson-formula', testid });
}

/** "1×1 + (−1)×0 + … + 1×1 = 3", all nine products, the bias only when it is not 0. */
function convFormula(engine: Engine, snap: Snapshot, conv: number, ch: number, r: number, c: number): { text: string; value: number; inputs: number[] } | null {
  const e = engine.explainConv(conv, ch, r, c);
  if (!e.ok) return null;
  const v = e.value;
  const terms = v.terms.map((x) => `${fmtTerm(x.weight)}×${fmtTerm(x.input)}`);
  if (v.bias !== 0) terms.push(fmtTerm(v.bias));
  const w = snap.layers[conv].tensors.get('input')!.shape[2];
  return { text: `${terms.join(' + ')} = ${fmt(v.output)}`, value: v.output, inputs: v.terms.filter((x) => !x.padding).map((x) => x.row * w + x.col) };
}

function poolFormula(engine: Engine, snap: Snapshot, pool: number, ch: number, r: number, c: number): { text: string; avg: string; value: number; window: number[] } | null {
  const e = engine.explainPool(pool, ch, r, c);
  if (!e.ok) return null;
  const v = e.value;
  const vals = v.window.map((x) => fmt(x.value));
  const w = snap.layers[pool].tensors.get('input')!.shape[2];
  const mean = v.window.reduce((s, x) => s + x.value, 0) / v.window.length;
  const text = v.kind === 'max' ? `max(${vals.join(', ')}) = ${fmt(v.output)}` : `(${vals.join(' + ')}) / ${vals.length} = ${fmt(v.output)}`;
  return {
    text,
    avg: `(${v.window.map((x) => fmtTerm(x.value)).join(' + ')}) / ${vals.length} = ${fmt(mean)}`,
    value: v.output,
    window: v.window.map((x) => x.row * w + x.col),
  };
}

interface Cell { ch: number; r: number; c: number }
interface Solved { value: number; formula: string }

/**
 * "Try it yourself": the asked cell is masked on the page (its window outlined) until the
 * learner answers; then right/wrong, the arithmetic, and the app's own highlight of the window.
 */
class Quiz {
  readonly el: HTMLElement;
  private readonly question: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly feedback: HTMLElement;
  private readonly formula: HTMLElement;
  private cell: Cell;
  answered = false;

  constructor(private readonly ctx: StepCtx, private readonly o: {
    first: Cell; pick: () => Cell; ask: string; solve: (cell: Cell) => Solved | null;
    hide: (cell: Cell) => string; reveal: (cell: Cell) => void; varsOf: (cell: Cell) => Vars;
    /** selector of the asked cell on the page */
    target: (cell: Cell) => string;
  }) {
    this.cell = o.first;
    this.question = h('p', { class: 'lesson-question', testid: 'lesson-question' });
    this.input = h('input', { type: 'text', inputmode: 'decimal', size: 6, testid: 'lesson-answer', 'aria-label': ctx.ui.answerLabel, autocomplete: 'off' });
    this.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.check(); } });
    this.feedback = h('p', { class: 'lesson-feedback', testid: 'lesson-feedback', role: 'status', hidden: true });
    this.formula = formulaEl('lesson-quiz-formula');
    this.formula.hidden = true;
    this.el = h('div', { class: 'lesson-quiz', testid: 'lesson-quiz' },
      this.question,
      h('div', { class: 'lesson-row' },
        h('label', {}, ctx.ui.answerLabel, this.input),
        act(ctx.ui.check, () => this.check(), 'lesson-check', 'primary'),
        act(ctx.ui.another, () => this.next(), 'lesson-another')),
      this.feedback, this.formula);
    this.show();
  }

  private show(): void {
    setRich(this.question, this.o.ask, this.o.varsOf(this.cell));
    this.answered = false;
    this.input.value = '';
    this.feedback.hidden = true;
    this.formula.hidden = true;
    this.ctx.setExtra(this.o.hide(this.cell));
  }

  private next(): void {
    let c = this.o.pick();
    for (let k = 0; k < 8 && c.ch === this.cell.ch && c.r === this.cell.r && c.c === this.cell.c; k++) c = this.o.pick();
    this.cell = c;
    this.show();
  }

  check(): void {
    const s = this.o.solve(this.cell);
    if (!s) return;
    const given = parseNumber(this.input.value);
    this.feedback.hidden = false;
    if (Number.isNaN(given)) {
      this.feedback.dataset.result = 'invalid';
      setRich(this.feedback, this.ctx.ui.notANumber);
      return;
    }
    const right = Math.abs(given - s.value) <= Math.max(0.005, Math.abs(s.value) * 0.01);
    this.feedback.dataset.result = right ? 'right' : 'wrong';
    setRich(this.feedback, right ? this.ctx.ui.right : this.ctx.ui.wrong, { given: fmt(given), answer: fmt(s.value) });
    this.formula.hidden = false;
    this.formula.textContent = s.formula;
    this.formula.scrollIntoView({ block: 'nearest' });
    this.answered = true;
    this.ctx.setExtra('');
    this.o.reveal(this.cell);
    document.querySelector(this.o.target(this.cell))?.scrollIntoView({ block: 'nearest', behavior: this.ctx.reducedMotion() ? 'auto' : 'smooth' });
  }

  /** after an edit of the page: a revealed answer shows the new arithmetic */
  update(): void {
    if (!this.answered) return;
    const s = this.o.solve(this.cell);
    if (s) this.formula.textContent = s.formula;
  }
}

const rand = (n: number) => Math.floor(Math.random() * n);
const askedCss = (cell: string, window: string[]): string => {
  return [
    `${cell} { color: transparent !important; background: #fff !important; box-shadow: inset 0 0 0 3px var(--lesson-spot) !important; }`,
    `${cell}::after { content: '?'; position: absolute; color: var(--ink); font-weight: 700; font-size: 14px; }`,
    ...(window.length ? [`${window.join(', ')} { box-shadow: inset 0 0 0 3px var(--lesson-spot) !important; }`] : []),
  ].join('\n');
};

// ---------------------------------------------------------------- 1. a function
const stepFunction: StepDef = {
  spot: () => [{ panel: 'pipeline' }],
  build(ctx) {
    const names = (ctx.t.names ?? {}) as Record<string, string>;
    const snap = ctx.snap();
    const chain = h('ol', { class: 'lesson-chain', testid: 'lesson-chain' });
    const chip = (label: string, shape: number[], card: Region) => {
      const b = act(`${label} ${shape.join('×')}`, () => findRegion(document, card)?.scrollIntoView({ block: 'center', behavior: ctx.reducedMotion() ? 'auto' : 'smooth' }), `lesson-chip-${testIdOf(card)}`, 'chip');
      chain.append(h('li', {}, b));
    };
    chip(names.input ?? 'input', snap.input.shape, { node: 'input' });
    snap.layers.forEach((l) => chip(names[l.type] ?? l.type, l.tensors.get('output')!.shape, { node: l.index }));
    chain.append(h('li', {}, h('span', { class: 'chip end' }, names.output ?? 'output')));
    return { el: h('div', {}, ...paras(ctx.t), chain, para(str(ctx.t, 'action'), {}, 'lesson-action')) };
  },
};

// ---------------------------------------------------------------- 2. convolution
const stepConv: StepDef = {
  spot: (at) => [{ node: 'input' }, { node: at.conv }],
  build(ctx) {
    const worked = formulaEl('lesson-formula');
    const conv = () => ctx.nodes().conv;
    const point = (ch: number, idx: number) => ctx.controller.point({ layer: conv(), tensor: 'output', sub: ch, index: idx });
    const outW = () => ctx.snap().layers[conv()].tensors.get('output')!.shape[2];
    const formula = (ch: number, r: number, c: number) => convFormula(ctx.engine, ctx.snap(), conv(), ch, r, c);
    const quiz = new Quiz(ctx, {
      first: { ch: 0, r: 1, c: 1 },
      pick: () => ({ ch: rand(2), r: rand(4), c: rand(4) }),
      ask: str(ctx.t, 'quiz'),
      varsOf: (c) => ({ filter: c.ch + 1, row: c.r + 1, col: c.c + 1 }),
      solve: (c) => { const f = formula(c.ch, c.r, c.c); return f && { value: f.value, formula: f.text }; },
      hide: (c) => {
        const f = formula(c.ch, c.r, c.c);
        return askedCss(cellAt(conv(), 'output', c.ch, c.r * outW() + c.c), (f?.inputs ?? []).map((i) => cellAt('input', 'value', 0, i)));
      },
      reveal: (c) => point(c.ch, c.r * outW() + c.c),
      target: (c) => cellAt(conv(), 'output', c.ch, c.r * outW() + c.c),
    });
    const update = () => {
      const f = formula(0, 0, 0);
      worked.textContent = f ? f.text : ctx.ui.needsClassic;
      quiz.update();
    };
    update();
    point(0, 0);
    const el = h('div', {},
      ...paras(ctx.t),
      para(str(ctx.t, 'worked')), worked,
      para(str(ctx.t, 'stride')),
      h('div', { class: 'lesson-row' }, act(str(ctx.t, 'slide'), () => ctx.controller.slide(conv()), 'lesson-slide')),
      quiz.el,
      para(str(ctx.t, 'filter2')),
      h('div', { class: 'lesson-row' },
        act(str(ctx.t, 'showFilter1'), () => { ctx.controller.slide(-1); point(0, 0); }, 'lesson-filter1'),
        act(str(ctx.t, 'showFilter2'), () => { ctx.controller.slide(-1); point(1, 15); }, 'lesson-filter2')),
      para(str(ctx.t, 'detects')));
    return { el, update, dispose: () => ctx.controller.slide(-1) };
  },
};

// ---------------------------------------------------------------- 3. pooling
const stepPool: StepDef = {
  // the pooling's input is the layer before it (the convolution's output in the classic example)
  spot: (at) => [{ node: at.pool - 1, tensor: 'output' }, { node: at.pool }],
  needs: (at) => [{ node: at.pool - 1 }, { node: at.pool }],
  build(ctx) {
    const maxF = formulaEl('lesson-formula');
    const avgF = formulaEl('lesson-formula-avg');
    const pool = () => ctx.nodes().pool;
    const pw = () => ctx.snap().layers[pool()].tensors.get('output')!.shape[2];
    const point = (ch: number, idx: number) => ctx.controller.point({ layer: pool(), tensor: 'output', sub: ch, index: idx });
    const formula = (ch: number, r: number, c: number) => poolFormula(ctx.engine, ctx.snap(), pool(), ch, r, c);
    const quiz = new Quiz(ctx, {
      first: { ch: 1, r: 0, c: 1 },
      pick: () => ({ ch: rand(2), r: rand(2), c: rand(2) }),
      ask: str(ctx.t, 'quiz'),
      varsOf: (c) => ({ map: c.ch + 1, row: c.r + 1, col: c.c + 1 }),
      solve: (c) => { const f = formula(c.ch, c.r, c.c); return f && { value: f.value, formula: f.text }; },
      hide: (c) => {
        const f = formula(c.ch, c.r, c.c);
        return askedCss(cellAt(pool(), 'output', c.ch, c.r * pw() + c.c), (f?.window ?? []).map((i) => cellAt(pool() - 1, 'output', c.ch, i)));
      },
      reveal: (c) => point(c.ch, c.r * pw() + c.c),
      target: (c) => cellAt(pool(), 'output', c.ch, c.r * pw() + c.c),
    });
    const update = () => {
      const f = formula(0, 0, 0);
      maxF.textContent = f ? f.text : ctx.ui.needsClassic;
      avgF.textContent = f ? f.avg : '';
      quiz.update();
    };
    update();
    point(0, 0);
    return {
      el: h('div', {}, ...paras(ctx.t), para(str(ctx.t, 'max')), maxF, para(str(ctx.t, 'avg')), avgF, quiz.el, para(str(ctx.t, 'after'))),
      update,
    };
  },
};

// ---------------------------------------------------------------- 4. tiling / flatten
const stepFlatten: StepDef = {
  // the flatten reads the layer before it (the pooling in the classic example)
  spot: (at) => [{ node: at.flatten - 1, tensor: 'output' }, { node: at.flatten }],
  needs: (at) => [{ node: at.flatten - 1 }, { node: at.flatten }],
  build(ctx) {
    let k = -1;
    let timer = 0;
    const line = h('p', { class: 'lesson-formula', testid: 'lesson-flatten-line', 'aria-live': 'polite' });
    const stop = () => { clearInterval(timer); timer = 0; };
    const show = () => {
      const snap = ctx.snap();
      const flat = ctx.nodes().flatten;
      const inShape = snap.layers[flat]?.tensors.get('input')?.shape ?? [];
      const out = snap.layers[flat]?.tensors.get('output');
      if (inShape.length !== 3 || !out) { line.textContent = ctx.ui.needsClassic; stop(); return; }
      const [, hh, w] = inShape;
      const per = hh * w;
      const n = out.data.length;
      k = (k + 1) % n;
      const ch = Math.floor(k / per), idx = k % per;
      setRich(line, str(ctx.t, 'cellLine'), { k: k + 1, map: ch + 1, row: Math.floor(idx / w) + 1, col: (idx % w) + 1, value: fmt(out.data[k]) });
      ctx.setExtra([
        `${cellAt(flat - 1, 'output', ch, idx)} { box-shadow: inset 0 0 0 3px var(--lesson-spot) !important; }`,
        `${cellAt(flat, 'output', 0, k)} { box-shadow: inset 0 0 0 3px var(--lesson-spot) !important; }`,
      ].join('\n'));
      if (k === n - 1) stop();
    };
    const play = act(str(ctx.t, ctx.reducedMotion() ? 'next' : 'play'), () => {
      if (ctx.reducedMotion()) { show(); return; }
      stop();
      k = -1;
      show();
      timer = window.setInterval(show, 650);
    }, 'lesson-flatten-play');
    return {
      el: h('div', {}, ...paras(ctx.t), h('div', { class: 'lesson-row' }, play), line, para(str(ctx.t, 'after'))),
      dispose: stop,
    };
  },
};

// ---------------------------------------------------------------- 5. full connection
const stepDense: StepDef = {
  spot: (at) => [{ node: at.dense }, { node: at.activation }],
  needs: (at) => [{ node: at.dense - 1 }, { node: at.dense }, { node: at.activation }],
  build(ctx) {
    let j = 0;
    const zF = formulaEl('lesson-formula');
    const yF = formulaEl('lesson-formula-act');
    const counts = h('p', {});
    const pick = h('div', { class: 'lesson-row', role: 'group' });
    const update = () => {
      const snap = ctx.snap();
      const at = ctx.nodes();
      const L = snap.layers[at.dense];
      if (L?.type !== 'dense') { zF.textContent = ctx.ui.needsClassic; return; }
      const x = L.tensors.get('input')!.data, w = L.tensors.get('weight')!.data;
      const b = L.tensors.get('bias')!.data, z = L.tensors.get('output')!.data;
      const nOut = z.length;
      if (j >= nOut) j = 0;
      const terms: string[] = [];
      for (let i = 0; i < x.length; i++) terms.push(`${fmtTerm(w[j * x.length + i])}×${fmtTerm(x[i])}`);
      zF.textContent = `z${j + 1} = ${terms.join(' + ')} + ${fmtTerm(b[j])} = ${fmt(z[j])}`;
      const actL = snap.layers[at.activation];
      yF.textContent = actL ? `y${j + 1} = ${actL.type}(${fmt(z[j])}) = ${fmt(actL.tensors.get('output')!.data[j])}` : '';
      setRich(counts, str(ctx.t, 'counts'), { inputs: x.length, outputs: nOut, weights: x.length * nOut, biases: nOut });
      if (pick.childElementCount !== nOut) {
        pick.replaceChildren(...Array.from({ length: nOut }, (_, k) => act(`y${k + 1}`, () => { j = k; update(); ctx.controller.point({ layer: ctx.nodes().dense, tensor: 'output', sub: 0, index: k }); }, `lesson-output-${k}`)));
      }
      pick.querySelectorAll('button').forEach((bt, k) => bt.setAttribute('aria-pressed', String(k === j)));
    };
    update();
    ctx.controller.point({ layer: ctx.nodes().dense, tensor: 'output', sub: 0, index: 0 });
    return { el: h('div', {}, ...paras(ctx.t), counts, para(str(ctx.t, 'formulaIntro')), pick, zF, yF, para(str(ctx.t, 'sigmoid'))), update };
  },
};

// ---------------------------------------------------------------- 6. the loss
const stepLoss: StepDef = {
  spot: () => [{ node: 'loss' }],
  needs: (at) => [{ node: at.activation }, { node: 'loss' }],
  build(ctx) {
    const f = formulaEl('lesson-formula');
    const update = () => {
      const snap = ctx.snap();
      const y = snap.layers[snap.layers.length - 1].tensors.get('output')!.data;
      if (ctx.state.scene.loss !== 'mse') { f.textContent = ctx.ui.needsClassic; return; }
      const terms = Array.from(y, (v, i) => `(${fmt(v)} − ${fmt(snap.target[i])})²`);
      f.textContent = `L = (${terms.join(' + ')}) / ${y.length} = ${fmt(snap.loss)}`;
    };
    update();
    return { el: h('div', {}, ...paras(ctx.t), f, para(str(ctx.t, 'meaning')), para(str(ctx.t, 'action'), {}, 'lesson-action')), update };
  },
};

// ---------------------------------------------------------------- 7. what is learned
const stepLearned: StepDef = {
  spot: (at) => [{ node: at.conv, tensor: 'weight' }, { node: at.conv, tensor: 'bias' }, { node: at.dense, tensor: 'weight' }, { node: at.dense, tensor: 'bias' }],
  needs: (at) => [{ node: at.conv }, { node: at.pool }, { node: at.dense }],
  build(ctx) {
    const counts = h('p', { testid: 'lesson-param-count' });
    const update = () => {
      const snap = ctx.snap();
      const size = (i: number, t: string) => snap.layers[i]?.tensors.get(t)?.data.length ?? 0;
      const at = ctx.nodes();
      const conv = size(at.conv, 'weight') + size(at.conv, 'bias'), dense = size(at.dense, 'weight') + size(at.dense, 'bias');
      let total = 0;
      for (const l of snap.layers) total += (l.tensors.get('weight')?.data.length ?? 0) + (l.tensors.get('bias')?.data.length ?? 0);
      setRich(counts, str(ctx.t, 'counts'), { conv, dense, total });
    };
    update();
    return { el: h('div', {}, ...paras(ctx.t), counts, para(str(ctx.t, 'random')), para(str(ctx.t, 'action'), {}, 'lesson-action')), update };
  },
};

// ---------------------------------------------------------------- 8. the loss landscape
interface ParamOption { ref: ParamRef; label: string }

const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** 76 → ⁷⁶ (exponents written as superscripts, not with ^) */
const sup = (n: number): string => String(n).replace(/\d/g, (d) => SUP[Number(d)]).replace('-', '⁻');

function paramOptions(ctx: StepCtx): ParamOption[] {
  const snap = ctx.snap();
  const out: ParamOption[] = [];
  const t = ctx.t;
  for (const l of snap.layers) {
    const w = l.tensors.get('weight'), b = l.tensors.get('bias');
    if (!w || !b) continue;
    const conv = l.type === 'conv2d';
    w.data.forEach((_, i) => {
      let label: string;
      if (conv) {
        const [, inC, kh, kw] = w.shape;
        const per = inC * kh * kw;
        const f = Math.floor(i / per), rest = i % per, tap = rest % (kh * kw);
        label = para(str(t, 'convW'), { layer: l.index + 1, f: f + 1, r: Math.floor(tap / kw) + 1, c: (tap % kw) + 1 }).textContent ?? '';
      } else {
        const nIn = w.shape[w.shape.length - 1];
        label = para(str(t, 'denseW'), { layer: l.index + 1, j: Math.floor(i / nIn) + 1, i: (i % nIn) + 1 }).textContent ?? '';
      }
      out.push({ ref: { layer: l.index, name: 'weight', index: i }, label });
    });
    b.data.forEach((_, i) => out.push({ ref: { layer: l.index, name: 'bias', index: i }, label: para(str(t, conv ? 'convB' : 'denseB'), { layer: l.index + 1, j: i + 1 }).textContent ?? '' }));
  }
  return out;
}

const stepLandscape: StepDef = {
  spot: () => [{ panel: 'lesson-landscape' }],
  needs: (at) => [{ node: at.dense }],
  build(ctx) {
    const opts = paramOptions(ctx);
    const find = (k: string) => opts.find((o) => refKey(o.ref) === k);
    const def = (layer: number, name: string, index: number, fallback: number) => refKey((find(`${layer}:${name}:${index}`) ?? opts[Math.min(fallback, opts.length - 1)]).ref);
    const mk = (testid: string, label: string, value: string) => {
      const s = h('select', { testid, 'aria-label': label });
      for (const o of opts) s.append(h('option', { value: refKey(o.ref) }, o.label));
      s.value = value;
      return s;
    };
    // dense weight (1,1) and (2,1): one raises output 1, the other output 2
    const dense = ctx.nodes().dense;
    const selA = mk('lesson-param-a', str(ctx.t, 'paramA'), def(dense, 'weight', 0, 0));
    const selB = mk('lesson-param-b', str(ctx.t, 'paramB'), def(dense, 'weight', 8, 1));
    const canvas = h('canvas', { class: 'lesson-landscape', testid: 'lesson-landscape', role: 'img' });
    const info = h('p', { class: 'small muted', testid: 'lesson-landscape-info' });
    const legend = h('p', { class: 'lesson-legend small' });
    legend.append(
      legendItem(h('span', { class: 'key start' }), para(str(ctx.t, 'legendStart'), {}, '', 'span')),
      legendItem(h('span', { class: 'key min' }), para(str(ctx.t, 'legendMin'), {}, '', 'span')),
      legendItem(h('span', { class: 'key path' }), para(str(ctx.t, 'legendPath'), { steps: PATH_STEPS }, '', 'span')));
    const enumerate = h('p', {});
    let lastKey = '';
    const draw = () => {
      if (!opts.length) { info.textContent = ctx.ui.needsClassic; return; }
      const a = parseRef(selA.value), b = parseRef(selB.value);
      const snap = ctx.snap();
      const json = ctx.engine.sceneJson();
      const key = `${selA.value}|${selB.value}|${json}`;
      if (key === lastKey) return;
      lastKey = key;
      const lr = snap.optimizer.type === 'sgd' ? snap.optimizer.lr : 0.5;
      const L = computeLandscape(ctx.engine.module, json, a, b, lr);
      const la = find(selA.value)?.label ?? '', lb = find(selB.value)?.label ?? '';
      drawLandscape(canvas, L, la, lb);
      canvas.setAttribute('aria-label', para(str(ctx.t, 'canvasAria'), { a: la, b: lb, min: fmt(L.grid.loss[L.grid.minRow * RES + L.grid.minCol]) }).textContent ?? '');
      setRich(info, str(ctx.t, 'info'), { n: RES, passes: RES * RES, ms: L.ms.toFixed(1), half: HALF });
      let params = 0;
      for (const l of snap.layers) params += (l.tensors.get('weight')?.data.length ?? 0) + (l.tensors.get('bias')?.data.length ?? 0);
      // 100^P combinations = 10^(2P); at 10^9 forward passes per second that is 10^(2P-9) s
      setRich(enumerate, str(ctx.t, 'enumerate'), { p: params, pow100: `100${sup(params)}`, combos: `10${sup(2 * params)}`, time: `10${sup(2 * params - 9)}` });
      const mark = (r: ParamRef) => cellAt(r.layer, r.name, 0, r.index);
      ctx.setExtra(`${mark(a)}, ${mark(b)} { box-shadow: inset 0 0 0 3px var(--lesson-spot) !important; }`);
      ctx.setSpot([{ panel: 'lesson-landscape' }, { node: a.layer, tensor: a.name }, { node: b.layer, tensor: b.name }], [{ node: a.layer }, { node: b.layer }]);
    };
    selA.addEventListener('change', draw);
    selB.addEventListener('change', draw);
    const wrap = h('div', { class: 'lesson-landscape-wrap' },
      h('div', { class: 'lesson-row' }, h('label', {}, str(ctx.t, 'paramA'), selA), h('label', {}, str(ctx.t, 'paramB'), selB)),
      canvas, legend, info);
    tagRegion(wrap, { panel: 'lesson-landscape' });
    const el = h('div', {}, ...paras(ctx.t), enumerate, wrap, para(str(ctx.t, 'downhill')));
    // the canvas needs its laid-out width: draw once it is in the document
    requestAnimationFrame(draw);
    return { el, update: draw };
  },
};

// ---------------------------------------------------------------- 9. gradient descent and Adam
const stepDescent: StepDef = {
  spot: (at) => [{ panel: 'training' }, { node: at.dense, tensor: 'weight.grad' }, { optimizerOf: at.dense }],
  needs: (at) => [{ node: at.dense }, { panel: 'training' }],
  build(ctx) {
    const prevMode: ViewMode = ctx.state.mode;
    if (prevMode !== 'gradients') ctx.controller.setMode('gradients');
    const stepLine = h('p', { class: 'lesson-formula', testid: 'lesson-step-line', hidden: true });
    const changeLine = h('p', { class: 'lesson-formula', testid: 'lesson-change-line', hidden: true });
    const takeStep = () => {
      const before = ctx.snap();
      const at = ctx.nodes().dense;
      const dense = before.layers[at];
      const g = dense?.tensors.get('weight.grad')?.data[0];
      ctx.controller.step();
      const after = ctx.snap();
      stepLine.hidden = false;
      setRich(stepLine, str(ctx.t, 'stepLine'), { n: after.steps, before: fmt(before.loss), after: fmt(after.loss) });
      const d = after.layers[at]?.tensors.get('weight.delta')?.data[0];
      if (g === undefined || d === undefined) return;
      changeLine.hidden = false;
      const sgd = after.optimizer.type === 'sgd' && after.optimizer.momentum === 0;
      setRich(changeLine, str(ctx.t, sgd ? 'changeLine' : 'changeLineOther'), { g: fmt(g), gt: fmtTerm(g), lr: fmt(after.optimizer.lr), d: fmt(d) });
      showInLesson(ctx, stepLine, changeLine);
    };
    const chart = h('canvas', { class: 'lesson-curves', testid: 'lesson-compare', role: 'img', hidden: true });
    const legend = h('p', { class: 'lesson-legend small', hidden: true });
    const result = h('p', { testid: 'lesson-compare-result', hidden: true });
    const N = 50;
    const COMPARE_LR = 0.05;
    const compare = () => {
      const start = ctx.state.beforeTraining ?? ctx.engine.sceneJson();
      const M = ctx.engine.module.Model;
      const run = (opt: object) => {
        const m = new M(start);
        try {
          m.setOptimizer(JSON.stringify(opt));
          return m.train(N);
        } catch {
          return new Float32Array(0);
        } finally {
          m.delete();
        }
      };
      // the same learning rate for both, small enough that plain SGD does not jump in one step
      const lr = COMPARE_LR;
      const sgd = run({ type: 'sgd', lr, momentum: 0 });
      const adam = run({ type: 'adam', lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
      chart.hidden = legend.hidden = result.hidden = false;
      drawCurves(chart, [sgd, adam], ctx.ui.axisStep, ctx.ui.axisLoss);
      chart.setAttribute('aria-label', para(str(ctx.t, 'compareResult'), { n: N, sgd: fmt(sgd[N - 1]), adam: fmt(adam[N - 1]), lr: fmt(lr) }).textContent ?? '');
      legend.replaceChildren(
        legendItem(h('span', { class: 'key line', style: `border-color:${CURVE_COLORS[0]}` }), para(str(ctx.t, 'sgd'), { lr: fmt(lr) }, '', 'span')),
        legendItem(h('span', { class: 'key line dashed', style: `border-color:${CURVE_COLORS[1]}` }), para(str(ctx.t, 'adam'), { lr: fmt(lr) }, '', 'span')));
      setRich(result, str(ctx.t, 'compareResult'), { n: N, sgd: fmt(sgd[N - 1]), adam: fmt(adam[N - 1]), lr: fmt(lr) });
      showInLesson(ctx, chart, result);
    };
    const el = h('div', {},
      ...paras(ctx.t),
      h('div', { class: 'lesson-row' }, act(str(ctx.t, 'stepOne'), takeStep, 'lesson-step', 'primary')),
      stepLine, changeLine,
      para(str(ctx.t, 'watch')),
      para(str(ctx.t, 'adamIntro'), { n: N, lr: fmt(COMPARE_LR) }),
      h('div', { class: 'lesson-row' }, act(str(ctx.t, 'compare'), compare, 'lesson-compare-run')),
      chart, legend, result,
      para(str(ctx.t, 'end'), {}, 'lesson-action'));
    return {
      el,
      dispose: () => { if (ctx.state.mode === 'gradients' && prevMode !== 'gradients') ctx.controller.setMode(prevMode); },
    };
  },
};

export const STEPS: StepDef[] = [stepFunction, stepConv, stepPool, stepFlatten, stepDense, stepLoss, stepLearned, stepLandscape, stepDescent];
