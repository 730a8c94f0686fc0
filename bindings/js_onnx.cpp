// Conversions around the core's ONNX reader and writer. The file's bytes are copied into the wasm
// heap with one TypedArray.set after their length is checked against the core's file limit, so an
// oversized file is refused before anything is allocated.
#include "js_onnx.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/json_text.hpp"
#include "cnnlens/onnx.hpp"
#include "cnnlens/scene.hpp"
#include "js_errors.hpp"
#include "js_text.hpp"

namespace cnnlens::js {
namespace {

using emscripten::typed_memory_view;
using emscripten::val;

std::string bytes_from_js(const val& bytes) {
  val array = bytes;
  if (bytes.instanceof(val::global("ArrayBuffer"))) array = val::global("Uint8Array").new_(bytes);
  if (!array.instanceof(val::global("Uint8Array"))) {
    throw SceneError("onnx_argument", {}, nlohmann::json::object(), "importOnnx(bytes): bytes must be a Uint8Array or an ArrayBuffer");
  }
  const double length = array["length"].as<double>();
  if (length > double(limits::kMaxOnnxBytes)) {
    throw SceneError("onnx_too_large", {}, {{"bytes", length}, {"limit", limits::kMaxOnnxBytes}},
                     "the file has " + std::to_string(std::size_t(length)) + " bytes; CNN Lens reads ONNX files up to " +
                         std::to_string(limits::kMaxOnnxBytes >> 20) + " MB");
  }
  std::string out(std::size_t(length), '\0');
  val(typed_memory_view(out.size(), reinterpret_cast<unsigned char*>(out.data()))).call<void>("set", array);
  return out;
}

}  // namespace

val import_onnx(const val& bytes) {
  return guarded([&] {
    return js_string(to_json_text(scene_to_json(cnnlens::import_onnx(bytes_from_js(bytes)))));
  });
}

val export_onnx(const val& scene_json) {
  return guarded([&] {
    if (!scene_json.isString()) throw SceneError("exportOnnx(sceneJson): the scene must be a JSON string");
    const std::string bytes = cnnlens::export_onnx(parse_scene(scene_json.as<std::string>()));
    return val::global("Uint8Array").new_(val(typed_memory_view(bytes.size(), reinterpret_cast<const unsigned char*>(bytes.data()))));
  });
}

}  // namespace cnnlens::js
