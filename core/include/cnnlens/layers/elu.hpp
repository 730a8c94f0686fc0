// elu: y = x if x > 0 else alpha * (e^x - 1)  (PyTorch's nn.ELU, ONNX Elu; alpha default 1).
// dy/dx = 1 if x > 0 else alpha * e^x (= y + alpha); at x = 0 it is alpha, as PyTorch's backward.
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& elu_kind();

}  // namespace cnnlens
