// global_maxpool2d: the kind's declaration and the runtime layer; the rule is in global_maxpool2d.hpp.
#include "cnnlens/layers/global_maxpool2d.hpp"

#include <array>
#include <utility>

namespace cnnlens {

const LayerKind& global_maxpool2d_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "global_maxpool2d";
    k.title = "Global max pooling";
    k.pytorch = "nn.AdaptiveMaxPool2d";
    k.onnx = "GlobalMaxPool";
    k.help_key = "kind.global_maxpool2d";
    k.output_shape = global_pool_output_shape;
    k.cost = global_pool_cost;
    k.buffers = [](const NodeSpec& node, const InputShapes& inputs) -> std::vector<TensorDecl> {
      return {{"argmax", global_pool_output_shape(node, inputs), Init::kZeros, 0.0f, BufferRole::kRouting, false}};
    };
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer> buffers) -> std::unique_ptr<Layer> {
      return std::make_unique<GlobalMaxPool2d>(std::move(buffers));
    };
    return k;
  }();
  return kind;
}

void GlobalMaxPool2d::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0], c = x.shape()[1], cells = x.shape()[2] * x.shape()[3];
  const std::array<std::size_t, 4> shape{n, c, 1, 1};
  reshape_to(output, shape);
  Tensor& argmax = buffers_[0].value;
  reshape_to(argmax, shape);
  for (std::size_t k = 0; k < n * c; ++k) {
    const float* xs = x.data() + k * cells;
    std::size_t best = 0;
    for (std::size_t i = 1; i < cells; ++i) {
      if (xs[i] > xs[best]) best = i;  // strict: the first maximum wins
    }
    output.data()[k] = xs[best];
    argmax.data()[k] = static_cast<float>((k % c) * cells + best);  // flat [C, H, W] index, as maxpool2d
  }
}

void GlobalMaxPool2d::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                               const RunContext&) {
  Tensor* gx = grad_inputs[0];
  if (gx == nullptr) return;
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0], sample = x.size() / n, c = x.shape()[1];
  const float* winner = buffers_[0].value.data();
  for (std::size_t k = 0; k < n * c; ++k) {
    gx->data()[(k / c) * sample + static_cast<std::size_t>(winner[k])] += grad_output.data()[k];
  }
}

}  // namespace cnnlens
