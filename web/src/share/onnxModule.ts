// The ONNX wasm module (cnnlens-onnx.mjs, bindings/register_onnx.cpp) for the page: loaded the
// first time a model is opened or exported, never at page load; and its errors (Error.code,
// Error.details) in the reader's words. The offline single file replaces the module with a
// stand-in that fails with code 'onnx_unavailable' (tools/build-offline.mjs).
import type { CnnLensOnnxModule } from '../wasm/cnnlens-onnx.mjs';
import { S } from '../strings';

let onnxModule: Promise<CnnLensOnnxModule> | null = null;

/** The ONNX module, instantiated once (a failed load is retried next time). */
export function loadOnnxModule(): Promise<CnnLensOnnxModule> {
  onnxModule ??= import('../wasm/cnnlens-onnx.mjs').then((m) => m.default());
  onnxModule.catch(() => { onnxModule = null; });
  return onnxModule;
}

/** The core's ONNX error in the reader's words (by its code); other errors keep the core's message. */
export function onnxErrorText(e: unknown): string {
  const error = e as { code?: string; message?: string; details?: Record<string, unknown> };
  switch (error?.code) {
    case 'onnx_malformed': return S.onnxMalformed;
    case 'onnx_unsupported_op': return S.onnxUnsupportedOp(String(error.details?.op_type ?? '?'), String(error.details?.node ?? ''));
    case 'onnx_transpose_activation': return S.onnxChannelsLast;
    case 'onnx_external_data': return S.onnxExternalData;
    case 'onnx_too_large': case 'too_many_nodes': case 'too_many_parameters': case 'out_of_memory': return S.onnxTooLarge;
    case 'onnx_unavailable': return S.onnxUnavailable;
    default: return error?.message ?? String(e);
  }
}
