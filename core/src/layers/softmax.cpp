// softmax: the kind's declaration and the runtime layer; the derivation is in softmax.hpp.
#include "cnnlens/layers/softmax.hpp"

#include <algorithm>
#include <cmath>

namespace cnnlens {

const LayerKind& softmax_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "softmax";
    k.title = "Softmax";
    k.pytorch = "nn.Softmax";
    k.onnx = "Softmax";
    k.help_key = "kind.softmax";
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) {
      require_vector(node, inputs[0]);
      return inputs[0];
    };
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>, std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Softmax>();
    };
    return k;
  }();
  return kind;
}

void Softmax::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  reshape_to(output, x.shape());
  const std::size_t n = x.shape()[0], f = x.shape()[1];
  for (std::size_t k = 0; k < n; ++k) {
    const float* in = x.data() + k * f;
    float* out = output.data() + k * f;
    const float peak = *std::max_element(in, in + f);
    float total = 0.0f;
    for (std::size_t i = 0; i < f; ++i) total += (out[i] = std::exp(in[i] - peak));
    for (std::size_t i = 0; i < f; ++i) out[i] /= total;
  }
}

void Softmax::backward(const Inputs&, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                       const RunContext&) {
  if (grad_inputs[0] == nullptr) return;
  const std::size_t n = output.shape()[0], f = output.shape()[1];
  for (std::size_t k = 0; k < n; ++k) {
    const float* y = output.data() + k * f;
    const float* g = grad_output.data() + k * f;
    float* gx = grad_inputs[0]->data() + k * f;
    float dot = 0.0f;
    for (std::size_t i = 0; i < f; ++i) dot += g[i] * y[i];
    for (std::size_t i = 0; i < f; ++i) gx[i] += y[i] * (g[i] - dot);
  }
}

}  // namespace cnnlens
