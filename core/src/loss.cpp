// Loss values are accumulated in double so the reported number does not depend on the order of
// a float sum; gradients are float like every other tensor.
#include "cnnlens/loss.hpp"

#include <algorithm>
#include <cmath>

namespace cnnlens {

float mse_loss(const Tensor& output, const std::vector<float>& target, Tensor& grad) {
  const std::size_t n = output.size();
  reshape_to(grad, output.shape());
  double total = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const float diff = output.data()[k] - target[k];
    total += static_cast<double>(diff) * diff;
    grad.data()[k] = 2.0f * diff / static_cast<float>(n);
  }
  return static_cast<float>(total / static_cast<double>(n));
}

float cross_entropy_loss(const Tensor& logits, int target_class, Tensor& grad) {
  const float* z = logits.data();
  const std::size_t n = logits.size();
  const float peak = *std::max_element(logits.begin(), logits.end());
  double sum_exp = 0.0;
  for (std::size_t k = 0; k < n; ++k) sum_exp += std::exp(static_cast<double>(z[k] - peak));
  const double log_sum_exp = std::log(sum_exp) + peak;
  reshape_to(grad, logits.shape());
  for (std::size_t k = 0; k < n; ++k) {
    const double p = std::exp(static_cast<double>(z[k]) - log_sum_exp);
    grad.data()[k] = static_cast<float>(p) - (static_cast<int>(k) == target_class ? 1.0f : 0.0f);
  }
  return static_cast<float>(log_sum_exp - z[target_class]);
}

}  // namespace cnnlens
