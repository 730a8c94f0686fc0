// The scene JSON (docs/scene-format.md) as TypeScript types, plus pure edit helpers that return
// new scenes. Architecture edits always go through a new scene and a new Model.

export type Size = number | [number, number];

export interface LayerSpec {
  type: string;
  out_channels?: number;
  kernel_size?: Size;
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  out_features?: number;
  negative_slope?: number;
  /** conv2d: channels split into this many groups (= input channels: one kernel per channel) */
  groups?: number;
  weight?: number[];
  bias?: number[];
}

export interface Scene {
  version?: number;
  title?: string;
  description?: string;
  input: { shape: number[]; data: number[]; normalize?: { mean: number[]; std: number[] } };
  layers: LayerSpec[];
  /** 'none': forward only (a kernel run over a photo): no target, no gradients, no training */
  loss: 'mse' | 'cross_entropy' | 'none';
  target?: number[] | number;
  /** class names, shown wherever a class index is */
  labels?: string[];
  optimizer?: Record<string, unknown>;
  seed?: number;
  /** a graph scene's nodes (version 2, not a chain of classic layers): `layers` is then empty */
  nodes?: Record<string, unknown>[];
  mode?: 'train' | 'eval';
}

export const LAYER_TYPES = ['conv2d', 'maxpool2d', 'avgpool2d', 'flatten', 'dense', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'softmax'];
export const ACTIVATIONS = ['relu', 'leaky_relu', 'sigmoid', 'tanh', 'softmax'];

/** Which settings the page lets you edit, per layer type. */
export const SETTINGS: Record<string, (keyof LayerSpec)[]> = {
  conv2d: ['out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups'],
  maxpool2d: ['kernel_size', 'stride'],
  avgpool2d: ['kernel_size', 'stride'],
  dense: ['out_features'],
  leaky_relu: ['negative_slope'],
};

export function defaultLayer(type: string): LayerSpec {
  switch (type) {
    case 'conv2d': return { type, out_channels: 2, kernel_size: 3 };
    case 'maxpool2d': case 'avgpool2d': return { type, kernel_size: 2 };
    case 'dense': return { type, out_features: 2 };
    case 'leaky_relu': return { type, negative_slope: 0.01 };
    default: return { type };
  }
}

export function parseScene(json: string): Scene {
  const s = JSON.parse(json) as Scene;
  if (!Array.isArray(s.layers)) s.layers = []; // a graph: the views that walk layers find none
  return s;
}

/** A graph scene, drawn by the overview (web/src/views/overview) instead of the chain of cards. */
export function isGraph(scene: Scene): boolean {
  return Array.isArray(scene.nodes);
}

/**
 * The page draws chains of the classic layers (version-1 scenes). A version-2 scene that is such
 * a chain — one sample, nodes in a row with default wiring, classic kinds and their classic
 * settings, an mse or cross-entropy loss or none, train mode — is rewritten as the same chain
 * (labels and input scaling kept); any other graph returns null (the caller explains why and keeps the current work).
 */
export function asChain(json: string): string | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json; // the core words the parse error
  }
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.nodes)) return json;
  const input = raw.input as { shape?: unknown } | undefined;
  const shape = Array.isArray(input?.shape) ? input.shape : [];
  if (shape.length !== 1 && shape.length !== 3) return null;
  if (raw.loss !== 'mse' && raw.loss !== 'cross_entropy' && raw.loss !== 'none') return null;
  if (raw.mode !== undefined && raw.mode !== 'train') return null;
  const layers: LayerSpec[] = [];
  let previous = 'input';
  for (const node of raw.nodes as Record<string, unknown>[]) {
    if (!node || typeof node !== 'object' || typeof node.type !== 'string' || !LAYER_TYPES.includes(node.type)) return null;
    const inputs = node.inputs as unknown;
    if (inputs !== undefined && JSON.stringify(inputs) !== JSON.stringify([previous])) return null;
    const layer: Record<string, unknown> = { type: node.type };
    for (const [key, value] of Object.entries(node)) {
      if (key === 'id' || key === 'type' || key === 'inputs') continue;
      if (key === 'weight' || key === 'bias') {
        layer[key] = value && typeof value === 'object' && !Array.isArray(value) ? (value as { data?: unknown }).data : value;
      } else if ((SETTINGS[node.type] ?? []).includes(key as keyof LayerSpec)) {
        if (key === 'padding' && Array.isArray(value) && value.length === 4) {
          if (value[0] !== value[2] || value[1] !== value[3]) return null;
          layer[key] = [value[0], value[1]];
        } else layer[key] = value;
      } else if (!isDefault(node.type, key, value)) return null;
    }
    layers.push(layer as unknown as LayerSpec);
    previous = String(node.id);
  }
  const { nodes: _nodes, version: _version, mode: _mode, ...rest } = raw;
  return JSON.stringify({ ...rest, version: 1, layers });
}

/** Version-2 settings a chain may carry when they hold their defaults. */
function isDefault(type: string, key: string, value: unknown): boolean {
  const defaults: Record<string, unknown> = { padding_mode: 'zeros', ceil_mode: false, count_include_pad: true, dilation: 1 };
  if (type === 'maxpool2d' || type === 'avgpool2d') {
    if (key === 'padding') return value === 0 || JSON.stringify(value) === '[0,0]' || JSON.stringify(value) === '[0,0,0,0]';
  }
  return key in defaults && JSON.stringify(value) === JSON.stringify(defaults[key]);
}

function clone(scene: Scene): Scene {
  return structuredClone(scene);
}

function dropParams(layer: LayerSpec): LayerSpec {
  const { weight: _w, bias: _b, ...rest } = layer;
  return rest;
}

/**
 * Variants of an edited scene to try in order: keep every parameter; drop the ones after the
 * edit (their input shape may have changed); drop from the edit on. The first that the core
 * accepts wins, so parameters survive whenever their shapes still fit.
 */
export function variants(scene: Scene, editedIndex: number): Scene[] {
  const out: Scene[] = [scene];
  const after = clone(scene);
  after.layers = after.layers.map((l, i) => (i > editedIndex ? dropParams(l) : l));
  out.push(after);
  const from = clone(scene);
  from.layers = from.layers.map((l, i) => (i >= editedIndex ? dropParams(l) : l));
  out.push(from);
  return out;
}

export function withSetting(scene: Scene, index: number, key: keyof LayerSpec, value: unknown): Scene {
  const s = clone(scene);
  const layer: Record<string, unknown> = { ...s.layers[index] };
  if (value === undefined) delete layer[key];
  else layer[key] = value;
  s.layers[index] = layer as unknown as LayerSpec;
  return s;
}

export function withType(scene: Scene, index: number, type: string): Scene {
  const s = clone(scene);
  s.layers[index] = defaultLayer(type);
  return s;
}

export function insertLayer(scene: Scene, index: number, type: string): Scene {
  const s = clone(scene);
  s.layers.splice(index, 0, defaultLayer(type));
  return s;
}

export function removeLayer(scene: Scene, index: number): Scene {
  const s = clone(scene);
  s.layers.splice(index, 1);
  return s;
}

export function moveLayer(scene: Scene, index: number, delta: -1 | 1): Scene {
  const s = clone(scene);
  const j = index + delta;
  if (j < 0 || j >= s.layers.length) return s;
  [s.layers[index], s.layers[j]] = [s.layers[j], s.layers[index]];
  return s;
}

/** Drops the layer's weight and bias and changes the seed so the core draws new ones. */
export function randomiseLayer(scene: Scene, index: number): Scene {
  const s = clone(scene);
  s.layers[index] = dropParams(s.layers[index]);
  let seed = Math.floor(Math.random() * 0xffffffff);
  if (seed === s.seed) seed = (seed + 1) >>> 0;
  s.seed = seed;
  return s;
}

/**
 * A loss change needs a matching target: zeros of the output size for mse, class 0 for CE, none
 * for a forward-only scene.
 */
export function withLoss(scene: Scene, loss: Scene['loss'], outputSize: number): Scene {
  const s = clone(scene);
  s.loss = loss;
  if (loss === 'none') delete s.target;
  else s.target = loss === 'mse' ? new Array(outputSize).fill(0) : 0;
  return s;
}

/** "3" -> 3, "3,2" or "3x2" -> [3, 2]; NaN-containing results are rejected by the caller. */
export function parseSize(text: string): Size | null {
  const parts = text.split(/[,x×\s]+/).filter(Boolean).map(Number);
  if (parts.length === 1 && Number.isFinite(parts[0])) return parts[0];
  if (parts.length === 2 && parts.every(Number.isFinite)) return [parts[0], parts[1]];
  return null;
}

export function sizeText(v: Size | undefined, fallback: string): string {
  if (v === undefined) return fallback;
  return Array.isArray(v) ? v.join(',') : String(v);
}

const pair = (v: Size | undefined, d: number): [number, number] => (v === undefined ? [d, d] : Array.isArray(v) ? v : [v, v]);
/** Xavier/Glorot uniform, like the core's default for freshly added filters. */
const xavier = (fanIn: number, fanOut: number) => (Math.random() * 2 - 1) * Math.sqrt(6 / (fanIn + fanOut));

/**
 * More or fewer filters (conv2d out_channels) or units (dense out_features) without touching the
 * ones that remain: their weights and biases are kept, new ones drawn fresh; the next layer of
 * the same kind keeps its weights for the channels that remain too. Layers whose parameters are
 * not in the scene are left to the core.
 */
export function resizeOutputs(scene: Scene, index: number, n: number): Scene {
  const s = withSetting(scene, index, scene.layers[index].type === 'dense' ? 'out_features' : 'out_channels', n);
  const layer = s.layers[index];
  const old = layer.type === 'dense' ? scene.layers[index].out_features : scene.layers[index].out_channels;
  if (!old || !layer.weight || !layer.bias || layer.bias.length !== old) return s;
  const per = layer.weight.length / old; // in * kh * kw (conv) or in (dense)
  const [kh, kw] = layer.type === 'conv2d' ? pair(layer.kernel_size, 1) : [1, 1];
  const w: number[] = [];
  for (let o = 0; o < n; o++) {
    for (let k = 0; k < per; k++) w.push(o < old ? layer.weight[o * per + k] : xavier(per, n * kh * kw));
  }
  layer.weight = w;
  layer.bias = Array.from({ length: n }, (_, o) => (o < old ? layer.bias![o] : 0));
  // the next layer that reads these channels (past pooling and activations)
  for (let j = index + 1; j < s.layers.length; j++) {
    const next = s.layers[j];
    if (next.type === 'flatten') break;
    if (next.type !== layer.type) continue;
    const outs = next.type === 'dense' ? next.out_features : next.out_channels;
    if (!outs || !next.weight || next.weight.length % (outs * old) !== 0) break;
    const taps = next.weight.length / (outs * old); // kh * kw (conv) or 1 (dense)
    const nw: number[] = [];
    for (let o = 0; o < outs; o++) {
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < taps; t++) nw.push(i < old ? next.weight[(o * old + i) * taps + t] : xavier(n * taps, outs * taps));
      }
    }
    next.weight = nw;
    break;
  }
  return s;
}
