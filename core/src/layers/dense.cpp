// Fully connected layer; the derivation is in dense.hpp. Four weight rows at a time with f32x4
// accumulators (kernels/simd.hpp); the backward pass reads each weight row once for both
// dL/dW and dL/dx.
#include "cnnlens/layers/dense.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "cnnlens/kernels/simd.hpp"

namespace cnnlens {

using namespace kernels;

Dense::Dense(Tensor weight, Tensor bias) {
  Tensor weight_grad = zeros(shape_of(weight));
  Tensor bias_grad = zeros(shape_of(bias));
  params_.push_back({"weight", std::move(weight), std::move(weight_grad), {}, {}, {}});
  params_.push_back({"bias", std::move(bias), std::move(bias_grad), {}, {}, {}});
}

namespace {

// y[o] = b[o] + W[o, :] . x for `rows` (1..4) consecutive rows.
template <int R>
void dot_rows(const float* w, const float* x, int ins, const float* b, float* y) {
  f32x4 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = splat4(0.0f);
  int i = 0;
  for (; i + 4 <= ins; i += 4) {
    const f32x4 xv = load4(x + i);
    for (int r = 0; r < R; ++r) acc[r] = madd4(acc[r], load4(w + r * ins + i), xv);
  }
  for (int r = 0; r < R; ++r) {
    float sum = sum4(acc[r]);
    for (int t = i; t < ins; ++t) sum += w[r * ins + t] * x[t];
    y[r] = b[r] + sum;
  }
}

}  // namespace

void Dense::forward(const Tensor& input) {
  copy_into(input_, input);
  const Tensor& w = params_[0].value;
  const int outs = static_cast<int>(w.shape()[0]), ins = static_cast<int>(w.shape()[1]);
  reshape_to(output_, std::array<std::size_t, 1>{std::size_t(outs)});
  const float* x = input_.data();
  const float* wd = w.data();
  const float* b = params_[1].value.data();
  float* y = output_.data();
  int o = 0;
  for (; o + 4 <= outs; o += 4) dot_rows<4>(wd + o * ins, x, ins, b + o, y + o);
  for (; o < outs; ++o) dot_rows<1>(wd + o * ins, x, ins, b + o, y + o);
}

void Dense::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  const Tensor& w = params_[0].value;
  const int outs = static_cast<int>(w.shape()[0]), ins = static_cast<int>(w.shape()[1]);
  reshape_to(grad_input_, std::array<std::size_t, 1>{std::size_t(ins)});
  const float* x = input_.data();
  const float* wd = w.data();
  const float* gy = grad_output_.data();
  float* gw = params_[0].grad.data();
  float* gb = params_[1].grad.data();
  float* gx = grad_input_.data();
  std::fill(gx, gx + ins, 0.0f);
  for (int o = 0; o < outs; ++o) {
    const float upstream = gy[o];
    gb[o] += upstream;
    const f32x4 g = splat4(upstream);
    float* grad_row = gw + o * ins;
    const float* row = wd + o * ins;
    int i = 0;
    for (; i + 4 <= ins; i += 4) {
      store4(grad_row + i, madd4(load4(grad_row + i), g, load4(x + i)));
      store4(gx + i, madd4(load4(gx + i), load4(row + i), g));
    }
    for (; i < ins; ++i) {
      grad_row[i] += upstream * x[i];
      gx[i] += row[i] * upstream;
    }
  }
}

}  // namespace cnnlens
