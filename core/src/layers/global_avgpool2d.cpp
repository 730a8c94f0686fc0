// global_avgpool2d: the kind's declaration and the runtime layer; the rule is in global_avgpool2d.hpp.
#include "cnnlens/layers/global_avgpool2d.hpp"

#include <array>

namespace cnnlens {

Shape global_pool_output_shape(const NodeSpec& node, const InputShapes& inputs) {
  require_map(node, inputs[0]);
  return {inputs[0][0], inputs[0][1], 1, 1};
}

std::uint64_t global_pool_cost(const NodeSpec&, const InputShapes& inputs, const Shape&) {
  return std::uint64_t(inputs[0][1]) * inputs[0][2] * inputs[0][3];
}

const LayerKind& global_avgpool2d_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "global_avgpool2d";
    k.title = "Global average pooling";
    k.pytorch = "nn.AdaptiveAvgPool2d";
    k.onnx = "GlobalAveragePool";
    k.help_key = "kind.global_avgpool2d";
    k.output_shape = global_pool_output_shape;
    k.cost = global_pool_cost;
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>, std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<GlobalAvgPool2d>();
    };
    return k;
  }();
  return kind;
}

void GlobalAvgPool2d::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0], c = x.shape()[1], cells = x.shape()[2] * x.shape()[3];
  reshape_to(output, std::array<std::size_t, 4>{n, c, 1, 1});
  for (std::size_t k = 0; k < n * c; ++k) {
    const float* xs = x.data() + k * cells;
    double sum = 0.0;
    for (std::size_t i = 0; i < cells; ++i) sum += xs[i];
    output.data()[k] = float(sum / double(cells));
  }
}

void GlobalAvgPool2d::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                               const RunContext&) {
  Tensor* gx = grad_inputs[0];
  if (gx == nullptr) return;
  const Tensor& x = *inputs[0];
  const std::size_t channels = x.shape()[0] * x.shape()[1], cells = x.shape()[2] * x.shape()[3];
  for (std::size_t k = 0; k < channels; ++k) {
    const float share = grad_output.data()[k] / float(cells);
    float* g = gx->data() + k * cells;
    for (std::size_t i = 0; i < cells; ++i) g[i] += share;
  }
}

}  // namespace cnnlens
