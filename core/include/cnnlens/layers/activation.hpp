// Activations as their own layers, element-wise except softmax. Each backward multiplies the
// upstream gradient by the local derivative, written in terms of the cached input or output:
//   relu:       y = max(0, x)            dy/dx = 1 if x > 0 else 0 (0 at x = 0, as PyTorch)
//   leaky_relu: y = x if x > 0 else a*x  dy/dx = 1 if x > 0 else a
//   sigmoid:    y = 1 / (1 + e^-x)       dy/dx = y (1 - y)
//   tanh:       y = tanh(x)              dy/dx = 1 - y^2
//   softmax:    y_i = e^x_i / sum e^x_j  dL/dx_i = y_i (g_i - sum_j g_j y_j)   (1-D input)
#pragma once

#include "cnnlens/layer.hpp"

namespace cnnlens {

class Relu : public Layer {
 public:
  const char* type() const override { return "relu"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;
};

class LeakyRelu : public Layer {
 public:
  explicit LeakyRelu(float negative_slope) : negative_slope_(negative_slope) {}
  const char* type() const override { return "leaky_relu"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;

 private:
  float negative_slope_;
};

class Sigmoid : public Layer {
 public:
  const char* type() const override { return "sigmoid"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;
};

class Tanh : public Layer {
 public:
  const char* type() const override { return "tanh"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;
};

class Softmax : public Layer {
 public:
  const char* type() const override { return "softmax"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;
};

}  // namespace cnnlens
