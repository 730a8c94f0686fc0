// Embind registration of the ONNX module (cnnlens-onnx.mjs), a second wasm module that the page
// loads only when an ONNX file is opened or exported: the reader and writer would otherwise add
// about 55 KB gzipped to every page load. Scenes pass between the two modules as JSON text.
// bindings/cnnlens-onnx.d.ts declares the same API for TypeScript.
#include <emscripten/bind.h>
#include <malloc.h>

#include "js_onnx.hpp"

namespace {

double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(cnnlens_onnx) {
  using emscripten::function;

  function("importOnnx", &cnnlens::js::import_onnx);
  function("exportOnnx", &cnnlens::js::export_onnx);
  function("heapInUse", &heap_in_use);
}
