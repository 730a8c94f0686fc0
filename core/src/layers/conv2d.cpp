// Convolution through im2col and register-blocked matrix products (kernels/conv.hpp); the
// derivation is in conv2d.hpp. The direct-loop form of the same sums is
// kernels/reference_conv.cpp, which the tests compare this against.
#include "cnnlens/layers/conv2d.hpp"

#include <array>
#include <utility>

#include "cnnlens/kernels/conv.hpp"

namespace cnnlens {

Conv2d::Conv2d(const ConvGeometry& geometry, Tensor weight, Tensor bias) : geometry_(geometry) {
  Tensor weight_grad = zeros(shape_of(weight));
  Tensor bias_grad = zeros(shape_of(bias));
  params_.push_back({"weight", std::move(weight), std::move(weight_grad), {}, {}, {}});
  params_.push_back({"bias", std::move(bias), std::move(bias_grad), {}, {}, {}});
}

void Conv2d::forward(const Tensor& input) {
  const ConvGeometry& g = geometry_;
  copy_into(input_, input);
  reshape_to(output_, std::array<std::size_t, 3>{std::size_t(g.out_channels), std::size_t(g.out_h), std::size_t(g.out_w)});
  columns_.resize(kernels::conv_taps(g) * kernels::conv_cells(g));  // no-op after the first call
  kernels::conv2d_forward(g, input_.data(), params_[0].value.data(), params_[1].value.data(), output_.data(),
                          columns_.data());
}

// Uses columns_ from the last forward(), which is always im2col(input_): both change only there.
void Conv2d::backward(const Tensor& grad_output) {
  const ConvGeometry& g = geometry_;
  copy_into(grad_output_, grad_output);
  reshape_to(grad_input_, input_.shape());
  weight_t_.resize(kernels::conv_taps(g) * std::size_t(g.out_channels));
  grad_columns_.resize(columns_.size());
  kernels::conv2d_backward(g, columns_.data(), params_[0].value.data(), grad_output_.data(), params_[0].grad.data(),
                           params_[1].grad.data(), grad_input_.data(), weight_t_.data(), grad_columns_.data());
}

}  // namespace cnnlens
