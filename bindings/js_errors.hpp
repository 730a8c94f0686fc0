// How the bindings turn a C++ failure into a JS Error: `guarded(body)` runs body and rethrows any
// exception as an Error with the core's message, a stable `code` and the structured `details`.
#pragma once

#include <new>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"

namespace cnnlens::js {

// Throws a JS Error carrying the message, `code` and `details` (JSON text, may be empty).
[[noreturn]] void throw_js_error(const std::string& message, const std::string& code, const std::string& details_json);

// Runs `body`; any C++ exception becomes a JS Error carrying its message (and code and details).
// A plain std::exception (not a SceneError) gets `plain_code`: "internal" for a core bug, or the
// caller's code where such an exception means bad input (e.g. "invalid_scene" in the constructor).
// The Error is thrown after the catch blocks end, so no C++ exception is in flight when the JS
// exception unwinds the wasm frames.
template <typename Body>
auto guarded(Body&& body, const char* plain_code = "internal") -> decltype(body()) {
  std::string message, code, details;
  try {
    return body();
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
  throw_js_error(message, code, details);
}

}  // namespace cnnlens::js
