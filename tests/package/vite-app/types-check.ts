// Type-checked (not run) by tests/package/install.test.mjs against the installed package's
// declarations: the exports map must lead TypeScript to them for every entry.
import { CnnLensElement } from 'cnn-lens';
import { EXAMPLES, loadModel, type Model } from 'cnn-lens/core';
import cnnLens, { type FenceOptions } from 'cnn-lens/markdown-it';
import remarkCnnLens from 'cnn-lens/remark';
import rehypeCnnLens from 'cnn-lens/rehype';

const el: CnnLensElement = document.createElement('cnn-lens');
el.addEventListener('cnnlens-ready', () => el.refresh());
const mode: 'values' | 'gradients' | 'both' | undefined = el.state?.mode;
const options: FenceOptions = { onWarning: (m: string) => console.log(m) };
cnnLens({ renderer: { rules: {} } }, options);
remarkCnnLens(options);
rehypeCnnLens();

export async function check(): Promise<number> {
  const model: Model = await loadModel(EXAMPLES[0]);
  const losses: Float32Array = model.train(2);
  model.delete();
  return losses[0] + (mode ? 1 : 0) + (await el.ready, el.sceneJSON().length);
}
