// log_softmax: the kind's declaration and the runtime layer; the derivation is in log_softmax.hpp.
#include "cnnlens/layers/log_softmax.hpp"

#include <algorithm>
#include <cmath>

namespace cnnlens {

const LayerKind& log_softmax_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "log_softmax";
    k.title = "Log-softmax";
    k.pytorch = "nn.LogSoftmax";
    k.onnx = "LogSoftmax";
    k.help_key = "kind.log_softmax";
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) {
      require_vector(node, inputs[0]);
      return inputs[0];
    };
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>, std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<LogSoftmax>();
    };
    return k;
  }();
  return kind;
}

void LogSoftmax::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  reshape_to(output, x.shape());
  const std::size_t n = x.shape()[0], f = x.shape()[1];
  for (std::size_t k = 0; k < n; ++k) {
    const float* in = x.data() + k * f;
    float* out = output.data() + k * f;
    const float peak = *std::max_element(in, in + f);
    float total = 0.0f;
    for (std::size_t i = 0; i < f; ++i) total += std::exp(in[i] - peak);
    const float log_total = peak + std::log(total);
    for (std::size_t i = 0; i < f; ++i) out[i] = in[i] - log_total;
  }
}

void LogSoftmax::backward(const Inputs&, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                          const RunContext&) {
  if (grad_inputs[0] == nullptr) return;
  const std::size_t n = output.shape()[0], f = output.shape()[1];
  for (std::size_t k = 0; k < n; ++k) {
    const float* y = output.data() + k * f;
    const float* g = grad_output.data() + k * f;
    float* gx = grad_inputs[0]->data() + k * f;
    float total = 0.0f;
    for (std::size_t i = 0; i < f; ++i) total += g[i];
    for (std::size_t i = 0; i < f; ++i) gx[i] += g[i] - std::exp(y[i]) * total;
  }
}

}  // namespace cnnlens
