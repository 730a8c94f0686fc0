// Typed references to what the pipeline shows: a node (a layer by index, or the network's two
// ends), one of its tensors by the core's name, one matrix of it (a channel, a filter × input
// channel) and one cell. The views tag what they build with them (tagRegion); the lesson's
// spotlight and highlights, the CSV export and the PNG export find regions and tensors through
// them. data-testid belongs to the tests: product code only writes it, through testIdOf below,
// so the names the tests use and the references stay one scheme.

/** A layer by index, or the network's input or loss end. */
export type NodeRef = number | 'input' | 'loss';

export interface TensorRef {
  node: NodeRef;
  /**
   * The tensor: a layer's by the core's name ('output', 'weight.grad', ...); the input's are
   * 'value' and 'grad', the loss's 'target' and 'grad'. Absent: the node's whole card.
   */
  tensor?: string;
  /** matrix k of the tensor as the block draws it */
  channel?: number;
  /** a cell of that matrix (its data-index) */
  index?: number;
}

/** Regions that are not a tensor: a panel of the page, or a layer's optimizer state. */
export type PanelId = 'pipeline' | 'training' | 'lesson-landscape';
export type Region = TensorRef | { panel: PanelId } | { optimizerOf: number };

const isPanel = (r: Region): r is { panel: PanelId } => 'panel' in r;
const isOptimizer = (r: Region): r is { optimizerOf: number } => 'optimizerOf' in r;
export const isTensorRef = (r: Region | undefined): r is TensorRef => !!r && 'node' in r;

const PANEL_TEST_IDS: Record<PanelId, string> = { pipeline: 'pipeline', training: 'training-panel', 'lesson-landscape': 'lesson-landscape-wrap' };

/** The data-testid of the matrices of a tensor, without the matrix number ("matrix-3-weight"). */
function matrixTestId(node: NodeRef, tensor: string): string {
  if (node === 'input') return tensor === 'grad' ? 'matrix-input-grad' : 'matrix-input';
  if (node === 'loss') return tensor === 'grad' ? 'matrix-lossgrad' : 'matrix-target';
  return `matrix-${node}-${tensor}`;
}

/** The name the tests know a region by (its data-testid); views write it, nothing reads it. */
export function testIdOf(r: Region): string {
  if (isPanel(r)) return PANEL_TEST_IDS[r.panel];
  if (isOptimizer(r)) return `opt-state-${r.optimizerOf}`;
  if (r.tensor === undefined) return r.node === 'input' ? 'input-card' : r.node === 'loss' ? 'loss-card' : `layer-card-${r.node}`;
  const m = matrixTestId(r.node, r.tensor);
  return r.channel === undefined ? `block-${m}` : `${m}-${r.channel}`;
}

/** The region's key: what data-ref holds ("3/weight/0", "input", "panel:training"). */
function keyOf(r: Region): string {
  if (isPanel(r)) return `panel:${r.panel}`;
  if (isOptimizer(r)) return `optimizer:${r.optimizerOf}`;
  return [r.node, r.tensor, r.channel].filter((p) => p !== undefined).join('/');
}

const tagged = new WeakMap<Element, Region>();

/** Marks an element as showing `r` (and gives it the tests' name for it). */
export function tagRegion(el: HTMLElement, r: Region): void {
  tagged.set(el, r);
  el.dataset.ref = keyOf(r);
  el.dataset.testid = testIdOf(r);
}

/** What an element shows, as it was tagged. */
export function regionOf(el: Element): Region | undefined {
  return tagged.get(el);
}

/** A CSS selector of the region: stays true when the pipeline rebuilds its DOM (the spotlight is CSS). */
export function selectorOf(r: Region): string {
  return `[data-ref="${CSS.escape(keyOf(r))}"]`;
}

/** A CSS selector of one cell: matrix `channel` of the tensor, cell `index`. */
export function cellSelector(r: TensorRef & { channel: number; index: number }): string {
  return `${selectorOf({ node: r.node, tensor: r.tensor, channel: r.channel })} .cell[data-index="${Math.floor(r.index)}"]`;
}

export function findRegion(root: ParentNode, r: Region): HTMLElement | null {
  return root.querySelector<HTMLElement>(selectorOf(r));
}
