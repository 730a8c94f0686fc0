// Text from the core to JS: a std::string decoded by the engine's TextDecoder straight from the
// wasm heap. Embind's own std::string conversion first walks every byte in JS (looking for NULs):
// about 30 ms for the 2 MB of a 3x256x256 scene's JSON, against a few here.
#pragma once

#include <cstdint>
#include <string>

#include <emscripten/val.h>

namespace cnnlens::js {

inline emscripten::val js_string(const std::string& text) {
  static const emscripten::val decoder = emscripten::val::global("TextDecoder").new_();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  return decoder.call<emscripten::val>("decode", emscripten::val(emscripten::typed_memory_view(text.size(), bytes)));
}

}  // namespace cnnlens::js
