// How the bindings turn a C++ failure into a JS Error: `guarded(body)` runs body and rethrows any
// exception as an Error with the core's message, a stable `code` and the structured `details`.
#pragma once

#include <exception>
#include <string>
#include <utility>

namespace cnnlens::js {

// Throws a JS Error carrying the message, `code` and `details` (JSON text, may be empty).
[[noreturn]] void throw_js_error(const std::string& message, const std::string& code, const std::string& details_json);

// Throws the JS Error for a C++ exception caught by guarded(): a SceneError's message, code and
// details; out of memory; any other std::exception's message with `plain_code`.
[[noreturn]] void throw_js_error_for(std::exception_ptr failure, const char* plain_code);

// Runs `body`; any C++ exception becomes a JS Error carrying its message (and code and details).
// A plain std::exception (not a SceneError) gets `plain_code`: "internal" for a core bug, or the
// caller's code where such an exception means bad input (e.g. "invalid_scene" in the constructor).
// The exception is only kept here; telling its kinds apart lives in one out-of-line function, so
// each of the many bound methods carries a single catch (and builds no strings when nothing fails).
template <typename Body>
auto guarded(Body&& body, const char* plain_code = "internal") -> decltype(body()) {
  std::exception_ptr failure;
  try {
    return body();
  } catch (...) {
    failure = std::current_exception();
  }
  throw_js_error_for(std::move(failure), plain_code);
}

}  // namespace cnnlens::js
