// Losses as pure value/gradient pairs on the network's last output.
//   mse:            L = (1/N) sum (y - t)^2            dL/dy = 2 (y - t) / N
//   cross_entropy:  L = logsumexp(z) - z_k             dL/dz = softmax(z) - onehot(k)
#pragma once

#include <vector>

#include "cnnlens/tensor.hpp"

namespace cnnlens {

// Both return the loss and write dL/d(output) into `grad` (resized to the output's shape).
float mse_loss(const Tensor& output, const std::vector<float>& target, Tensor& grad);
float cross_entropy_loss(const Tensor& logits, int target_class, Tensor& grad);

}  // namespace cnnlens
