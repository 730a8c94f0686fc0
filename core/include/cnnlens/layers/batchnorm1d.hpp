// batchnorm1d: batch normalisation of each feature of [N, F] over the batch's N values
// (PyTorch's nn.BatchNorm1d on 2-D input; ONNX BatchNormalization).
//
// Forward:  y = gamma_f (x - mu_f) / sqrt(var_f + eps) + beta_f, with mu_f, var_f the batch's mean and
//           biased variance in train mode (running_mean/running_var then move by momentum towards the
//           mean and the UNBIASED variance, unless the pass is a display pass), the running ones in eval mode.
//           Train mode with N == 1 throws SceneError "one_value_per_channel" from forward(), as PyTorch
//           does; a one-sample scene therefore needs eval mode (see batchnorm.hpp).
// Backward: dL/dbeta_f = sum_n g, dL/dgamma_f = sum_n g xhat; eval: dL/dx = g gamma istd;
//           train: dL/dx = gamma istd / N (N g - sum g - xhat sum(g xhat)) (derived in batchnorm.hpp).
// Buffers:  input/output [N, F]; weight, bias, running_mean, running_var (saved), batch_mean, batch_var [F].
#pragma once

#include "cnnlens/layers/batchnorm.hpp"

namespace cnnlens {

const LayerKind& batchnorm1d_kind();

}  // namespace cnnlens
