// add: the kind's declaration and the runtime layer; the rule is in add.hpp.
#include "cnnlens/layers/add.hpp"

#include <algorithm>

namespace cnnlens {
namespace {

Shape sample_of(const Shape& batch_first) { return Shape(batch_first.begin() + 1, batch_first.end()); }

// The name of input k for messages: its id when the node names its inputs, else its position.
std::string input_name(const NodeSpec& node, std::size_t k) {
  return "input " + std::to_string(k + 1) + (k < node.inputs.size() ? " (\"" + node.inputs[k] + "\")" : "");
}

Shape add_output_shape(const NodeSpec& node, const InputShapes& inputs) {
  for (std::size_t k = 1; k < inputs.size(); ++k) {
    if (inputs[k] == inputs[0]) continue;
    const Shape first = sample_of(inputs[0]), other = sample_of(inputs[k]);
    node.fail("shape_mismatch", "inputs", {{"input", k}, {"shape", other}, {"expected", first}},
              "adds inputs of one shape, but " + input_name(node, k) + " is " + shape_to_string(other) + " and " +
                  input_name(node, 0) + " is " + shape_to_string(first));
  }
  return inputs[0];
}

}  // namespace

const LayerKind& add_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "add";
    k.title = "Add";
    k.pytorch = "torch.add";
    k.onnx = "Add";
    k.help_key = "kind.add";
    k.min_inputs = 2;
    k.max_inputs = -1;
    k.output_shape = add_output_shape;
    k.cost = [](const NodeSpec& node, const InputShapes& inputs, const Shape& output) -> std::uint64_t {
      return output_elements(node, inputs, output) * (inputs.size() - 1);
    };
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>, std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Add>();
    };
    return k;
  }();
  return kind;
}

void Add::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  reshape_to(output, inputs[0]->shape());
  std::copy(inputs[0]->begin(), inputs[0]->end(), output.begin());
  for (std::size_t k = 1; k < inputs.size(); ++k) add_into(output, *inputs[k]);
}

void Add::backward(const Inputs&, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                   const RunContext&) {
  for (Tensor* gx : grad_inputs) {
    if (gx != nullptr) add_into(*gx, grad_output);
  }
}

}  // namespace cnnlens
