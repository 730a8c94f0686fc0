// flatten: the kind's declaration and the runtime layer.
#include "cnnlens/layers/flatten.hpp"

#include <algorithm>
#include <array>

namespace cnnlens {

const LayerKind& flatten_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "flatten";
    k.title = "Flatten";
    k.pytorch = "nn.Flatten";
    k.onnx = "Flatten";
    k.help_key = "kind.flatten";
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) {
      const Shape& in = inputs[0];
      require_map(node, in);
      return Shape{in[0], element_count(in) / in[0]};
    };
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>, std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Flatten>();
    };
    return k;
  }();
  return kind;
}

void Flatten::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0];
  reshape_to(output, std::array<std::size_t, 2>{n, x.size() / n});
  std::copy(x.begin(), x.end(), output.begin());
}

void Flatten::backward(const Inputs&, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                       const RunContext&) {
  if (grad_inputs[0] != nullptr) add_into(*grad_inputs[0], grad_output);
}

}  // namespace cnnlens
