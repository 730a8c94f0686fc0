// maxpool2d: max pooling over each channel (PyTorch's nn.MaxPool2d), batch-first.
//
// Forward:  y[n, c, r, s] = max over the window's taps (i, j) of x[n, c, r*sh - top + i*dh, s*sw - left + j*dw];
//           padded cells never win (they count as -infinity). "argmax" keeps, per output cell, the
//           flat [C, H, W] index of the input cell that won: the first maximum in row-major
//           window order (PyTorch's choice), so the page can draw the routing.
// Backward: dL/dx[n, argmax[n, c, r, s]] += g[n, c, r, s]; every other input cell gets nothing from it.
// Buffers:  input [N, C, H, W], output and argmax [N, C, H', W'].
#pragma once

#include <vector>

#include "cnnlens/layers/pooling.hpp"

namespace cnnlens {

const LayerKind& maxpool2d_kind();

class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(const PoolGeometry& geometry);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
  bool writes_fresh_gradients() const override { return true; }
  // the 2x2 windows only: each cell in one window at most, so a cell's one term passes or not
  bool routes_through_relu() const override { return whole_2x2_; }

  const PoolGeometry& geometry() const { return geometry_; }
  const Tensor& argmax() const { return buffers_[0].value; }

 private:
  PoolGeometry geometry_;
  // 2x2 windows, stride 2, no padding or dilation, every window whole: the fast kernels' case
  bool whole_2x2_ = false;
  std::vector<PoolGeometry::Taps> col_windows_;  // each output column's clipped taps, the same for every row
};

}  // namespace cnnlens
