// Activation layers; the derivatives are listed in activation.hpp.
#include "cnnlens/layers/activation.hpp"

#include <algorithm>
#include <cmath>

namespace cnnlens {
namespace {

// Applies f to every element of `in`, writing into `out` resized to match.
template <typename F>
void map_into(Tensor& out, const Tensor& in, F f) {
  reshape_to(out, in.shape());
  std::transform(in.begin(), in.end(), out.begin(), f);
}

// out[k] = upstream[k] * local(k) for element-wise layers.
template <typename F>
void chain_into(Tensor& out, const Tensor& upstream, F local) {
  reshape_to(out, upstream.shape());
  for (std::size_t k = 0; k < upstream.size(); ++k) out.data()[k] = upstream.data()[k] * local(k);
}

}  // namespace

void Relu::forward(const Tensor& input) {
  copy_into(input_, input);
  map_into(output_, input_, [](float x) { return x > 0.0f ? x : 0.0f; });
}

void Relu::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const float* x = input_.data();
  chain_into(grad_input_, grad_output_, [x](std::size_t k) { return x[k] > 0.0f ? 1.0f : 0.0f; });
}

void LeakyRelu::forward(const Tensor& input) {
  copy_into(input_, input);
  const float a = negative_slope_;
  map_into(output_, input_, [a](float x) { return x > 0.0f ? x : a * x; });
}

void LeakyRelu::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const float* x = input_.data();
  const float a = negative_slope_;
  chain_into(grad_input_, grad_output_, [x, a](std::size_t k) { return x[k] > 0.0f ? 1.0f : a; });
}

void Sigmoid::forward(const Tensor& input) {
  copy_into(input_, input);
  map_into(output_, input_, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
}

void Sigmoid::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const float* y = output_.data();
  chain_into(grad_input_, grad_output_, [y](std::size_t k) { return y[k] * (1.0f - y[k]); });
}

void Tanh::forward(const Tensor& input) {
  copy_into(input_, input);
  map_into(output_, input_, [](float x) { return std::tanh(x); });
}

void Tanh::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const float* y = output_.data();
  chain_into(grad_input_, grad_output_, [y](std::size_t k) { return 1.0f - y[k] * y[k]; });
}

void Softmax::forward(const Tensor& input) {
  copy_into(input_, input);
  // Subtracting the maximum keeps exp() finite without changing the result.
  const float peak = *std::max_element(input_.begin(), input_.end());
  map_into(output_, input_, [peak](float x) { return std::exp(x - peak); });
  float total = 0.0f;
  for (float e : output_) total += e;
  for (float& e : output_) e /= total;
}

void Softmax::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const float* y = output_.data();
  const float* g = grad_output_.data();
  float dot = 0.0f;
  for (std::size_t k = 0; k < output_.size(); ++k) dot += g[k] * y[k];
  reshape_to(grad_input_, output_.shape());
  for (std::size_t k = 0; k < output_.size(); ++k) grad_input_.data()[k] = y[k] * (g[k] - dot);
}

}  // namespace cnnlens
