// ONNX files in and out of the wasm module: importOnnx(bytes) gives the scene JSON that
// cnnlens import prints, exportOnnx(sceneJson) the bytes cnnlens export writes (docs/onnx.md).
#pragma once

#include <emscripten/val.h>

namespace cnnlens::js {

// A Uint8Array (or ArrayBuffer) holding a .onnx file -> the version-2 scene as JSON text.
emscripten::val import_onnx(const emscripten::val& bytes);

// Scene JSON text (any version) -> a Uint8Array holding the ONNX model (opset 15).
emscripten::val export_onnx(const emscripten::val& scene_json);

}  // namespace cnnlens::js
