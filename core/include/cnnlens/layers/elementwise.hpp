// What every element-wise activation shares: y = f(x) cell by cell, and the chain rule
// dL/dx = dL/dy * f'(x) with f' written in terms of x or y, whichever is cheaper. Each activation
// kind is a Rule (its own file pair) plugged into this one layer template.
#pragma once

#include <memory>

#include "cnnlens/kind.hpp"

namespace cnnlens {

// Any element-wise activation, seen without its rule: the explanations read f and f' through it.
class ElementwiseLayer : public Layer {
 public:
  virtual float value_at(float x) const = 0;
  virtual float slope_at(float x, float y) const = 0;  // f'(x), given y = f(x)
};

// Rule: `float value(float x) const` and `float slope(float x, float y) const` (= f'(x)).
template <typename Rule>
class Elementwise : public ElementwiseLayer {
 public:
  explicit Elementwise(Rule rule) : rule_(rule) {}

  float value_at(float x) const override { return rule_.value(x); }
  float slope_at(float x, float y) const override { return rule_.slope(x, y); }

  void forward(const Inputs& inputs, Tensor& output, const RunContext&) override {
    const Tensor& x = *inputs[0];
    reshape_to(output, x.shape());
    const float* in = x.data();
    float* out = output.data();
    for (std::size_t k = 0, n = x.size(); k < n; ++k) out[k] = rule_.value(in[k]);
  }

  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override {
    if (grad_inputs[0] == nullptr) return;
    const float* x = inputs[0]->data();
    const float* y = output.data();
    const float* g = grad_output.data();
    float* gx = grad_inputs[0]->data();
    const std::size_t n = output.size();
    if (context.fresh_grad_inputs & 1u) {
      // 0 + term, not term: a zero slope times a negative gradient is -0, and adding keeps +0
      for (std::size_t k = 0; k < n; ++k) gx[k] = 0.0f + g[k] * rule_.slope(x[k], y[k]);
    } else {
      for (std::size_t k = 0; k < n; ++k) gx[k] += g[k] * rule_.slope(x[k], y[k]);
    }
  }

  bool writes_fresh_gradients() const override { return true; }

  const Rule& rule() const { return rule_; }

 private:
  Rule rule_;
};

// A kind for an element-wise activation: one input, the output shaped like it.
inline LayerKind elementwise_kind(const char* type, const char* title, const char* pytorch, const char* onnx) {
  LayerKind k;
  k.type = type;
  k.title = title;
  k.pytorch = pytorch;
  k.onnx = onnx;
  k.help_key = "";
  k.elementwise = true;
  k.output_shape = same_shape;
  return k;
}

}  // namespace cnnlens
