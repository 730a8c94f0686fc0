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

/** the example that runs a photo through classic image kernels (web/src/photo) */
export const PHOTO_PRESET = 'photo-kernels';
/** "Teach it your classes": the reader's own samples train a small CNN (web/src/teach) */
export const TEACH_PRESET = 'teach';

export interface Preset {
  id: string;
  title: string;
  /** the scene; '' until `load` made it (an example built around a file fetched when chosen) */
  json: string;
  /** builds the scene when first chosen; a message in `notice` says what it had to do instead */
  load?: () => Promise<{ json: string; notice?: string }>;
}

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
  // a real photo through classic image kernels; the photo is fetched when chosen (web/src/photo)
  { id: PHOTO_PRESET, title: 'Kernels on a photo', json: '', load: () => import('./photo/photoExample').then((m) => m.loadPhotoExample()) },
  // your own classes from the camera, the pad or files; built when chosen (web/src/teach)
  { id: TEACH_PRESET, title: 'Teach it your classes', json: '', load: () => import('./teach/example').then((m) => m.loadTeachExample()) },
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
