// Fully connected layer on a 1-D input.
//
// Forward:  y = W x + b, with W [out, in], x [in], b [out].
// Backward: with g = dL/dy:  dL/dW = g x^T (outer product),  dL/db = g,  dL/dx = W^T g.
#pragma once

#include "cnnlens/layer.hpp"

namespace cnnlens {

class Dense : public Layer {
 public:
  Dense(Tensor weight, Tensor bias);

  const char* type() const override { return "dense"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;
};

}  // namespace cnnlens
