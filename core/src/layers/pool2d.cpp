// Max and average pooling; the rules are in pool2d.hpp.
#include "cnnlens/layers/pool2d.hpp"

namespace cnnlens {
namespace {

std::array<std::size_t, 3> pooled_shape(const PoolGeometry& g) {
  return {std::size_t(g.channels), std::size_t(g.out_h), std::size_t(g.out_w)};
}

}  // namespace

void MaxPool2d::forward(const Tensor& input) {
  const PoolGeometry& g = geometry_;
  copy_into(input_, input);
  reshape_to(output_, pooled_shape(g));
  reshape_to(argmax_, pooled_shape(g));
  const float* x = input_.data();
  float* y = output_.data();
  float* winner = argmax_.data();
  for (int c = 0; c < g.channels; ++c) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        int best = -1;
        for (int i = 0; i < g.kernel.h; ++i) {
          for (int j = 0; j < g.kernel.w; ++j) {
            const int index = (c * g.in_h + r * g.stride.h + i) * g.in_w + s * g.stride.w + j;
            if (best < 0 || x[index] > x[best]) best = index;  // strict: first maximum wins
          }
        }
        const int out = (c * g.out_h + r) * g.out_w + s;
        y[out] = x[best];
        winner[out] = static_cast<float>(best);
      }
    }
  }
}

void MaxPool2d::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  reshape_to(grad_input_, input_.shape());
  grad_input_.fill(0.0f);
  const float* gy = grad_output_.data();
  const float* winner = argmax_.data();
  float* gx = grad_input_.data();
  for (std::size_t k = 0; k < grad_output_.size(); ++k) gx[static_cast<std::size_t>(winner[k])] += gy[k];
}

void MaxPool2d::list_caches(std::vector<NamedTensor>& out) const { out.push_back({"argmax", &argmax_}); }

void AvgPool2d::forward(const Tensor& input) {
  const PoolGeometry& g = geometry_;
  copy_into(input_, input);
  reshape_to(output_, pooled_shape(g));
  const float* x = input_.data();
  float* y = output_.data();
  const float inv_area = 1.0f / static_cast<float>(g.kernel.h * g.kernel.w);
  for (int c = 0; c < g.channels; ++c) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        float sum = 0.0f;
        for (int i = 0; i < g.kernel.h; ++i) {
          for (int j = 0; j < g.kernel.w; ++j) {
            sum += x[(c * g.in_h + r * g.stride.h + i) * g.in_w + s * g.stride.w + j];
          }
        }
        y[(c * g.out_h + r) * g.out_w + s] = sum * inv_area;
      }
    }
  }
}

void AvgPool2d::backward(const Tensor& grad_output) {
  const PoolGeometry& g = geometry_;
  copy_into(grad_output_, grad_output);
  reshape_to(grad_input_, input_.shape());
  grad_input_.fill(0.0f);
  const float* gy = grad_output_.data();
  float* gx = grad_input_.data();
  const float inv_area = 1.0f / static_cast<float>(g.kernel.h * g.kernel.w);
  for (int c = 0; c < g.channels; ++c) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        const float share = gy[(c * g.out_h + r) * g.out_w + s] * inv_area;
        for (int i = 0; i < g.kernel.h; ++i) {
          for (int j = 0; j < g.kernel.w; ++j) {
            gx[(c * g.in_h + r * g.stride.h + i) * g.in_w + s * g.stride.w + j] += share;
          }
        }
      }
    }
  }
}

}  // namespace cnnlens
