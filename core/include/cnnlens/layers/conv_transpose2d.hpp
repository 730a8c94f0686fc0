// conv_transpose2d: 2-D transposed convolution (PyTorch's nn.ConvTranspose2d, ONNX ConvTranspose),
// batch-first: the input-gradient of a conv2d, run forwards.
//
// Forward:  every input cell scatters its value times the kernel into the output window it maps to:
//           y[n, o, u*sh - top + i*dh, v*sw - left + j*dw] += x[n, c, u, v] * w[c, o', i, j]
//           for every c in group(o), o' = o mod O/G, tap (i, j); plus b[o] everywhere.
//           Cells that land outside [0, H') x [0, W') are dropped (that is what padding trims).
//           H' = (H - 1)*sh - top - bottom + dh*(kh - 1) + output_padding_h + 1 (W' alike);
//           output_padding only lengthens the bottom/right edge (needs < max(stride, dilation)).
// Backward: with g = dL/dy, each (x, w) product above landed on one output cell r(u, i), s(v, j):
//           dL/dx[n, c, u, v] = sum_{o', i, j} w[c, o', i, j] * g[n, o, r(u, i), s(v, j)]
//                               (a conv2d of g with the same weights: stride, dilation, padding alike)
//           dL/dw[c, o', i, j] = sum_{n, u, v} x[n, c, u, v] * g[n, o, r(u, i), s(v, j)]
//           dL/db[o]           = sum_{n, r, s} g[n, o, r, s]
// Runs as matrix products on the conv2d kernels (kernels/conv.hpp), with the roles swapped: the
// conv geometry's "input" is this layer's output, its "output" this layer's input. Per group,
// columns[K, P] = w^T x (K = O/G*KH*KW, P = H*W), then col2im scatters it into y.
// Buffers: input [N, C, H, W], output [N, O, H', W'], weight [C, O/G, KH, KW], bias [O].
#pragma once

#include <vector>

#include "cnnlens/kind.hpp"
#include "cnnlens/layers/conv2d.hpp"

namespace cnnlens {

const LayerKind& conv_transpose2d_kind();

class ConvTranspose2d : public Layer {
 public:
  // `group_geometry`: one group as the conv2d kernels see it (in = this layer's output, out = its
  // input; padding = top/left).
  ConvTranspose2d(const ConvGeometry& group_geometry, int groups, Tensor weight, Tensor bias);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;

  int groups() const { return groups_; }

 private:
  ConvGeometry group_;
  int groups_;
  // Scratch, sized on first use: weight_t_ [K, C/G] (one group's weight transposed), columns_ [K, P].
  std::vector<float> weight_t_, columns_;
};

}  // namespace cnnlens
