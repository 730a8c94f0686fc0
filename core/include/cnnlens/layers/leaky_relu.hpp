// leaky_relu: y = x if x > 0 else a*x (a = negative_slope, default 0.01).  dy/dx = 1 if x > 0 else a.
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& leaky_relu_kind();

}  // namespace cnnlens
