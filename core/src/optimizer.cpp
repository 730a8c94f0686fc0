// SGD (dampening 0, optional Nesterov and L2 weight decay), Adam (L2 weight decay) and AdamW
// (decoupled weight decay), matching torch.optim step for step.
#include "cnnlens/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "cnnlens/kernels/simd.hpp"

namespace cnnlens {

void Optimizer::set_spec(const OptimizerSpec& spec, std::vector<Param*>& params) {
  const bool same_kind = spec.type == spec_.type;
  spec_ = spec;
  if (!same_kind) reset(params);
}

void Optimizer::reset(std::vector<Param*>& params) {
  steps_taken_ = 0;
  for (Param* p : params) {
    p->momentum = Tensor();
    p->velocity = Tensor();
    p->delta = Tensor();
  }
}

void Optimizer::step(std::vector<Param*>& params) {
  ++steps_taken_;
  const bool adam = spec_.type == "adam" || spec_.type == "adamw";
  for (Param* p : params) {
    if (adam) {
      adam_update(*p);
    } else {
      sgd_update(*p);
    }
  }
}

// g' = g + wd p;  v = momentum * v + g' (v = g' on the first step);  d = g' + momentum * v with
// Nesterov, else v (or g' without momentum);  p -= lr * d.
void Optimizer::sgd_update(Param& p) const {
  const std::size_t n = p.value.size();
  const bool use_momentum = spec_.momentum != 0.0;
  const float momentum = static_cast<float>(spec_.momentum);
  const float lr = static_cast<float>(spec_.lr);
  const float decay = static_cast<float>(spec_.weight_decay);
  const float* grad = p.grad.data();
  if (decay != 0.0f) {
    // PyTorch adds the decay to a copy of the gradient; the parameter's own grad is not changed.
    reshape_to(decayed_, p.value.shape());
    for (std::size_t k = 0; k < n; ++k) decayed_.data()[k] = grad[k] + decay * p.value.data()[k];
    grad = decayed_.data();
  }
  if (use_momentum && p.momentum.shape() != p.value.shape()) {
    p.momentum = Tensor::from_shape(p.value.shape());
    std::copy(grad, grad + n, p.momentum.data());
  } else if (use_momentum) {
    for (std::size_t k = 0; k < n; ++k) p.momentum.data()[k] = momentum * p.momentum.data()[k] + grad[k];
  }
  reshape_to(p.delta, p.value.shape());
  float* value = p.value.data();
  float* delta = p.delta.data();
  const float* velocity = p.momentum.data();
  // One loop per rule, chosen once: the branch stays out of the per-element work.
  const auto descend = [&](auto direction) {
    for (std::size_t k = 0; k < n; ++k) {
      const float before = value[k];
      value[k] = before - lr * direction(k);
      delta[k] = value[k] - before;
    }
  };
  if (!use_momentum) {
    descend([&](std::size_t k) { return grad[k]; });
  } else if (spec_.nesterov) {
    descend([&](std::size_t k) { return grad[k] + momentum * velocity[k]; });
  } else {
    descend([&](std::size_t k) { return velocity[k]; });
  }
}

namespace {

// One Adam step's constants as the update uses them, each splat across four lanes.
struct AdamStep {
  kernels::f32x4 step_size, correction2_sqrt, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, l2, shrink;
  bool shrink_first;  // AdamW with weight decay: the parameter shrinks before the update
  bool add_l2;        // Adam with weight decay: the gradient gains wd * p
};

// Four parameters at once: lane by lane the scalar rule below, operation for operation (SIMD128
// has no fused multiply-add, and its add, mul, div and sqrt round like their scalar twins), so
// the result is the same, bit for bit, as one parameter at a time.
//   g' = g (+ wd p);  m = b1 m + (1-b1) g';  v = b2 v + ((1-b2) g') g';
//   p' = p (* (1 - lr wd)) - (step_size m) / (sqrt(v) / sqrt(1-b2^t) + eps);  delta = p' - p.
inline void adam4(const AdamStep& a, float* value, const float* grad, float* m, float* v, float* delta) {
  using namespace kernels;
  const f32x4 original = load4(value);
  const f32x4 before = a.shrink_first ? mul4(original, a.shrink) : original;
  const f32x4 g = a.add_l2 ? add4(load4(grad), mul4(a.l2, original)) : load4(grad);
  const f32x4 m1 = add4(mul4(a.beta1, load4(m)), mul4(a.one_minus_beta1, g));
  const f32x4 v1 = add4(mul4(a.beta2, load4(v)), mul4(mul4(a.one_minus_beta2, g), g));
  const f32x4 denom = add4(div4(sqrt4(v1), a.correction2_sqrt), a.eps);
  const f32x4 after = sub4(before, div4(mul4(a.step_size, m1), denom));
  store4(m, m1);
  store4(v, v1);
  store4(value, after);
  store4(delta, sub4(after, original));
}

}  // namespace

// Adam: g' = g + wd p; AdamW: p *= 1 - lr wd first and g' = g. Then
// m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2; p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps).
// The bias corrections are computed in double, as PyTorch does with Python floats. Four
// parameters at a time (adam4); the last 1-3 go through the same rule in a padded block of four.
void Optimizer::adam_update(Param& p) const {
  using kernels::splat4;
  const std::size_t n = p.value.size();
  if (p.momentum.shape() != p.value.shape()) p.momentum = zeros(shape_of(p.value));
  if (p.velocity.shape() != p.value.shape()) p.velocity = zeros(shape_of(p.value));
  reshape_to(p.delta, p.value.shape());
  const double t = steps_taken_;
  const bool decoupled = spec_.type == "adamw";
  const float l2 = decoupled ? 0.0f : static_cast<float>(spec_.weight_decay);
  AdamStep a;
  a.step_size = splat4(static_cast<float>(spec_.lr / (1.0 - std::pow(spec_.beta1, t))));
  a.correction2_sqrt = splat4(static_cast<float>(std::sqrt(1.0 - std::pow(spec_.beta2, t))));
  a.beta1 = splat4(static_cast<float>(spec_.beta1));
  a.one_minus_beta1 = splat4(static_cast<float>(1.0 - spec_.beta1));
  a.beta2 = splat4(static_cast<float>(spec_.beta2));
  a.one_minus_beta2 = splat4(static_cast<float>(1.0 - spec_.beta2));
  a.eps = splat4(static_cast<float>(spec_.eps));
  a.l2 = splat4(l2);
  a.shrink = splat4(static_cast<float>(1.0 - spec_.lr * spec_.weight_decay));
  a.shrink_first = decoupled && spec_.weight_decay != 0.0;
  a.add_l2 = l2 != 0.0f;
  float* value = p.value.data();
  const float* grad = p.grad.data();
  float* m = p.momentum.data();
  float* v = p.velocity.data();
  float* delta = p.delta.data();
  // one call site, so adam4 is inlined once: the last 1-3 values go through it in a padded block
  float block[5][4] = {};  // value, grad, m, v, delta; the lanes past the tensor's end stay zero
  for (std::size_t k = 0; k < n; k += 4) {
    const std::size_t lanes = std::min<std::size_t>(4, n - k);
    const bool whole = lanes == 4;
    for (std::size_t j = 0; !whole && j < lanes; ++j) {
      block[0][j] = value[k + j];
      block[1][j] = grad[k + j];
      block[2][j] = m[k + j];
      block[3][j] = v[k + j];
    }
    adam4(a, whole ? value + k : block[0], whole ? grad + k : block[1], whole ? m + k : block[2],
          whole ? v + k : block[3], whole ? delta + k : block[4]);
    for (std::size_t j = 0; !whole && j < lanes; ++j) {
      value[k + j] = block[0][j];
      m[k + j] = block[2][j];
      v[k + j] = block[3][j];
      delta[k + j] = block[4][j];
    }
  }
}

}  // namespace cnnlens
