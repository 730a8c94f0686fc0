// The example scenes shipped with the page (examples/*.json, bundled by Vite's JSON import).
import classic from '../../examples/classic.json';
import edgeBlurSharpen from '../../examples/edge-blur-sharpen.json';
import multichannel from '../../examples/multichannel.json';
import deep from '../../examples/deep.json';
import digits from '../../examples/digits.json';
import fashion from '../../examples/fashion.json';
// graph scenes (version 2), drawn as the overview (web/src/views/overview)
import residual from '../../examples/residual.json';
import batchnorm from '../../examples/batchnorm.json';
import depthwise from '../../examples/depthwise.json';
import convTranspose from '../../examples/conv-transpose.json';
import resnet8 from '../../examples/resnet8.json';

export interface Preset { id: string; title: string; json: string }

function preset(id: string, scene: { title?: string }): Preset {
  return { id, title: scene.title ?? id, json: JSON.stringify(scene) };
}

export const PRESETS: Preset[] = [
  preset('classic', classic),
  preset('edge-blur-sharpen', edgeBlurSharpen),
  preset('multichannel', multichannel),
  preset('deep', deep),
  // trains on real digits in a worker; the data load only when it is chosen (web/src/digits)
  preset('digits', digits),
  // the same on Fashion-MNIST (web/src/digits/datasets.ts); a version-2 chain, for its class `labels`
  preset('fashion', fashion),
  preset('residual', residual),
  preset('batchnorm', batchnorm),
  preset('depthwise', depthwise),
  preset('conv-transpose', convTranspose),
  preset('resnet8', resnet8),
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
