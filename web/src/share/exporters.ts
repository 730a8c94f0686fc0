// Downloads: scene JSON, one tensor as CSV, and the visible pipeline drawn to a PNG (our own
// canvas drawing: each card's title, each block's title and its matrices as coloured cells
// with numbers, or as heatmaps when large).
import { colorRgb, maxAbs, needsLightText } from '../colors';
import type { Snapshot, Tensor } from '../engine';
import { fmtCell, fmtShape } from '../format';
import { isTensorRef, regionOf, type TensorRef } from '../tensorRef';
import { layoutOf } from '../views/tensorBlock';
import { f32Text } from './numbers';

export function download(name: string, data: Blob | string, type = 'text/plain'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function fileStem(title: string | undefined): string {
  return (title ?? 'scene').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'scene';
}

/** The tensor a block shows (its typed reference, ../tensorRef.ts), from the snapshot. */
export function tensorOf(snap: Snapshot, ref: TensorRef): Tensor | null {
  const t = ref.tensor;
  if (ref.node === 'input') {
    if (t === 'value') return snap.input;
    const g = t === 'grad' ? snap.layers[0]?.tensors.get('grad_input') : undefined;
    return g ? { ...g, name: 'input.grad' } : null;
  }
  if (ref.node === 'loss') {
    if (t === 'target') return { name: 'target', shape: snap.outputShape, data: snap.target };
    return t === 'grad' ? { name: 'loss.grad', shape: snap.outputShape, data: snap.lossGrad } : null;
  }
  return t === undefined ? null : snap.layers[ref.node]?.tensors.get(t) ?? null;
}

/** The CSV file's name after the scene's: "classic-0-weight", "classic-input-grad", "classic-lossgrad". */
export function csvName(stem: string, ref: TensorRef): string {
  const t = ref.tensor ?? '';
  const what = ref.node === 'input' ? (t === 'grad' ? 'input-grad' : 'input')
    : ref.node === 'loss' ? (t === 'grad' ? 'lossgrad' : 'target')
    : `${ref.node}-${t}`;
  return `${stem}-${what}.csv`;
}

/**
 * CSV of a tensor, exact float32 numbers. Rows are matrix rows; leading index columns say
 * which matrix: [C,H,W] -> channel,row,c1..cW; [O,I,KH,KW] -> out,in,row,...; [R,C] -> row,...;
 * [N] -> index,value.
 */
export function tensorCsv(t: Tensor): string {
  const s = t.shape;
  const lines: string[] = [];
  if (s.length <= 1) {
    lines.push('index,value');
    t.data.forEach((v, i) => lines.push(`${i},${f32Text(v)}`));
    return lines.join('\n') + '\n';
  }
  const cols = s[s.length - 1], rows = s[s.length - 2];
  const lead = s.length === 4 ? ['out', 'in'] : s.length === 3 ? ['channel'] : [];
  lines.push([...lead, 'row', ...Array.from({ length: cols }, (_, c) => `col${c + 1}`)].join(','));
  const mats = t.data.length / (rows * cols);
  for (let k = 0; k < mats; k++) {
    const idx = s.length === 4 ? [Math.floor(k / s[1]) + 1, (k % s[1]) + 1] : s.length === 3 ? [k + 1] : [];
    for (let r = 0; r < rows; r++) {
      const vals = Array.from(t.data.subarray((k * rows + r) * cols, (k * rows + r + 1) * cols), f32Text);
      lines.push([...idx, r + 1, ...vals].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

interface DrawBlock { title: string; tensor: Tensor; kind: string }
interface DrawCard { title: string; blocks: DrawBlock[] }

/** The cards and blocks currently visible in `root` (respects view mode and embed panels). */
export function visibleCards(root: ParentNode, snap: Snapshot): DrawCard[] {
  const cards: DrawCard[] = [];
  for (const card of root.querySelectorAll<HTMLElement>('.pipeline .card')) {
    if (!card.getClientRects().length) continue;
    const blocks: DrawBlock[] = [];
    for (const b of card.querySelectorAll<HTMLElement>('.block')) {
      if (!b.getClientRects().length) continue;
      const ref = regionOf(b);
      const tensor = isTensorRef(ref) ? tensorOf(snap, ref) : null;
      if (tensor) blocks.push({ title: b.querySelector('.block-title')?.textContent ?? tensor.name, tensor, kind: b.classList.contains('grad') ? 'grad' : b.classList.contains('state') ? 'state' : 'value' });
    }
    const head = card.querySelector('.card-head');
    const title = [head?.querySelector('h3')?.textContent, head?.querySelector('.shape, .loss-value')?.textContent].filter(Boolean).join('  ');
    cards.push({ title, blocks });
  }
  return cards;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

/** Draws the cards to a canvas, left to right, wrapping rows at about 2400 px. */
export function drawCards(cards: DrawCard[], heading: string): HTMLCanvasElement {
  const pad = 12, gap = 16, cellW = 34, cellH = 24, titleH = 18;
  type Placed = { card: DrawCard; w: number; h: number; blocks: { b: DrawBlock; w: number; h: number; mats: { x: number; y: number; px: number; py: number; large: boolean }[] }[] };
  const placed: Placed[] = cards.map((card) => {
    let w = Math.max(160, card.title.length * 8.5 - 2 * pad), h = 28; // ~8.5 px per 14 px title character
    const blocks = card.blocks.map((b) => {
      const lay = layoutOf(b.tensor.shape);
      const large = lay.rows > 16 || lay.cols > 16;
      const px = large ? Math.max(2, Math.min(8, Math.floor(240 / Math.max(lay.rows, lay.cols)))) : cellW;
      const py = large ? px : cellH;
      const mw = lay.cols * px, mh = lay.rows * py + 14;
      const perRow = lay.perRow > 0 ? lay.perRow : Math.max(1, Math.min(lay.count, Math.floor(600 / (mw + 8))));
      const mats = Array.from({ length: lay.count }, (_, k) => ({ x: (k % perRow) * (mw + 8), y: titleH + Math.floor(k / perRow) * (mh + 6), px, py, large }));
      const bw = Math.max(140, Math.min(lay.count, perRow) * (mw + 8));
      const bh = titleH + Math.ceil(lay.count / perRow) * (mh + 6);
      w = Math.max(w, bw);
      h += bh + 10;
      return { b, w: bw, h: bh, mats };
    });
    return { card, w: w + 2 * pad, h: h + pad, blocks };
  });
  // rows of cards
  const rows: Placed[][] = [[]];
  let x = 0;
  for (const p of placed) {
    if (x > 0 && x + p.w > 2400) { rows.push([]); x = 0; }
    rows[rows.length - 1].push(p);
    x += p.w + gap;
  }
  const width = Math.max(400, ...rows.map((r) => r.reduce((s, p) => s + p.w + gap, gap)));
  const height = rows.reduce((s, r) => s + Math.max(0, ...r.map((p) => p.h)) + gap, 40 + gap);
  const cv = document.createElement('canvas');
  cv.width = width;
  cv.height = height;
  const ctx = cv.getContext('2d')!;
  ctx.fillStyle = '#f6f7f9';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1c2330';
  ctx.font = `600 18px ${FONT}`;
  ctx.textBaseline = 'top';
  ctx.fillText(heading, gap, 14);
  let y = 40 + gap;
  for (const row of rows) {
    let cx = gap;
    for (const p of row) {
      ctx.fillStyle = '#ffffff';
      ctx.strokeStyle = '#dde1e7';
      ctx.fillRect(cx, y, p.w, p.h);
      ctx.strokeRect(cx + 0.5, y + 0.5, p.w - 1, p.h - 1);
      ctx.fillStyle = '#1c2330';
      ctx.font = `600 14px ${FONT}`;
      ctx.fillText(p.card.title, cx + pad, y + 8);
      let by = y + 32;
      for (const { b, h, mats } of p.blocks) {
        const bx = cx + pad;
        if (b.kind !== 'value') { ctx.fillStyle = b.kind === 'grad' ? '#f3f0fa' : '#f2f7f2'; ctx.fillRect(bx - 4, by - 2, p.w - 2 * pad + 8, h + 2); }
        ctx.fillStyle = '#1c2330';
        ctx.font = `600 12px ${FONT}`;
        ctx.fillText(`${b.title}  ${fmtShape(b.tensor.shape)}`, bx, by);
        drawTensor(ctx, b.tensor, bx, by, mats);
        by += h + 10;
      }
      cx += p.w + gap;
    }
    y += Math.max(0, ...row.map((p) => p.h)) + gap;
  }
  return cv;
}

function drawTensor(ctx: CanvasRenderingContext2D, t: Tensor, bx: number, by: number, mats: { x: number; y: number; px: number; py: number; large: boolean }[]): void {
  const lay = layoutOf(t.shape);
  const max = maxAbs(t.data);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  mats.forEach((m, k) => {
    const label = lay.label(k);
    const ox = bx + m.x, oy = by + m.y;
    for (let i = 0; i < lay.size; i++) {
      const v = t.data[k * lay.size + i];
      const [r, g, b] = colorRgb(v, max, false); // PNGs are drawn light, for documents and slides
      const x = ox + (i % lay.cols) * m.px, y = oy + Math.floor(i / lay.cols) * m.py;
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, y, m.px - (m.large ? 0 : 1), m.py - (m.large ? 0 : 1));
      if (!m.large) {
        ctx.fillStyle = needsLightText(v, max, false) ? '#ffffff' : '#111111';
        ctx.font = `10px ${FONT}`;
        ctx.fillText(fmtCell(v, 6), x + m.px / 2, y + m.py / 2);
      }
    }
    if (label) {
      ctx.fillStyle = '#5b6472';
      ctx.font = `10px ${FONT}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(label, ox, oy + lay.rows * m.py + 2);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
    }
  });
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
}

export function canvasPng(cv: HTMLCanvasElement): Promise<Blob> {
  return new Promise((ok, fail) => cv.toBlob((b) => (b ? ok(b) : fail(new Error('toBlob failed'))), 'image/png'));
}
