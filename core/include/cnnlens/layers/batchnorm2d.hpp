// batchnorm2d: batch normalisation of each channel of [N, C, H, W] over its N*H*W values
// (PyTorch's nn.BatchNorm2d; ONNX BatchNormalization in eval mode).
//
// Forward:  y = gamma_c (x - mu_c) / sqrt(var_c + eps) + beta_c, with mu_c, var_c the batch's mean and
//           biased variance in train mode (running_mean/running_var then move by momentum towards the
//           mean and the UNBIASED variance, unless the pass is a display pass), the running ones in eval mode.
//           Train mode with N*H*W == 1 throws SceneError "one_value_per_channel" from forward():
//           the shape rule cannot know the mode (see batchnorm.hpp).
// Backward: dL/dbeta_c = sum g, dL/dgamma_c = sum g xhat; eval: dL/dx = g gamma istd;
//           train: dL/dx = gamma istd / m (m g - sum g - xhat sum(g xhat)), m = N*H*W (derived in batchnorm.hpp).
// Buffers:  input/output [N, C, H, W]; weight, bias, running_mean, running_var (saved), batch_mean, batch_var [C].
#pragma once

#include "cnnlens/layers/batchnorm.hpp"

namespace cnnlens {

const LayerKind& batchnorm2d_kind();

}  // namespace cnnlens
