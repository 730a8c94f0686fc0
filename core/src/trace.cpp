// The trace: the model's whole current state as JSON, shared by the CLI, the wasm module and tests.
#include <nlohmann/json.hpp>

#include "cnnlens/model.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

json tensor_json(const Tensor& t) { return {{"shape", shape_of(t)}, {"data", to_vector(t)}}; }

}  // namespace

json trace(const Model& model) { return trace(model, model.loss_history()); }

json trace(const Model& model, const std::vector<float>& loss_history) {
  json layers = json::array();
  for (std::size_t index = 0; index < model.layer_count(); ++index) {
    const Layer& layer = model.layer(index);
    json params = json::object();
    for (const Param& p : layer.params()) {
      params[p.name] = {{"shape", shape_of(p.value)}, {"data", to_vector(p.value)}, {"grad", to_vector(p.grad)}};
    }
    layers.push_back({{"type", layer.type()},
                      {"output", tensor_json(layer.output())},
                      {"grad_output", tensor_json(layer.grad_output())},
                      {"grad_input", tensor_json(layer.grad_input())},
                      {"params", params}});
  }
  return {{"loss", model.loss()},
          {"loss_history", loss_history},
          {"input", tensor_json(model.input())},
          {"layers", layers}};
}

}  // namespace cnnlens
