// Export as code: a short, runnable PyTorch script that rebuilds the scene's network with the
// same parameters, input, target and optimizer (float32, every number exact) and prints the
// loss and the gradients the page shows. Pure: used by the page and by tests/export/.
import type { LayerSpec as Layer, Scene, Size } from '../scene';
import { f32Text } from './numbers';

// The page's scene types, with the optimizer's fields spelled out for the script.
type SceneLike = Omit<Scene, 'optimizer'> & {
  optimizer?: { type?: string; lr?: number; momentum?: number; beta1?: number; beta2?: number; eps?: number };
};

export interface PytorchOptions {
  /** optimizer steps the script takes before printing (the page's current state: 0) */
  steps?: number;
}

const pair = (v: Size | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);
const tuple = (p: [number, number]) => `(${p[0]}, ${p[1]})`;
const pyNum = (v: number) => { const s = f32Text(v); return s === '-0' ? '-0.0' : s; };

/** Python list text of numbers, wrapped so no line gets much longer than ~100 characters. */
function pyList(values: readonly number[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const v of values) {
    const t = pyNum(v) + ', ';
    if (line.length + t.length > 96) { lines.push(line.trimEnd()); line = ''; }
    line += t;
  }
  if (line) lines.push(line.trimEnd().replace(/,$/, ''));
  if (lines.length <= 1) return `[${lines[0] ?? ''}]`;
  return `[\n${lines.map((l) => indent + '    ' + l).join('\n')}\n${indent}]`;
}

function outShape(l: Layer, shape: number[]): number[] {
  switch (l.type) {
    case 'conv2d': {
      const k = pair(l.kernel_size, 1), s = pair(l.stride, 1), p = pair(l.padding, 0), d = pair(l.dilation, 1);
      return [l.out_channels!, ...[0, 1].map((i) => Math.floor((shape[i + 1] + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i]) + 1)];
    }
    case 'maxpool2d': case 'avgpool2d': {
      const k = pair(l.kernel_size, 1), s = l.stride === undefined ? k : pair(l.stride, 1);
      return [shape[0], ...[0, 1].map((i) => Math.floor((shape[i + 1] - k[i]) / s[i]) + 1)];
    }
    case 'global_avgpool2d': case 'global_maxpool2d': return [shape[0], 1, 1];
    case 'flatten': return [shape.reduce((a, b) => a * b, 1)];
    case 'dense': return [l.out_features!];
    default: return shape;
  }
}

function moduleText(l: Layer, shape: number[]): string {
  switch (l.type) {
    case 'conv2d':
      return `nn.Conv2d(${shape[0]}, ${l.out_channels}, kernel_size=${tuple(pair(l.kernel_size, 1))}, stride=${tuple(pair(l.stride, 1))}, padding=${tuple(pair(l.padding, 0))}, dilation=${tuple(pair(l.dilation, 1))}${(l.groups ?? 1) !== 1 ? `, groups=${l.groups}` : ''})`;
    case 'maxpool2d': case 'avgpool2d': {
      const k = pair(l.kernel_size, 1);
      return `nn.${l.type === 'maxpool2d' ? 'MaxPool2d' : 'AvgPool2d'}(kernel_size=${tuple(k)}, stride=${tuple(l.stride === undefined ? k : pair(l.stride, 1))})`;
    }
    case 'global_avgpool2d': return 'nn.AdaptiveAvgPool2d(1)';
    case 'global_maxpool2d': return 'nn.AdaptiveMaxPool2d(1)';
    case 'flatten': return 'nn.Flatten()';
    case 'dense': return `nn.Linear(${shape[0]}, ${l.out_features})`;
    case 'relu': return 'nn.ReLU()';
    case 'leaky_relu': return `nn.LeakyReLU(negative_slope=${pyNum(l.negative_slope ?? 0.01)})`;
    case 'sigmoid': return 'nn.Sigmoid()';
    case 'tanh': return 'nn.Tanh()';
    case 'softmax': return 'nn.Softmax(dim=1)';
    default: throw new Error(`layer type ${l.type} has no PyTorch export`);
  }
}

function optimizerText(o: SceneLike['optimizer']): string {
  const type = o?.type ?? 'sgd';
  if (type === 'adam') {
    return `torch.optim.Adam(model.parameters(), lr=${pyNum(o?.lr ?? 0.001)}, betas=(${pyNum(o?.beta1 ?? 0.9)}, ${pyNum(o?.beta2 ?? 0.999)}), eps=${pyNum(o?.eps ?? 1e-8)})`;
  }
  return `torch.optim.SGD(model.parameters(), lr=${pyNum(o?.lr ?? 0.1)}, momentum=${pyNum(o?.momentum ?? 0)})`;
}

/** The script for a scene JSON text (Model.toJSON(): every parameter written out). */
export function pytorchScript(sceneJson: string, options: PytorchOptions = {}): string {
  const scene = JSON.parse(sceneJson) as SceneLike;
  const steps = Math.max(0, Math.floor(options.steps ?? 0));
  const mods: string[] = [];
  const params: string[] = [];
  let shape = scene.input.shape;
  scene.layers.forEach((l, i) => {
    mods.push(`    ${moduleText(l, shape)},  # layer ${i + 1}`);
    const w = shape;
    const out = outShape(l, shape);
    if (l.type === 'conv2d' || l.type === 'dense') {
      if (!l.weight || !l.bias) throw new Error(`layer ${i} (${l.type}) has no weights: export Model.toJSON(), not the bare scene`);
      const wShape = l.type === 'conv2d' ? [out[0], w[0] / (l.groups ?? 1), ...pair(l.kernel_size, 1)] : [out[0], w[0]];
      params.push(`    model[${i}].weight.copy_(tensor(${pyList(l.weight, '    ')}, ${wShape.join(', ')}))`);
      params.push(`    model[${i}].bias.copy_(tensor(${pyList(l.bias, '    ')}, ${out[0]}))`);
    }
    shape = out;
  });
  const title = (scene.title ?? 'scene').replace(/[\r\n]+/g, ' ');
  if (scene.loss === 'none') {
    return `${head(title, 'parameters and input, in float32; forward only (the scene has\n# no loss). Prints the output the page shows.', scene, mods, params)}
with torch.no_grad():
    y = model(x)  # shape ${JSON.stringify([1, ...shape])}
print("output", y.flatten().tolist())
`;
  }
  const target = scene.loss === 'mse'
    ? `target = tensor(${pyList(scene.target as number[], '')}, 1, ${shape.join(', ')})\nloss_fn = nn.MSELoss()`
    : `target = torch.tensor([${scene.target as number}])  # the class index\nloss_fn = nn.CrossEntropyLoss()`;
  return `${head(title, 'parameters, input, target and optimizer, in float32. Prints\n# the loss and the gradients the page shows.', scene, mods, params)}.requires_grad_()
${target}
optimizer = ${optimizerText(scene.optimizer)}

# Optimizer steps before printing (the page's Step button). The optimizer starts fresh here:
# momentum / Adam state from training on the page is not part of the scene.
STEPS = ${steps}
for step in range(STEPS):
    optimizer.zero_grad()
    loss = loss_fn(model(x), target)
    loss.backward()
    optimizer.step()
    print(f"step {step + 1}: loss {loss.item()}")

optimizer.zero_grad()
x.grad = None
loss = loss_fn(model(x), target)
loss.backward()
print("loss", loss.item())
for name, p in model.named_parameters():
    index, kind = name.split(".")
    print(f"layer {int(index) + 1} {kind}.grad", p.grad.flatten().tolist())
print("input.grad", x.grad.flatten().tolist())
`;
}

/**
 * The script's first part, shared by both kinds: the title, what it does (`does`: the words after
 * "The page's network with the same "), the modules, the parameters and `x = ...`
 * (the caller may append to that line).
 */
function head(title: string, does: string, scene: SceneLike, mods: string[], params: string[]): string {
  return `# CNN Lens export: ${title}
# The page's network with the same ${does} Run with:  python3 this_file.py  (needs torch)
import torch
from torch import nn


def tensor(values, *shape):
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


model = nn.Sequential(
${mods.join('\n')}
)
with torch.no_grad():
${params.length ? params.join('\n') : '    pass'}

# the input as a batch of one sample, shape ${JSON.stringify([1, ...scene.input.shape])}
x = tensor(${pyList(scene.input.data, '')}, 1, ${scene.input.shape.join(', ')})`;
}
