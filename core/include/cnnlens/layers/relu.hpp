// relu: y = max(0, x).  dy/dx = 1 if x > 0 else 0 (0 at x = 0, as PyTorch).
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& relu_kind();

}  // namespace cnnlens
