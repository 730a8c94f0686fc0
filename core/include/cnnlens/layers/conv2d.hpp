// 2-D convolution (cross-correlation, as in PyTorch) over one [C, H, W] sample.
//
// Forward:  y[o, r, s] = b[o] + sum_{c,i,j} w[o, c, i, j] * x[c, r*sh - ph + i*dh, s*sw - pw + j*dw]
//           (x is 0 outside the input: zero padding).
// Backward: with g = dL/dy,
//           dL/dw[o, c, i, j] = sum_{r,s} g[o, r, s] * x[c, r*sh - ph + i*dh, s*sw - pw + j*dw]
//           dL/db[o]          = sum_{r,s} g[o, r, s]
//           dL/dx[c, u, v]    = sum over every (o, r, s, i, j) whose window reads x[c, u, v] of
//                               w[o, c, i, j] * g[o, r, s]  (the "flipped-kernel" sum)
// Buffers: input [C, H, W], output [O, H', W'], weight [O, C, KH, KW], bias [O].
#pragma once

#include <vector>

#include "cnnlens/layer.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {

struct ConvGeometry {
  int in_channels, in_h, in_w;
  int out_channels, out_h, out_w;
  Pair kernel, stride, padding, dilation;

  // Input row/column that kernel tap (i, j) of output cell (r, s) reads; may be outside the input.
  int input_row(int r, int i) const { return r * stride.h - padding.h + i * dilation.h; }
  int input_col(int s, int j) const { return s * stride.w - padding.w + j * dilation.w; }
};

class Conv2d : public Layer {
 public:
  Conv2d(const ConvGeometry& geometry, Tensor weight, Tensor bias);

  const char* type() const override { return "conv2d"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;

  const ConvGeometry& geometry() const { return geometry_; }

 private:
  ConvGeometry geometry_;
  // Scratch of the im2col fast path (kernels/conv.hpp), sized on first use and then reused:
  // columns_ [K, P] is im2col(input_) from the last forward; weight_t_ [K, O]; grad_columns_ [K, P].
  std::vector<float> columns_, weight_t_, grad_columns_;
};

}  // namespace cnnlens
