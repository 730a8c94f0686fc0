// Structural edits of a version-2 (graph) scene as pure functions: each takes the scene the core
// wrote (Model.toJSON(): every node lists its inputs) and returns a new scene; the input is never
// changed. They only rewire and splice: whether the result is a valid network (shapes, kinds,
// unread nodes) is the core's to say when the scene is loaded.
import type { LayerFieldInfo, LayerKindInfo } from './wasm/cnnlens.mjs';

/** The network's input, as nodes name it in `inputs`. */
export const INPUT = 'input';

export type GraphNodeSpec = Record<string, unknown> & { id: string; type: string; inputs: string[] };
export type GraphScene = Record<string, unknown> & { nodes: GraphNodeSpec[] };

export type BlockKind = 'residual' | 'concat' | 'separable';
export const BLOCKS: readonly BlockKind[] = ['residual', 'concat', 'separable'];

/** A new scene and the ids of the nodes the edit added (in execution order). */
export interface Edited { scene: GraphScene; added: string[] }

/** The scene with every node's inputs written out (omitted: the previous node, or the input). */
export function normalise(scene: Record<string, unknown>): GraphScene {
  const s = structuredClone(scene) as GraphScene;
  if (!Array.isArray(s.nodes)) throw new Error('not a graph scene');
  let previous = INPUT;
  for (const n of s.nodes) {
    if (!Array.isArray(n.inputs)) n.inputs = [previous];
    previous = n.id;
  }
  return s;
}

function indexOf(s: GraphScene, id: string): number {
  if (id === INPUT) return -1;
  const k = s.nodes.findIndex((n) => n.id === id);
  if (k < 0) throw new Error(`no node ${id}`);
  return k;
}

function nodeOf(s: GraphScene, id: string): GraphNodeSpec {
  return s.nodes[indexOf(s, id)];
}

/** The nodes that read `id`, in execution order. */
export function readersOf(scene: Record<string, unknown>, id: string): string[] {
  return normalise(scene).nodes.filter((n) => n.inputs.includes(id)).map((n) => n.id);
}

/** What a kind's nodes are called: conv2d -> conv, batchnorm2d -> batchnorm, add -> add. */
export function baseName(type: string): string {
  return type.replace(/[12]d$/, '') || 'node';
}

/** base1, base2, ...: the first not used by the scene nor in `taken`. */
export function freshId(scene: { nodes: { id: string }[] }, base: string, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set([INPUT, ...scene.nodes.map((n) => n.id), ...taken]);
  let k = 1;
  while (used.has(`${base}${k}`)) k++;
  return `${base}${k}`;
}

/**
 * Puts `added` (wired among themselves, the first reading `after`) right after `after` in the
 * execution order; every node that read `after` reads `output` instead, so the new part sits on
 * all of `after`'s outgoing edges (with none, it becomes the network's output).
 */
function splice(scene: Record<string, unknown>, after: string, added: GraphNodeSpec[], output: string): GraphScene {
  const s = normalise(scene);
  const at = indexOf(s, after) + 1;
  for (const n of s.nodes) n.inputs = n.inputs.map((i) => (i === after ? output : i));
  s.nodes.splice(at, 0, ...added);
  return s;
}

/**
 * The value a new node starts with for a field: none (the core's default) unless the field is
 * required; then an output count copies the input's (`out_channels` = its channels), anything
 * else takes its smallest allowed value (kernel 1, padding 0): shapes downstream still fit.
 */
export function startValue(field: LayerFieldInfo, inputShape: readonly number[]): unknown {
  if (!field.required) return undefined;
  if (field.type === 'int' && field.name.startsWith('out_')) return Math.max(1, inputShape[0] ?? 1);
  if (field.type === 'choice') return field.choices?.[0];
  if (field.type === 'bool') return false;
  return field.min ?? 0;
}

/** One node of `kind` after `after`; `inputShape`: one sample of `after`'s output. */
export function insertKind(scene: Record<string, unknown>, after: string, kind: LayerKindInfo, inputShape: readonly number[]): Edited {
  const s = normalise(scene);
  const id = freshId(s, baseName(kind.type));
  const node: GraphNodeSpec = { id, type: kind.type, inputs: [after] };
  for (const f of kind.fields) {
    const v = startValue(f, inputShape);
    if (v !== undefined) node[f.name] = v;
  }
  return { scene: splice(s, after, [node], id), added: [id] };
}

/** A conv2d node keeping the map's size (odd kernel, padding (k - 1) / 2). */
function conv(id: string, input: string, out: number, k: number, extra: Record<string, unknown> = {}): GraphNodeSpec {
  const n: GraphNodeSpec = { id, type: 'conv2d', inputs: [input], out_channels: out, kernel_size: k, ...extra };
  if (k > 1) n.padding = (k - 1) / 2;
  return n;
}

/**
 * A block after `after`, whose output has `channels` channels. Each keeps the shape where it can,
 * so what read `after` still fits: residual: conv-relu-conv added to the skip; concat: a 3x3 and
 * a 1x1 conv side by side, half the channels each, joined on channels; separable: a depthwise
 * 3x3 conv (groups = channels) then a 1x1 conv.
 */
export function insertBlock(scene: Record<string, unknown>, after: string, block: BlockKind, channels: number): Edited {
  const s = normalise(scene);
  const taken = new Set<string>();
  const id = (base: string) => { const v = freshId(s, base, taken); taken.add(v); return v; };
  const c = Math.max(1, channels);
  let nodes: GraphNodeSpec[];
  if (block === 'residual') {
    const a = id('conv'); const r = id('relu'); const b = id('conv'); const sum = id('add');
    nodes = [conv(a, after, c, 3), { id: r, type: 'relu', inputs: [a] }, conv(b, r, c, 3), { id: sum, type: 'add', inputs: [after, b] }];
  } else if (block === 'concat') {
    const a = id('conv'); const b = id('conv'); const cat = id('concat');
    const half = Math.ceil(c / 2);
    nodes = [conv(a, after, half, 3), conv(b, after, Math.max(1, c - half), 1), { id: cat, type: 'concat', inputs: [a, b] }];
  } else {
    const d = id('conv'); const p = id('conv');
    nodes = [conv(d, after, c, 3, { groups: c }), conv(p, d, c, 1)];
  }
  return { scene: splice(s, after, nodes, nodes[nodes.length - 1].id), added: nodes.map((n) => n.id) };
}

/** Node `id`'s input `slot` reads `from` (an earlier node or the input; a later one is the core's error). */
export function rewire(scene: Record<string, unknown>, id: string, slot: number, from: string): GraphScene {
  const s = normalise(scene);
  const n = nodeOf(s, id);
  if (slot < 0 || slot >= n.inputs.length) throw new Error(`node ${id} has no input ${slot}`);
  n.inputs[slot] = from;
  return s;
}

/** One more input (add, concat), reading `from`. */
export function addInput(scene: Record<string, unknown>, id: string, from: string): GraphScene {
  const s = normalise(scene);
  nodeOf(s, id).inputs.push(from);
  return s;
}

/** Input `slot` of node `id` dropped (too few left is the core's error). */
export function dropInput(scene: Record<string, unknown>, id: string, slot: number): GraphScene {
  const s = normalise(scene);
  nodeOf(s, id).inputs.splice(slot, 1);
  return s;
}

/**
 * Node `id` removed; whatever read it reads the node's (first) input instead. The core refuses
 * when the shapes then do not fit, or a node read only by this one would be read by nothing.
 */
export function removeNode(scene: Record<string, unknown>, id: string): { scene: GraphScene; to: string; readers: string[] } {
  const s = normalise(scene);
  const k = indexOf(s, id);
  if (k < 0) throw new Error('the network input cannot be removed');
  const to = s.nodes[k].inputs[0] ?? INPUT;
  s.nodes.splice(k, 1);
  const readers: string[] = [];
  for (const n of s.nodes) {
    if (!n.inputs.includes(id)) continue;
    readers.push(n.id);
    n.inputs = n.inputs.map((i) => (i === id ? to : i));
  }
  return { scene: s, to, readers };
}

/** A field of node `id` set (undefined: left out, the kind's default). */
export function setField(scene: Record<string, unknown>, id: string, name: string, value: unknown): GraphScene {
  const s = normalise(scene);
  const n = nodeOf(s, id);
  if (value === undefined) delete n[name];
  else n[name] = value;
  return s;
}
