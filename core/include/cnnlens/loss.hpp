// Losses as pure value/gradient pairs on the network's last output [N, ...], averaged over the
// batch (PyTorch's mean reduction). Per sample, with F output values:
//   mse:            L_n = (1/F) sum (y - t)^2        dL/dy = 2 (y - t) / (F N)
//   cross_entropy:  L_n = logsumexp(z) - z_k         dL/dz = (softmax(z) - onehot(k)) / N
// and L = (1/N) sum_n L_n.
#pragma once

#include <vector>

#include "cnnlens/tensor.hpp"

namespace cnnlens {

// Both return the batch mean, write each sample's loss into `losses` and dL/d(output) into `grad`
// (resized to the output's shape). `target` holds N*F values; `classes` N class indices.
// `batch`: how many samples the gradient averages over (0: the output's own N; more when a batch
// runs in chunks); `total`, if given, has each sample's loss added to it in order, in double (so a batch run in
// chunks sums exactly as one pass does).
float mse_loss(const Tensor& output, const float* target, Tensor& grad, std::vector<float>& losses,
               std::size_t batch = 0, double* total = nullptr);
float cross_entropy_loss(const Tensor& logits, const int* classes, Tensor& grad, std::vector<float>& losses,
                         std::size_t batch = 0, double* total = nullptr);

// One sample's cross-entropy from its F logits (no gradient), for evaluation.
double cross_entropy_value(const float* logits, std::size_t count, int target_class);

}  // namespace cnnlens
