// TypeScript declarations of the ONNX wasm module, cnnlens-onnx.mjs (bindings/register_onnx.cpp),
// loaded on demand beside the main module. docs/onnx.md and docs/api.md explain it.

export interface CnnLensOnnxModule {
  /**
   * Reads an ONNX model (the bytes of a .onnx file, up to 64 MB) as a version-2 scene: JSON text
   * that the main module's `new Model(...)` runs as it is. A file it can't read throws an Error
   * (CnnLensError of cnnlens.d.ts) whose code starts with `onnx_` (`onnx_malformed`,
   * `onnx_unsupported_op` with `details.op_type`, `onnx_too_large`, `onnx_transpose_activation`, ...).
   */
  importOnnx(bytes: Uint8Array | ArrayBuffer): string;
  /** Writes a scene (JSON text, e.g. Model.toJSON()) as an ONNX model, opset 15. */
  exportOnnx(sceneJson: string): Uint8Array<ArrayBuffer>;
  /** Bytes of this module's wasm heap in use by malloc (for leak tests). */
  heapInUse(): number;
}

/** The Emscripten factory: `const onnx = await createCnnLensOnnx();`. */
export default function createCnnLensOnnx(options?: Record<string, unknown>): Promise<CnnLensOnnxModule>;
