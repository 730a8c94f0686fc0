// global_avgpool2d: the mean of each whole channel (PyTorch's nn.AdaptiveAvgPool2d(1), ONNX
// GlobalAveragePool): [N, C, H, W] -> [N, C, 1, 1].
//
// Forward:  y[n, c] = (1 / (H W)) sum_{i, j} x[n, c, i, j].
// Backward: every cell of the channel weighs 1 / (H W): dL/dx[n, c, i, j] = g[n, c] / (H W).
// Buffers:  input [N, C, H, W], output [N, C, 1, 1].
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& global_avgpool2d_kind();

class GlobalAvgPool2d : public Layer {
 public:
  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

// What both global pools share: a map in, [N, C, 1, 1] out; cost H*W per channel.
Shape global_pool_output_shape(const NodeSpec& node, const InputShapes& inputs);
std::uint64_t global_pool_cost(const NodeSpec& node, const InputShapes& inputs, const Shape& output);

}  // namespace cnnlens
