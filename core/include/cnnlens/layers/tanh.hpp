// tanh: y = tanh(x).  dy/dx = 1 - y^2.
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& tanh_kind();

}  // namespace cnnlens
