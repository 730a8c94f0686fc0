// flatten: [N, C, H, W] -> [N, C*H*W] in row-major order (PyTorch's nn.Flatten()).
// Backward: output cell k of a sample came from input cell k of it, so the gradient is copied back.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& flatten_kind();

class Flatten : public Layer {
 public:
  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

}  // namespace cnnlens
