// guarded(body): runs a binding's body and turns any C++ exception into a JS Error (message, code,
// details), for every file that implements JsModel methods.
#pragma once

#include <new>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "js_model.hpp"

namespace cnnlens::js {

// Runs `body`; any C++ exception becomes a JS Error carrying its message (and code and details).
template <typename Body>
auto guarded(Body&& body) -> decltype(body()) {
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
    code = "internal";
  } catch (...) {
    message = "unexpected internal error";
    code = "internal";
  }
  throw_js_error(message, code, details);
}

}  // namespace cnnlens::js
