// gelu: the Gaussian error linear unit (PyTorch's nn.GELU, ONNX Gelu), field approximate.
//   "none": y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2));
//           dy/dx = Phi(x) + x * phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi).
//   "tanh": y = 0.5 x (1 + t), t = tanh(u), u = sqrt(2/pi) (x + 0.044715 x^3);
//           dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& gelu_kind();

}  // namespace cnnlens
