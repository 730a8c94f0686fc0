// The one way the bindings throw into JS (js_errors.hpp).
#include "js_errors.hpp"

#include <new>
#include <stdexcept>

#include <emscripten/val.h>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"

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

// The kinds are told apart by rethrowing inside a try; the Error is thrown after the catch blocks
// end and once the exception is released, so no C++ exception is in flight when the JS exception
// unwinds the wasm frames.
void throw_js_error_for(std::exception_ptr failure, const char* plain_code) {
  std::string message, code, details;
  try {
    std::rethrow_exception(failure);
  } catch (const SceneError& e) {
    message = e.what();
    code = e.code();
    details = e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::bad_alloc&) {
    message = "out of memory: the network is too large for this page";
    code = "out_of_memory";
  } catch (const std::exception& e) {
    message = e.what();
    code = plain_code;
  } catch (...) {
    message = "unexpected internal error";
    code = "internal";
  }
  failure = nullptr;
  throw_js_error(message, code, details);
}

}  // namespace cnnlens::js
