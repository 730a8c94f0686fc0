// Fully connected layer; the derivation is in dense.hpp.
#include <array>

#include "cnnlens/layers/dense.hpp"

#include <utility>

namespace cnnlens {

Dense::Dense(Tensor weight, Tensor bias) {
  Tensor weight_grad = zeros(shape_of(weight));
  Tensor bias_grad = zeros(shape_of(bias));
  params_.push_back({"weight", std::move(weight), std::move(weight_grad), {}, {}, {}});
  params_.push_back({"bias", std::move(bias), std::move(bias_grad), {}, {}, {}});
}

void Dense::forward(const Tensor& input) {
  copy_into(input_, input);
  const Tensor& w = params_[0].value;
  const std::size_t outs = w.shape()[0], ins = w.shape()[1];
  reshape_to(output_, std::array<std::size_t, 1>{outs});
  const float* x = input_.data();
  const float* wd = w.data();
  const float* b = params_[1].value.data();
  float* y = output_.data();
  for (std::size_t o = 0; o < outs; ++o) {
    float sum = b[o];
    const float* row = wd + o * ins;
    for (std::size_t i = 0; i < ins; ++i) sum += row[i] * x[i];
    y[o] = sum;
  }
}

void Dense::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const Tensor& w = params_[0].value;
  const std::size_t outs = w.shape()[0], ins = w.shape()[1];
  reshape_to(grad_input_, std::array<std::size_t, 1>{ins});
  grad_input_.fill(0.0f);
  const float* x = input_.data();
  const float* wd = w.data();
  const float* gy = grad_output_.data();
  float* gw = params_[0].grad.data();
  float* gb = params_[1].grad.data();
  float* gx = grad_input_.data();
  for (std::size_t o = 0; o < outs; ++o) {
    const float upstream = gy[o];
    gb[o] += upstream;
    float* grad_row = gw + o * ins;
    const float* row = wd + o * ins;
    for (std::size_t i = 0; i < ins; ++i) {
      grad_row[i] += upstream * x[i];
      gx[i] += row[i] * upstream;
    }
  }
}

}  // namespace cnnlens
