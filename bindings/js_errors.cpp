// The one way the bindings throw into JS (js_errors.hpp).
#include "js_errors.hpp"

#include <emscripten/val.h>

namespace cnnlens::js {

using emscripten::val;

// Throws a JS Error with `message`, and with `code` and `details` (the structured error,
// docs/api.md) when the core gave them. Called outside any C++ catch block so no C++ exception
// is left in flight when the JS exception unwinds the wasm frames.
void throw_js_error(const std::string& message, const std::string& code, const std::string& details_json) {
  val error = val::global("Error").new_(val(message));
  error.set("code", val(code));
  error.set("details", details_json.empty() ? val::object() : val::global("JSON").call<val>("parse", val(details_json)));
  error.throw_();
  __builtin_unreachable();
}

}  // namespace cnnlens::js
