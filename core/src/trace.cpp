// The trace: the model's whole current state as JSON, shared by the CLI, the wasm module and the
// tests. Version-1 scenes keep the version-1 trace (one sample, tensors without the batch axis);
// version-2 scenes give the graph trace (docs/scene-format.md, "The trace").
#include <nlohmann/json.hpp>

#include "cnnlens/model.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

// Shape without the leading batch axis of a single-sample tensor, for version 1.
Shape sample_shape(const Tensor& t) {
  const Shape s = shape_of(t);
  return Shape(s.begin() + 1, s.end());
}

json tensor_json(const Tensor& t, bool strip_batch) {
  return {{"shape", strip_batch ? sample_shape(t) : shape_of(t)}, {"data", to_vector(t)}};
}

json trace_v1(const Model& model, const std::vector<float>& loss_history) {
  // a forward-only chain (loss "none") has no loss and no gradients: null, as in version 2
  const bool grads = model.has_loss();
  json layers = json::array();
  for (std::size_t index = 0; index < model.node_count(); ++index) {
    const NodeView node = model.node(index);
    json params = json::object();
    for (const Param& p : node.params()) {
      params[p.name] = {{"shape", shape_of(p.value)}, {"data", to_vector(p.value)}, {"grad", grads ? json(to_vector(p.grad)) : json(nullptr)}};
    }
    layers.push_back({{"type", node.type()},
                      {"output", tensor_json(node.output(), true)},
                      {"grad_output", grads ? tensor_json(node.grad_output(), true) : json(nullptr)},
                      {"grad_input", grads ? tensor_json(node.grad_input(), true) : json(nullptr)},
                      {"params", params}});
  }
  return {{"loss", grads ? json(model.loss()) : json(nullptr)},
          {"loss_history", loss_history},
          {"input", tensor_json(model.input(), true)},
          {"layers", layers}};
}

// {"shape", "data", "grad"} plus "name" when the tensor came from a model file.
json named_tensor_json(const Tensor& value, const Tensor* grad, const std::string& name) {
  json j = {{"shape", shape_of(value)}, {"data", to_vector(value)}, {"grad", grad ? json(to_vector(*grad)) : json(nullptr)}};
  if (!name.empty()) j["name"] = name;
  return j;
}

json trace_v2(const Model& model, const std::vector<float>& loss_history) {
  const bool grads = model.has_loss();
  json nodes = json::array();
  for (std::size_t index = 0; index < model.node_count(); ++index) {
    const NodeView node = model.node(index);
    json params = json::object();
    for (const Param& p : node.params()) params[p.name] = named_tensor_json(p.value, grads ? &p.grad : nullptr, p.source_name);
    json buffers = json::object();
    for (const Buffer& b : node.buffers()) {
      json j = named_tensor_json(b.value, nullptr, b.source_name);
      j.erase("grad");
      j["role"] = role_name(b.role);
      buffers[b.name] = j;
    }
    nodes.push_back({{"id", node.id()},
                     {"type", node.type()},
                     {"inputs", node.spec().inputs},
                     {"output", tensor_json(node.output(), false)},
                     {"grad_output", grads ? tensor_json(node.grad_output(), false) : json(nullptr)},
                     {"params", params},
                     {"buffers", buffers}});
  }
  return {{"version", 2},
          {"loss", grads ? json(model.loss()) : json(nullptr)},
          {"losses", grads ? json(model.losses()) : json(nullptr)},
          {"loss_history", loss_history},
          {"input", tensor_json(model.input(), false)},
          {"grad_input", grads ? tensor_json(model.grad_input(), false) : json(nullptr)},
          {"nodes", nodes}};
}

}  // namespace

json trace(const Model& model) { return trace(model, model.loss_history()); }

json trace(const Model& model, const std::vector<float>& loss_history) {
  return model.scene().version == 1 ? trace_v1(model, loss_history) : trace_v2(model, loss_history);
}

}  // namespace cnnlens
