// pad2d: pads each map on four sides (PyTorch's nn.ZeroPad2d / nn.ReflectionPad2d /
// nn.ReplicationPad2d, ONNX Pad with mode constant / reflect / edge), batch-first.
//
// Forward:  y[n, c, u, v] = x[n, c, src(u - top, H), src(v - left, W)], with src by the mode
//           (kernels/pad.hpp): zeros gives 0 outside, reflect mirrors without repeating the edge
//           (needs every pad < the input size), replicate repeats the edge cell.
//           padding is [top, left, bottom, right] (ONNX's order; PyTorch's tuple is
//           (left, right, top, bottom)); H' = H + top + bottom, W' = W + left + right.
// Backward: y is a copy of chosen x cells, so dL/dx[n, c, a, b] = sum of g[n, c, u, v] over every
//           output cell (u, v) that copied (a, b); zero-padded cells pass nothing back.
// Buffers: input [N, C, H, W], output [N, C, H', W']; no parameters.
#pragma once

#include "cnnlens/kind.hpp"
#include "cnnlens/kernels/pad.hpp"

namespace cnnlens {

const LayerKind& pad2d_kind();

class Pad2d : public Layer {
 public:
  Pad2d(const Padding4& padding, kernels::PadMode mode) : padding_(padding), mode_(mode) {}

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;

 private:
  Padding4 padding_;
  kernels::PadMode mode_;
};

}  // namespace cnnlens
