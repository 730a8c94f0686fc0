// Direct-loop convolution; the derivation is in conv2d.hpp. Loops run over output cells and
// kernel taps so forward and the two backward sums share one indexing scheme.
#include <array>

#include "cnnlens/layers/conv2d.hpp"

#include <utility>

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
  const float* x = input_.data();
  const float* w = params_[0].value.data();
  const float* b = params_[1].value.data();
  float* y = output_.data();
  const int kh = g.kernel.h, kw = g.kernel.w;
  for (int o = 0; o < g.out_channels; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        float sum = b[o];
        for (int c = 0; c < g.in_channels; ++c) {
          const float* wk = w + ((o * g.in_channels + c) * kh) * kw;
          const float* xc = x + c * g.in_h * g.in_w;
          for (int i = 0; i < kh; ++i) {
            const int u = g.input_row(r, i);
            if (u < 0 || u >= g.in_h) continue;
            for (int j = 0; j < kw; ++j) {
              const int v = g.input_col(s, j);
              if (v < 0 || v >= g.in_w) continue;
              sum += wk[i * kw + j] * xc[u * g.in_w + v];
            }
          }
        }
        y[(o * g.out_h + r) * g.out_w + s] = sum;
      }
    }
  }
}

void Conv2d::backward(const Tensor& grad_output) {
  const ConvGeometry& g = geometry_;
  copy_into(grad_output_, grad_output);
  reshape_to(grad_input_, input_.shape());
  grad_input_.fill(0.0f);
  const float* x = input_.data();
  const float* w = params_[0].value.data();
  const float* gy = grad_output_.data();
  float* gw = params_[0].grad.data();
  float* gb = params_[1].grad.data();
  float* gx = grad_input_.data();
  const int kh = g.kernel.h, kw = g.kernel.w;
  for (int o = 0; o < g.out_channels; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        const float upstream = gy[(o * g.out_h + r) * g.out_w + s];
        gb[o] += upstream;
        for (int c = 0; c < g.in_channels; ++c) {
          const int kernel_offset = ((o * g.in_channels + c) * kh) * kw;
          const int plane_offset = c * g.in_h * g.in_w;
          for (int i = 0; i < kh; ++i) {
            const int u = g.input_row(r, i);
            if (u < 0 || u >= g.in_h) continue;
            for (int j = 0; j < kw; ++j) {
              const int v = g.input_col(s, j);
              if (v < 0 || v >= g.in_w) continue;
              const int xi = plane_offset + u * g.in_w + v;
              const int wi = kernel_offset + i * kw + j;
              gw[wi] += upstream * x[xi];
              gx[xi] += upstream * w[wi];
            }
          }
        }
      }
    }
  }
}

}  // namespace cnnlens
