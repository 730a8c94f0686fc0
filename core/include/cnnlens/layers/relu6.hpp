// relu6: y = min(max(0, x), 6)  (PyTorch's nn.ReLU6 = hardtanh(0, 6); ONNX Clip(0, 6)).
// dy/dx = 1 on the open interval (0, 6), 0 elsewhere (0 at x = 0 and x = 6, as PyTorch's
// hardtanh backward).
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& relu6_kind();

}  // namespace cnnlens
