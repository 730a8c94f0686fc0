// Opening an ONNX model in the page. The ONNX module (./onnxModule.ts) turns the file into a
// version-2 scene (docs/onnx.md). An imported chain of classic layers on one sample gets the batch
// of 1 dropped and a loss to train against, and is drawn as the cards; any other graph opens as
// imported, in the overview (web/src/views/overview). Every failure leaves the current work as it is.
import type { CnnLensModule } from '../wasm/cnnlens.mjs';
import { asChain, LAYER_TYPES } from '../scene';
import { loadOnnxModule, onnxErrorText } from './onnxModule';

type Raw = Record<string, unknown> & { nodes: { type: string; id: string }[]; input: { shape: number[]; data: number[] } };

/**
 * The scene the page draws for an imported one, or null when the model is not a chain of classic
 * layers on one sample. The classic kinds compute the same in train and eval mode, so the scene is
 * put in train mode; a classifier (a last dense layer with 2 or more outputs) trains towards class
 * 0 with cross-entropy, anything else towards zeros with MSE. The main module is asked for the
 * output's size.
 */
export function chainForPage(importedJson: string, lens: CnnLensModule): string | null {
  const scene = JSON.parse(importedJson) as Raw;
  if (!scene.nodes.every((n) => LAYER_TYPES.includes(n.type))) return null;
  const shape = scene.input.shape;
  if (shape[0] !== 1 || (shape.length !== 2 && shape.length !== 4)) return null;
  scene.input = { ...scene.input, shape: shape.slice(1) };
  scene.mode = 'train';
  let outputs = 0;
  try {
    const probe = new lens.Model(JSON.stringify(scene));
    try {
      outputs = probe.outputShape().reduce((a, b) => a * b, 1);
    } finally {
      probe.delete();
    }
  } catch {
    return null;
  }
  if (scene.nodes.at(-1)?.type === 'dense' && outputs >= 2) {
    scene.loss = 'cross_entropy';
    scene.target = 0;
  } else {
    scene.loss = 'mse';
    scene.target = new Array<number>(outputs).fill(0);
  }
  return asChain(JSON.stringify(scene));
}

export type OnnxOpen =
  | { ok: true; json: string }
  | { ok: false; reason: 'unreadable' | 'not_chain'; error: string };

/** Reads a .onnx file's bytes into a scene the page can open, or says why not. */
export async function openOnnx(bytes: Uint8Array, lens: CnnLensModule): Promise<OnnxOpen> {
  let imported: string;
  try {
    imported = (await loadOnnxModule()).importOnnx(bytes);
  } catch (e) {
    return { ok: false, reason: 'unreadable', error: onnxErrorText(e) };
  }
  // a chain of classic layers opens as the cards; any other graph as imported, in the overview
  return { ok: true, json: chainForPage(imported, lens) ?? imported };
}
