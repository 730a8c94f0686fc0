// The checks that a graph can run, done before anything is allocated: ids and wiring, each
// kind's shape rule, the limits, the sizes of the tensors the scene gives, and the target.
#include <map>
#include <string>

#include "cnnlens/error.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

Shape sample_of(const Shape& batch_first) { return Shape(batch_first.begin() + 1, batch_first.end()); }

void check_given(const NodeSpec& node, const std::vector<TensorDecl>& params, const std::vector<TensorDecl>& buffers) {
  for (const auto& [name, given] : node.tensors) {
    const TensorDecl* decl = nullptr;
    for (const TensorDecl& d : params) decl = d.name == name ? &d : decl;
    for (const TensorDecl& d : buffers) decl = (d.name == name && d.saved) ? &d : decl;
    if (decl == nullptr) node.fail("unknown_field", name, json::object(), "has no parameter \"" + name + "\"");
    const std::size_t want = element_count(decl->shape);
    if (given.data.size() != want) {
      node.fail("tensor_size", name, {{"got", given.data.size()}, {"expected", want}, {"shape", decl->shape}},
                name + " has " + std::to_string(given.data.size()) + " values, expected " + std::to_string(want) + " (" +
                    shape_to_string(decl->shape) + ")");
    }
  }
}

}  // namespace

GraphShapes validate_scene(const Scene& scene) {
  GraphShapes g;
  g.input = scene.batch_input_shape();
  const ErrorPlace input_place{"", 0, "", "input"};
  if (element_count(g.input) > limits::kMaxTensorElements) {
    throw SceneError("tensor_too_large", input_place, {{"shape", scene.input_shape}, {"max", limits::kMaxTensorElements}},
                     "input: shape " + shape_to_string(scene.input_shape) + " has more than " +
                         std::to_string(limits::kMaxTensorElements) + " values");
  }
  if (scene.input.size() != element_count(g.input)) {
    throw SceneError("tensor_size", input_place, {{"got", scene.input.size()}, {"expected", element_count(g.input)}},
                     "input: data has " + std::to_string(scene.input.size()) + " values, expected " +
                         std::to_string(element_count(g.input)) + " (" + shape_to_string(scene.input_shape) + ")");
  }
  std::map<std::string, int> index_of;
  for (std::size_t k = 0; k < scene.nodes.size(); ++k) {
    const NodeSpec& node = scene.nodes[k];
    if (index_of.count(node.id)) node.fail("duplicate_id", "id", {{"id", node.id}}, "id \"" + node.id + "\" is used twice");
    index_of[node.id] = int(k);
  }
  std::vector<bool> read(scene.nodes.size(), false);
  for (std::size_t k = 0; k < scene.nodes.size(); ++k) {
    const NodeSpec& node = scene.nodes[k];
    const LayerKind& kind = *node.kind;
    const int count = int(node.inputs.size());
    if (count < kind.min_inputs || (kind.max_inputs >= 0 && count > kind.max_inputs)) {
      const std::string wanted = kind.min_inputs == kind.max_inputs ? std::to_string(kind.min_inputs)
                                 : kind.max_inputs < 0 ? "at least " + std::to_string(kind.min_inputs)
                                                       : std::to_string(kind.min_inputs) + " to " + std::to_string(kind.max_inputs);
      node.fail("input_count", "inputs", {{"got", count}, {"min", kind.min_inputs}, {"max", kind.max_inputs}},
                "takes " + wanted + " input" + (wanted == "1" ? "" : "s") + ", got " + std::to_string(count));
    }
    std::vector<int> edges;
    InputShapes shapes;
    for (const std::string& name : node.inputs) {
      int edge = -1;
      if (name != "input") {
        auto it = index_of.find(name);
        if (it == index_of.end()) {
          node.fail("unknown_input", "inputs", {{"input", name}}, "reads \"" + name + "\", which is not a node of this network");
        }
        if (it->second >= int(k)) {
          node.fail("forward_reference", "inputs", {{"input", name}},
                    it->second == int(k) ? "reads itself (a graph may not have cycles)"
                                         : "reads \"" + name + "\", which comes later (nodes run in list order, so a node reads only earlier ones)");
        }
        edge = it->second;
        read[std::size_t(edge)] = true;
      }
      edges.push_back(edge);
      shapes.push_back(edge < 0 ? g.input : g.outputs[std::size_t(edge)]);
    }
    Shape output = kind.output_shape(node, shapes);
    for (std::size_t d = 1; d < output.size(); ++d) {
      if (output[d] == 0) node.fail("empty_output", "", {{"output", sample_of(output)}}, "its output " + shape_to_string(sample_of(output)) + " would be empty");
    }
    if (element_count(output) > limits::kMaxTensorElements) {
      node.fail("tensor_too_large", "", {{"output", sample_of(output)}, {"max", limits::kMaxTensorElements}},
                "its output " + shape_to_string(sample_of(output)) + " has " + std::to_string(element_count(output)) +
                    " values, more than the limit " + std::to_string(limits::kMaxTensorElements));
    }
    g.multiply_adds += kind.cost ? kind.cost(node, shapes, output) : output_elements(node, shapes, output);
    if (g.multiply_adds > limits::kMaxMultiplyAdds) {
      node.fail("too_much_compute", "", {{"max", limits::kMaxMultiplyAdds}},
                "the network would need more than " + std::to_string(limits::kMaxMultiplyAdds) +
                    " multiply-adds per sample, too slow to stay interactive");
    }
    std::vector<TensorDecl> params = kind.params ? kind.params(node, shapes) : std::vector<TensorDecl>{};
    std::vector<TensorDecl> buffers = kind.buffers ? kind.buffers(node, shapes) : std::vector<TensorDecl>{};
    for (const TensorDecl& p : params) g.parameters += element_count(p.shape);
    if (g.parameters > limits::kMaxParameters) {
      node.fail("too_many_parameters", "", {{"max", limits::kMaxParameters}},
                "the network would have more than " + std::to_string(limits::kMaxParameters) + " parameters");
    }
    for (const TensorDecl& b : buffers) {
      if (element_count(b.shape) > limits::kMaxTensorElements) {
        node.fail("tensor_too_large", b.name, {{"max", limits::kMaxTensorElements}}, b.name + " would be too large");
      }
    }
    check_given(node, params, buffers);
    g.inputs.push_back(std::move(edges));
    g.outputs.push_back(std::move(output));
    g.params.push_back(std::move(params));
    g.buffers.push_back(std::move(buffers));
  }
  for (std::size_t k = 0; k + 1 < scene.nodes.size(); ++k) {
    if (!read[k]) {
      scene.nodes[k].fail("unread_node", "inputs", json::object(),
                          "nothing reads its output (only the last node may be unread: it is the network's output)");
    }
  }
  check_target(scene.loss, scene.target, scene.target_classes, scene.batch_size(), sample_of(g.outputs.back()));
  return g;
}

}  // namespace cnnlens
