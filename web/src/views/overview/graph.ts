// The graph a version-2 scene describes, as the overview lays it out: one column per node in
// execution order (the network's input first), and every edge between columns. Read from the
// scene the core wrote back (toJSON gives every node its inputs) and the core's tensor list.
import type { TensorInfo, TensorRole } from '../../wasm/cnnlens.mjs';

/** The network's input, drawn as the first column (not a node of the core). */
export const INPUT_ID = 'input';

export interface GraphNode {
  id: string;
  type: string;
  /** the ids this node reads (INPUT_ID for the network input) */
  inputs: string[];
  /** column: 0 is the network input, node k of the scene is column k + 1 */
  column: number;
}

export interface GraphEdge {
  from: number;
  to: number;
  /** input slot of the reader (add/concat read several) */
  slot: number;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface RawNode { id?: unknown; type?: unknown; inputs?: unknown }

/** The graph of a scene the core wrote (Model.toJSON()); inputs default to the previous node. */
export function graphOf(scene: { nodes?: RawNode[] }): Graph {
  const nodes: GraphNode[] = [{ id: INPUT_ID, type: 'input', inputs: [], column: 0 }];
  const column = new Map<string, number>([[INPUT_ID, 0]]);
  for (const raw of scene.nodes ?? []) {
    const id = String(raw.id);
    const previous = nodes[nodes.length - 1].id;
    const inputs = Array.isArray(raw.inputs) ? raw.inputs.map(String) : [previous];
    column.set(id, nodes.length);
    nodes.push({ id, type: String(raw.type), inputs, column: nodes.length });
  }
  const edges: GraphEdge[] = [];
  for (const n of nodes) n.inputs.forEach((src, slot) => { const from = column.get(src); if (from !== undefined) edges.push({ from, to: n.column, slot }); });
  return { nodes, edges };
}

/** Roles whose tensors carry the batch axis first (the others are per network: parameters, statistics). */
const PER_SAMPLE: ReadonlySet<TensorRole> = new Set(['input', 'output', 'grad', 'mask', 'routing']);

/** True when the tensor holds one slice per sample of the batch (the core lists them batch-first, also for one sample). */
export function perSample(t: TensorInfo): boolean {
  return PER_SAMPLE.has(t.role) && t.shape.length > 1;
}

/** Where the network's input can be read: the tensor name of the first node that reads it. */
export function inputSource(g: Graph): { id: string; name: string } | null {
  for (const n of g.nodes) {
    const slot = n.inputs.indexOf(INPUT_ID);
    if (slot >= 0) return { id: n.id, name: slot === 0 ? 'input' : `input.${slot}` };
  }
  return null;
}

/** Roles the gradients view shows; the values view shows the others. */
export function isGradientRole(role: TensorRole): boolean {
  return role === 'grad' || role === 'param.grad' || role === 'optimizer';
}

/**
 * The scene without its numbers (parameters, buffers, input data): equal keys mean the same
 * nodes, settings and shapes, so tensor lists read from the core can be kept.
 */
export function structureKey(scene: { nodes?: Record<string, unknown>[]; input?: { shape?: unknown }; mode?: unknown }): string {
  const numbers = (v: unknown) => (Array.isArray(v) && v.length > 4 && typeof v[0] === 'number') || (v !== null && typeof v === 'object' && !Array.isArray(v));
  const nodes = (scene.nodes ?? []).map((n) => Object.entries(n).filter(([, v]) => !numbers(v)));
  return JSON.stringify([scene.input?.shape, scene.mode, nodes]);
}
