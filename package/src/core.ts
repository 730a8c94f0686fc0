// `cnn-lens/core`: the WebAssembly core for scripting (docs/api.md), without the element or any
// DOM, so it also runs in Node 20 and in workers. The wasm is inlined in the module (base64),
// so loading it makes no network request.
//   import { loadModel } from 'cnn-lens/core';
//   const model = await loadModel('classic');   // or scene JSON text, or a scene object
//   model.train(10); model.delete();
import createCnnLens from '../../web/src/wasm/cnnlens.mjs';
import type { CnnLensModule, Model } from '../../web/src/wasm/cnnlens.mjs';
import { PRESETS } from '../../web/src/presets';

/** Names of the example scenes loadModel accepts ('classic' is the classic 6x6 example). */
export const EXAMPLES: readonly string[] = PRESETS.map((p) => p.id);

/** An example scene as JSON text, or undefined for an unknown name. */
export function exampleScene(name: string): string | undefined {
  return PRESETS.find((p) => p.id === name)?.json;
}

let modulePromise: Promise<CnnLensModule> | null = null;

/** The Emscripten module (Model class, heapInUse); created on the first call, then shared. */
export function loadModule(): Promise<CnnLensModule> {
  // a failed start is not cached, so a later call can try again
  return (modulePromise ??= createCnnLens().catch((e: unknown) => { modulePromise = null; throw e; }));
}

/**
 * A new Model for a scene: an example name (EXAMPLES), scene JSON text, or a scene object.
 * Rejects with an Error naming the layer, field and reason when the scene can't run.
 * The caller owns the Model: call model.delete() when done.
 */
export async function loadModel(scene: string | object = 'classic'): Promise<Model> {
  let json: string;
  if (typeof scene === 'string') {
    const text = scene.trim();
    const example = exampleScene(text);
    if (example) json = example;
    else if (text.startsWith('{')) json = text;
    else throw new Error(`"${text}" is neither an example (${EXAMPLES.join(', ')}) nor scene JSON`);
  } else json = JSON.stringify(scene);
  const lens = await loadModule();
  return new lens.Model(json);
}
