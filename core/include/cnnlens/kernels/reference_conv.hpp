// The direct-loop convolution, kept as the test oracle for the fast path (kernels/conv.hpp):
// loops over output cells and kernel taps exactly as the formulas in layers/conv2d.hpp read.
// Not used by the layers.
#pragma once

#include "cnnlens/layers/conv2d.hpp"

namespace cnnlens::kernels {

void reference_conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y);
// Adds into gw, gb and gx, like the fast path.
void reference_conv2d_backward(const ConvGeometry& g, const float* x, const float* w, const float* gy, float* gw,
                               float* gb, float* gx);

}  // namespace cnnlens::kernels
