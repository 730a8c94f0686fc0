// add: the element-wise sum of two or more inputs of one shape (a residual connection;
// PyTorch's x + y, ONNX Add / Sum).
//
// Forward:  y = x_1 + x_2 + ... + x_k.
// Backward: dy/dx_i = 1 for every input, so dL/dx_i = g, added unchanged into each input's
//           gradient (an edge read twice, add(x, x), receives 2g).
// Buffers:  inputs and output [N, ...], all the same shape.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& add_kind();

class Add : public Layer {
 public:
  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

}  // namespace cnnlens
