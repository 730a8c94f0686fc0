// sigmoid: y = 1 / (1 + e^-x).  dy/dx = y (1 - y).
// Element-wise (elementwise.hpp): any input shape, the output shaped like it.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& sigmoid_kind();

}  // namespace cnnlens
