// Flatten ("tiling"): [C, H, W] -> [C*H*W] in row-major order; backward reshapes the gradient back.
#pragma once

#include "cnnlens/layer.hpp"

namespace cnnlens {

class Flatten : public Layer {
 public:
  const char* type() const override { return "flatten"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;
};

}  // namespace cnnlens
