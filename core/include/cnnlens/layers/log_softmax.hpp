// log_softmax over the features of each sample of an [N, F] input (PyTorch's nn.LogSoftmax(dim=1),
// ONNX LogSoftmax).
//
// Forward:  y_i = x_i - logsumexp(x), logsumexp(x) = m + log sum_j e^(x_j - m), m = max_j x_j
//           (subtracting m keeps exp() finite; y never goes through log(softmax), which underflows).
// Backward: dy_j/dx_i = delta_ij - softmax_i, so dL/dx_i = g_i - softmax_i * sum_j g_j,
//           with softmax_i = e^(y_i) read back from the output.
// Buffers: input [N, F], output [N, F].
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& log_softmax_kind();

class LogSoftmax : public Layer {
 public:
  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
};

}  // namespace cnnlens
