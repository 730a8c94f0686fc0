// global_maxpool2d: the largest value of each whole channel (PyTorch's nn.AdaptiveMaxPool2d(1),
// ONNX GlobalMaxPool): [N, C, H, W] -> [N, C, 1, 1].
//
// Forward:  y[n, c] = max_{i, j} x[n, c, i, j]; "argmax" keeps, per output cell, the flat [C, H, W]
//           index of the winning input cell (as maxpool2d's argmax does): the first maximum in
//           row-major order.
// Backward: dL/dx[n, argmax[n, c]] += g[n, c]; every other cell of the channel gets nothing.
// Buffers:  input [N, C, H, W], output and argmax [N, C, 1, 1] (argmax: role "routing").
#pragma once

#include <utility>
#include <vector>

#include "cnnlens/layers/global_avgpool2d.hpp"

namespace cnnlens {

const LayerKind& global_maxpool2d_kind();

class GlobalMaxPool2d : public Layer {
 public:
  explicit GlobalMaxPool2d(std::vector<Buffer> buffers) { buffers_ = std::move(buffers); }

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;

  const Tensor& argmax() const { return buffers_[0].value; }
};

}  // namespace cnnlens
