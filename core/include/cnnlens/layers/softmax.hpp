// softmax over the features of each sample of an [N, F] input (PyTorch's nn.Softmax(dim=1)).
//
// Forward:  y_i = e^(x_i - m) / sum_j e^(x_j - m), m = max_j x_j (subtracting it keeps exp() finite).
// Backward: dL/dx_i = y_i (g_i - sum_j g_j y_j), the Jacobian y_i (delta_ij - y_j) applied to g.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& softmax_kind();

class Softmax : public Layer {
 public:
  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

}  // namespace cnnlens
