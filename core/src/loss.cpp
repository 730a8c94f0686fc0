// Loss values are accumulated in double so the reported number does not depend on the order of
// a float sum; gradients are float like every other tensor.
#include "cnnlens/loss.hpp"

#include <algorithm>
#include <cmath>

namespace cnnlens {

float mse_loss(const Tensor& output, const float* target, Tensor& grad, std::vector<float>& losses, std::size_t batch,
               double* total_out) {
  const std::size_t n = output.shape()[0], f = output.size() / n;
  reshape_to(grad, output.shape());
  losses.resize(n);
  const float scale = static_cast<float>(f * (batch != 0 ? batch : n));
  double batch_total = 0.0;
  for (std::size_t s = 0; s < n; ++s) {
    double total = 0.0;
    for (std::size_t k = s * f; k < (s + 1) * f; ++k) {
      const float diff = output.data()[k] - target[k];
      total += static_cast<double>(diff) * diff;
      grad.data()[k] = 2.0f * diff / scale;
    }
    losses[s] = static_cast<float>(total / static_cast<double>(f));
    batch_total += total / static_cast<double>(f);
    if (total_out != nullptr) *total_out += total / static_cast<double>(f);
  }
  return static_cast<float>(batch_total / static_cast<double>(n));
}

double cross_entropy_value(const float* z, std::size_t count, int target_class) {
  const float peak = *std::max_element(z, z + count);
  double sum_exp = 0.0;
  for (std::size_t k = 0; k < count; ++k) sum_exp += std::exp(static_cast<double>(z[k] - peak));
  return std::log(sum_exp) + peak - z[target_class];
}

float cross_entropy_loss(const Tensor& logits, const int* classes, Tensor& grad, std::vector<float>& losses,
                         std::size_t batch, double* total_out) {
  const std::size_t n = logits.shape()[0], f = logits.size() / n;
  reshape_to(grad, logits.shape());
  losses.resize(n);
  const float scale = static_cast<float>(batch != 0 ? batch : n);
  double batch_total = 0.0;
  for (std::size_t s = 0; s < n; ++s) {
    const float* z = logits.data() + s * f;
    const float peak = *std::max_element(z, z + f);
    double sum_exp = 0.0;
    for (std::size_t k = 0; k < f; ++k) sum_exp += std::exp(static_cast<double>(z[k] - peak));
    const double log_sum_exp = std::log(sum_exp) + peak;
    for (std::size_t k = 0; k < f; ++k) {
      const double p = std::exp(static_cast<double>(z[k]) - log_sum_exp);
      grad.data()[s * f + k] = (static_cast<float>(p) - (static_cast<int>(k) == classes[s] ? 1.0f : 0.0f)) / scale;
    }
    const double loss = log_sum_exp - z[classes[s]];
    losses[s] = static_cast<float>(loss);
    batch_total += loss;
    if (total_out != nullptr) *total_out += loss;
  }
  return static_cast<float>(batch_total / static_cast<double>(n));
}

}  // namespace cnnlens
