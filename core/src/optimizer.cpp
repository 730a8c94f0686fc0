// SGD (dampening 0, optional Nesterov and L2 weight decay), Adam (L2 weight decay) and AdamW
// (decoupled weight decay), matching torch.optim step for step.
#include "cnnlens/optimizer.hpp"

#include <cmath>

#include "cnnlens/kernels/simd.hpp"

namespace cnnlens {

void Optimizer::set_spec(const OptimizerSpec& spec, std::vector<Param*>& params) {
  const bool same_kind = spec.type == spec_.type;
  spec_ = spec;
  rule_ = rule_of(spec);
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

// Two sweeps over every parameter: the first only asks whether the update would leave every
// value finite, the second writes it. A diverging step is refused before anything changes, so no
// copy of the parameters and their moments has to be kept on the side for undoing it: the copy,
// the update and a check after it read and wrote the largest weights (a dense layer's) three
// times a step. The second sweep computes exactly what the first one checked.
bool Optimizer::step_if_finite(std::vector<Param*>& params) {
  const int step = steps_taken_ + 1;
  for (Param* p : params) {
    if (!update(*p, step, false)) return false;
  }
  for (Param* p : params) update(*p, step, true);
  steps_taken_ = step;
  return true;
}

namespace {

using kernels::f32x4;

// The arrays one update reads and writes; m and v are null where the rule has none yet (zeros).
struct Sweep {
  float* value;
  const float* grad;
  float* m;
  float* v;
  float* delta;
};

// One block of four: the rule's new value, moments and change; with Commit, stored (the moments
// only where the parameter keeps them, HasM / HasV), without, marked: x * 0 is NaN exactly where
// x is infinite or NaN, so the sum of the marks tells whether every new value is finite.
template <bool Commit, bool HasM, bool HasV, typename Rule>
inline void block4(const Sweep& a, std::size_t k, Rule& rule, f32x4& marks) {
  using namespace kernels;
  const f32x4 zero = splat4(0.0f);
  const f32x4 before = load4(a.value + k);
  f32x4 m1 = zero, v1 = zero;
  const f32x4 after = rule(before, load4(a.grad + k), HasM ? load4(a.m + k) : zero, HasV ? load4(a.v + k) : zero, m1, v1);
  if constexpr (Commit) {
    store4(a.value + k, after);
    if constexpr (HasM) store4(a.m + k, m1);
    if constexpr (HasV) store4(a.v + k, v1);
    store4(a.delta + k, sub4(after, before));
  } else {
    marks = add4(marks, mul4(after, zero));
  }
}

// Runs `rule` over n values four at a time; returns whether every new value is finite (always
// true with Commit, which does not look). The last 1-3 values go through the same rule in a block
// padded with zeros, whose padding lanes are never checked or stored.
template <bool Commit, bool HasM, bool HasV, typename Rule>
bool sweep_values(const Sweep& a, std::size_t n, Rule& rule) {
  using namespace kernels;
  f32x4 marks = splat4(0.0f);
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) block4<Commit, HasM, HasV>(a, k, rule, marks);
  float rest = 0.0f;
  if (k < n) {
    float tail[5][4] = {};  // value, grad, m, v, delta
    const std::size_t lanes = n - k;
    for (std::size_t j = 0; j < lanes; ++j) {
      tail[0][j] = a.value[k + j];
      tail[1][j] = a.grad[k + j];
      if (HasM) tail[2][j] = a.m[k + j];
      if (HasV) tail[3][j] = a.v[k + j];
    }
    f32x4 tail_marks = splat4(0.0f);
    block4<true, HasM, HasV>(Sweep{tail[0], tail[1], tail[2], tail[3], tail[4]}, 0, rule, tail_marks);
    for (std::size_t j = 0; j < lanes; ++j) {
      if (!Commit) {
        rest += tail[0][j] * 0.0f;
        continue;
      }
      a.value[k + j] = tail[0][j];
      if (HasM) a.m[k + j] = tail[2][j];
      if (HasV) a.v[k + j] = tail[3][j];
      a.delta[k + j] = tail[4][j];
    }
  }
  return !std::isnan(sum4(marks) + rest);
}

// Runs `rule` over a parameter: rule(before, grad, m, v, m1, v1) returns the new value and sets
// the new moments. With `commit`, stores the value, the moments the parameter keeps and the
// change into delta; without, stores nothing and returns whether every new value is finite.
template <typename Rule>
bool sweep(Param& p, bool commit, Rule rule) {
  const std::size_t n = p.value.size();
  // By shape, not size: a state not started yet is a default tensor, whose size is 1.
  float* m = p.momentum.shape() == p.value.shape() ? p.momentum.data() : nullptr;
  float* v = p.velocity.shape() == p.value.shape() ? p.velocity.data() : nullptr;
  const Sweep a{p.value.data(), p.grad.data(), m, v, commit ? p.delta.data() : nullptr};
  if (commit) {
    if (m && v) return sweep_values<true, true, true>(a, n, rule);
    if (m) return sweep_values<true, true, false>(a, n, rule);
    return sweep_values<true, false, false>(a, n, rule);
  }
  if (m && v) return sweep_values<false, true, true>(a, n, rule);
  if (m) return sweep_values<false, true, false>(a, n, rule);
  return sweep_values<false, false, false>(a, n, rule);
}

}  // namespace

bool Optimizer::update(Param& p, int step, bool commit) const {
  if (commit) reshape_to(p.delta, p.value.shape());
  return rule_ == Rule::kSgd ? sgd_update(p, commit) : adam_update(p, step, commit);
}

// g' = g + wd p;  v = momentum * v + g' (v = g' on the first step);  d = g' + momentum * v with
// Nesterov, else v (or g' without momentum);  p' = p - lr * d.
bool Optimizer::sgd_update(Param& p, bool commit) const {
  using namespace kernels;
  const bool use_momentum = spec_.momentum != 0.0;
  const bool first = use_momentum && p.momentum.shape() != p.value.shape();
  if (commit && first) p.momentum = zeros(shape_of(p.value));
  const bool nesterov = spec_.nesterov;
  const bool add_decay = spec_.weight_decay != 0.0;
  const f32x4 lr = splat4(static_cast<float>(spec_.lr));
  const f32x4 momentum = splat4(static_cast<float>(spec_.momentum));
  const f32x4 decay = splat4(static_cast<float>(spec_.weight_decay));
  // PyTorch adds the decay to a copy of the gradient; the parameter's own grad is not changed.
  // Moments the rule does not use pass through unchanged (a velocity kept from when momentum was on).
  return sweep(p, commit, [&](f32x4 before, f32x4 grad, f32x4 m, f32x4 v, f32x4& m1, f32x4& v1) {
    const f32x4 g = add_decay ? add4(grad, mul4(decay, before)) : grad;
    v1 = v;
    m1 = m;
    if (!use_momentum) return sub4(before, mul4(lr, g));
    m1 = first ? g : add4(mul4(momentum, m), g);
    const f32x4 direction = nesterov ? add4(g, mul4(momentum, m1)) : m1;
    return sub4(before, mul4(lr, direction));
  });
}

// Adam: g' = g + wd p; AdamW: p *= 1 - lr wd first and g' = g. Then
//   m = b1 m + (1-b1) g';  v = b2 v + ((1-b2) g') g';
//   p' = p - (step_size m) / (sqrt(v) / sqrt(1-b2^t) + eps),  step_size = lr / (1-b1^t).
// The bias corrections are computed in double, as PyTorch does with Python floats. Lane by lane
// the scalar rule, operation for operation (SIMD128 has no fused multiply-add, and its add, mul,
// div and sqrt round like their scalar twins), so the result is the same, bit for bit, as one
// parameter at a time. m and v start at zero.
bool Optimizer::adam_update(Param& p, int step, bool commit) const {
  using namespace kernels;
  if (commit && p.momentum.shape() != p.value.shape()) p.momentum = zeros(shape_of(p.value));
  if (commit && p.velocity.shape() != p.value.shape()) p.velocity = zeros(shape_of(p.value));
  const double t = step;
  const bool decoupled = rule_ == Rule::kAdamW;
  const f32x4 step_size = splat4(static_cast<float>(spec_.lr / (1.0 - std::pow(spec_.beta1, t))));
  const f32x4 correction2_sqrt = splat4(static_cast<float>(std::sqrt(1.0 - std::pow(spec_.beta2, t))));
  const f32x4 beta1 = splat4(static_cast<float>(spec_.beta1));
  const f32x4 one_minus_beta1 = splat4(static_cast<float>(1.0 - spec_.beta1));
  const f32x4 beta2 = splat4(static_cast<float>(spec_.beta2));
  const f32x4 one_minus_beta2 = splat4(static_cast<float>(1.0 - spec_.beta2));
  const f32x4 eps = splat4(static_cast<float>(spec_.eps));
  const float l2_scalar = decoupled ? 0.0f : static_cast<float>(spec_.weight_decay);
  const f32x4 l2 = splat4(l2_scalar);
  const f32x4 shrink = splat4(static_cast<float>(1.0 - spec_.lr * spec_.weight_decay));
  const bool shrink_first = decoupled && spec_.weight_decay != 0.0;  // AdamW: p shrinks first
  const bool add_l2 = l2_scalar != 0.0f;                            // Adam: g' = g + wd p
  return sweep(p, commit, [&](f32x4 original, f32x4 grad, f32x4 m, f32x4 v, f32x4& m1, f32x4& v1) {
    const f32x4 before = shrink_first ? mul4(original, shrink) : original;
    const f32x4 g = add_l2 ? add4(grad, mul4(l2, original)) : grad;
    m1 = add4(mul4(beta1, m), mul4(one_minus_beta1, g));
    v1 = add4(mul4(beta2, v), mul4(mul4(one_minus_beta2, g), g));
    const f32x4 denom = add4(div4(sqrt4(v1), correction2_sqrt), eps);
    return sub4(before, div4(mul4(step_size, m1), denom));
  });
}

}  // namespace cnnlens
