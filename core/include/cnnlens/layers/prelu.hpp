// prelu: a leaky ReLU whose negative slope is learnt (PyTorch's nn.PReLU, ONNX PRelu), one slope
// for all channels (num_parameters = 1) or one per channel (= axis 1 of the input).
//
// Forward:  y = x if x > 0 else a_c * x, c the cell's channel (axis 1; c = 0 when num_parameters = 1).
// Backward: dL/dx   = g * (x > 0 ? 1 : a_c)
//           dL/da_c = sum over the cells of channel c (every sample) with x <= 0 of g * x.
// Buffers: input [N, C, H, W] or [N, F] (F channels), output shaped like it, weight [num_parameters]
//          (starts at 0.25, as PyTorch).
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& prelu_kind();

class PRelu : public Layer {
 public:
  explicit PRelu(Tensor weight);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

}  // namespace cnnlens
