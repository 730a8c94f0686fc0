// dense: fully connected layer (PyTorch's nn.Linear) on [N, in] inputs.
//
// Forward:  y[n] = W x[n] + b, with W [out, in], x [N, in], b [out].
// Backward: with g = dL/dy [N, out]:  dL/dW = sum_n g[n] x[n]^T (outer products),
//           dL/db = sum_n g[n],  dL/dx[n] = W^T g[n].
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& dense_kind();

class Dense : public Layer {
 public:
  Dense(Tensor weight, Tensor bias);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
  bool writes_fresh_gradients() const override { return true; }
};

}  // namespace cnnlens
