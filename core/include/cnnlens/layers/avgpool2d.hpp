// avgpool2d: average pooling over each channel (PyTorch's nn.AvgPool2d), batch-first.
//
// Forward:  y[n, c, r, s] = (sum of the window's input cells) / divisor, where the window is clipped
//           to the padded map; divisor = its size with padding (count_include_pad, the default) or
//           the number of real input cells in it.
// Backward: dL/dx[n, c, u, v] = sum over windows containing (u, v) of g[n, c, r, s] / divisor(r, s).
// Buffers:  input [N, C, H, W], output [N, C, H', W'].
#pragma once

#include "cnnlens/layers/pooling.hpp"

namespace cnnlens {

const LayerKind& avgpool2d_kind();

class AvgPool2d : public Layer {
 public:
  AvgPool2d(const PoolGeometry& geometry, bool count_include_pad);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;

  const PoolGeometry& geometry() const { return geometry_; }
  // The divisor of output cell (r, s): what its window's sum is divided by.
  float divisor(int r, int s) const { return divisors_[std::size_t(r * geometry_.out_w + s)]; }

 private:
  PoolGeometry geometry_;
  std::vector<float> divisors_;  // [H', W']
};

}  // namespace cnnlens
