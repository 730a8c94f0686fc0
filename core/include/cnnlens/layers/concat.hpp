// concat: two or more inputs side by side along the channel axis (PyTorch's torch.cat(dim=1),
// ONNX Concat axis 1): [N, C_i, H, W] -> [N, sum C_i, H, W], or [N, F_i] -> [N, sum F_i].
//
// Forward:  for each sample, input 1's channels, then input 2's, ... (each a contiguous block).
// Backward: each output value is a copy of one input value, so dL/dx_i is the block of g that
//           input i filled: the gradient is split back along the same axis.
// Buffers:  inputs [N, C_i, ...], output [N, sum C_i, ...]; every axis but 1 must match.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& concat_kind();

class Concat : public Layer {
 public:
  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

}  // namespace cnnlens
