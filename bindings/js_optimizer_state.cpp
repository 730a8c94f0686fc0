// Model.optimizerState() / setOptimizerState(state): the core's OptimizerState as a plain JS
// object of copied Float32Arrays (null = not started), so the page's undo history can keep it.
#include <emscripten/val.h>

#include "cnnlens/error.hpp"
#include "cnnlens/error_codes.hpp"
#include "js_errors.hpp"
#include "js_model.hpp"

namespace cnnlens::js {
namespace {

using emscripten::typed_memory_view;

val floats_or_null(const std::vector<float>& values) {
  if (values.empty()) return val::null();
  return val::global("Float32Array").new_(val(typed_memory_view(values.size(), values.data())));
}

std::vector<float> floats_from(const val& values, const char* what) {
  if (values.isNull() || values.isUndefined()) return {};
  if (!values.isArray() && !values.instanceof(val::global("Float32Array"))) {
    throw SceneError("optimizer_state_mismatch", {"", 0, "", "optimizer"}, {{"field", what}},
                     std::string("optimizer state: ") + what + " must be a Float32Array, an array or null");
  }
  return emscripten::convertJSArrayToNumberVector<float>(values);
}

}  // namespace

val JsModel::optimizer_state() const {
  const OptimizerState state = model_->optimizer_state();
  val params = val::array();
  for (const ParamState& p : state.params) {
    val item = val::object();
    item.set("node", val(p.node));
    item.set("name", val(p.name));
    item.set("momentum", floats_or_null(p.momentum));
    item.set("velocity", floats_or_null(p.velocity));
    item.set("delta", floats_or_null(p.delta));
    params.call<void>("push", item);
  }
  val out = val::object();
  out.set("steps", val(state.steps));
  out.set("params", params);
  out.set("lossHistory", val::global("Float32Array").new_(val(typed_memory_view(state.loss_history.size(), state.loss_history.data()))));
  return out;
}

void JsModel::set_optimizer_state(const val& state) {
  guarded([&] {
    const auto bad = [](const std::string& message) {
      throw SceneError("optimizer_state_mismatch", {"", 0, "", "optimizer"}, nlohmann::json::object(), "optimizer state: " + message);
    };
    if (state.typeOf().as<std::string>() != "object" || state.isNull() || !state["steps"].isNumber() || !state["params"].isArray()) bad("expected { steps, params, lossHistory }");
    OptimizerState s;
    s.steps = state["steps"].as<int>();
    s.loss_history = floats_from(state["lossHistory"], "lossHistory");
    const int n = state["params"]["length"].as<int>();
    for (int k = 0; k < n; ++k) {
      const val p = state["params"][k];
      if (p.typeOf().as<std::string>() != "object" || p.isNull()) bad("params must be objects");
      ParamState ps;
      if (p["node"].isString()) ps.node = p["node"].as<std::string>();
      if (p["name"].isString()) ps.name = p["name"].as<std::string>();
      ps.momentum = floats_from(p["momentum"], "momentum");
      ps.velocity = floats_from(p["velocity"], "velocity");
      ps.delta = floats_from(p["delta"], "delta");
      s.params.push_back(std::move(ps));
    }
    model_->restore_optimizer_state(s);
  });
}

val error_codes() {
  val out = val::array();
  for (const std::string& code : cnnlens::error_codes()) out.call<void>("push", val(code));
  return out;
}

}  // namespace cnnlens::js
