// Max and average pooling over each channel of a [C, H, W] sample (no padding, floor mode).
//
// Max:     y[c, r, s] = max of the window; dL/dx gets g[c, r, s] at the window's first maximum
//          in row-major order (PyTorch's choice), 0 elsewhere. "argmax" keeps, for each output
//          cell, the flat input index that won, so the page can show the routing.
// Average: y[c, r, s] = mean of the window; dL/dx[c, u, v] = sum over windows containing (u, v)
//          of g[c, r, s] / (kh * kw).
#pragma once

#include "cnnlens/layer.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {

struct PoolGeometry {
  int channels, in_h, in_w, out_h, out_w;
  Pair kernel, stride;
};

class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(const PoolGeometry& geometry) : geometry_(geometry) {}

  const char* type() const override { return "maxpool2d"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;

  const PoolGeometry& geometry() const { return geometry_; }
  const Tensor& argmax() const { return argmax_; }

 protected:
  void list_caches(std::vector<NamedTensor>& out) const override;

 private:
  PoolGeometry geometry_;
  Tensor argmax_;  // [C, H', W'], flat input index of each window's winner (exact below 2^24)
};

class AvgPool2d : public Layer {
 public:
  explicit AvgPool2d(const PoolGeometry& geometry) : geometry_(geometry) {}

  const char* type() const override { return "avgpool2d"; }
  void forward(const Tensor& input) override;
  void backward(const Tensor& grad_output) override;

  const PoolGeometry& geometry() const { return geometry_; }

 private:
  PoolGeometry geometry_;
};

}  // namespace cnnlens
