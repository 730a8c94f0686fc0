// SGD (dampening 0, optional Nesterov and L2 weight decay), Adam (L2 weight decay) and AdamW
// (decoupled weight decay), matching torch.optim step for step.
#include "cnnlens/optimizer.hpp"

#include <cmath>

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

// Adam: g' = g + wd p; AdamW: p *= 1 - lr wd first and g' = g. Then
// m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2; p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps).
// The bias corrections are computed in double, as PyTorch does with Python floats.
void Optimizer::adam_update(Param& p) const {
  const std::size_t n = p.value.size();
  if (p.momentum.shape() != p.value.shape()) p.momentum = zeros(shape_of(p.value));
  if (p.velocity.shape() != p.value.shape()) p.velocity = zeros(shape_of(p.value));
  const double t = steps_taken_;
  const float step_size = static_cast<float>(spec_.lr / (1.0 - std::pow(spec_.beta1, t)));
  const float correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(spec_.beta2, t)));
  const float beta1 = static_cast<float>(spec_.beta1), one_minus_beta1 = static_cast<float>(1.0 - spec_.beta1);
  const float beta2 = static_cast<float>(spec_.beta2), one_minus_beta2 = static_cast<float>(1.0 - spec_.beta2);
  const float eps = static_cast<float>(spec_.eps);
  const bool decoupled = spec_.type == "adamw";
  const float l2 = decoupled ? 0.0f : static_cast<float>(spec_.weight_decay);
  const float shrink = static_cast<float>(1.0 - spec_.lr * spec_.weight_decay);
  reshape_to(p.delta, p.value.shape());
  for (std::size_t k = 0; k < n; ++k) {
    const float original = p.value.data()[k];
    if (decoupled && spec_.weight_decay != 0.0) p.value.data()[k] = original * shrink;
    const float g = l2 != 0.0f ? p.grad.data()[k] + l2 * original : p.grad.data()[k];
    float& m = p.momentum.data()[k];
    float& v = p.velocity.data()[k];
    m = beta1 * m + one_minus_beta1 * g;
    v = beta2 * v + one_minus_beta2 * g * g;
    const float denom = std::sqrt(v) / correction2_sqrt + eps;
    const float before = p.value.data()[k];
    p.value.data()[k] = before - step_size * m / denom;  // PyTorch: addcdiv(m, denom, -step_size)
    p.delta.data()[k] = p.value.data()[k] - original;
  }
}

}  // namespace cnnlens
