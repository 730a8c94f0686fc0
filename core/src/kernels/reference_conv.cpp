// The direct-loop convolution (the layer's original implementation), kept as a test oracle.
#include "cnnlens/kernels/reference_conv.hpp"

#include <algorithm>

namespace cnnlens::kernels {

void reference_conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y) {
  const int kh = g.kernel.h, kw = g.kernel.w;
  for (int o = 0; o < g.out_channels; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        float sum = b[o];
        for (int c = 0; c < g.in_channels; ++c) {
          const float* wk = w + ((o * g.in_channels + c) * kh) * kw;
          const float* xc = x + c * g.in_h * g.in_w;
          for (int i = 0; i < kh; ++i) {
            const int u = g.input_row(r, i);
            if (u < 0 || u >= g.in_h) continue;
            for (int j = 0; j < kw; ++j) {
              const int v = g.input_col(s, j);
              if (v < 0 || v >= g.in_w) continue;
              sum += wk[i * kw + j] * xc[u * g.in_w + v];
            }
          }
        }
        y[(o * g.out_h + r) * g.out_w + s] = sum;
      }
    }
  }
}

void reference_conv2d_backward(const ConvGeometry& g, const float* x, const float* w, const float* gy, float* gw,
                               float* gb, float* gx) {
  const int kh = g.kernel.h, kw = g.kernel.w;
  for (int o = 0; o < g.out_channels; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        const float upstream = gy[(o * g.out_h + r) * g.out_w + s];
        gb[o] += upstream;
        for (int c = 0; c < g.in_channels; ++c) {
          const int kernel_offset = ((o * g.in_channels + c) * kh) * kw;
          const int plane_offset = c * g.in_h * g.in_w;
          for (int i = 0; i < kh; ++i) {
            const int u = g.input_row(r, i);
            if (u < 0 || u >= g.in_h) continue;
            for (int j = 0; j < kw; ++j) {
              const int v = g.input_col(s, j);
              if (v < 0 || v >= g.in_w) continue;
              const int xi = plane_offset + u * g.in_w + v;
              const int wi = kernel_offset + i * kw + j;
              gw[wi] += upstream * x[xi];
              gx[xi] += upstream * w[wi];
            }
          }
        }
      }
    }
  }
}

}  // namespace cnnlens::kernels
