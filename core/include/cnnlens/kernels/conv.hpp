// Convolution as matrix products (im2col + GEMM), the fast path behind Conv2d; the formulas are
// in layers/conv2d.hpp. With K = C*KH*KW taps and P = OH*OW output cells:
//   columns[K, P]  (im2col)  columns[(c*KH + i)*KW + j, r*OW + s] = x[c, input_row(r,i), input_col(s,j)] or 0
//   forward        y[O, P]  = b + w[O, K] * columns
//   weight grad    gw[O, K] += gy[O, P] * columns^T,   gb[O] += sum_P gy
//   input grad     dcol[K, P] = w^T[K, O] * gy,  gx = col2im(dcol)  (scatter-add of every tap)
// Callers own every buffer; nothing here allocates.
#pragma once

#include <cstddef>

#include "cnnlens/layers/conv2d.hpp"

namespace cnnlens::kernels {

inline std::size_t conv_taps(const ConvGeometry& g) {
  return std::size_t(g.in_channels) * std::size_t(g.kernel.h) * std::size_t(g.kernel.w);
}
inline std::size_t conv_cells(const ConvGeometry& g) { return std::size_t(g.out_h) * std::size_t(g.out_w); }

void im2col(const ConvGeometry& g, const float* x, float* columns);
// The columns of output rows [r_begin, r_end) only: columns[K, (r_end - r_begin) * OW].
void im2col_rows(const ConvGeometry& g, const float* x, int r_begin, int r_end, float* columns);
// gx[C, H, W] += the taps of dcol[K, P] scattered back to the input cells they read.
void col2im_add(const ConvGeometry& g, const float* dcol, float* gx);

// y[O, OH, OW]. `columns` [K, P] is scratch: the product runs a few output rows at a time, each
// tile's columns (at most about 64 KB) written and read while they are in the caches.
// Whether conv2d_forward makes a sample's columns in one tile, so they are left whole afterwards.
bool conv_columns_in_one_tile(const ConvGeometry& g);
// `relu`: y = max(0, .) of it, the ReLU's rule bit for bit (a ReLU fused in, RunContext::then_relu).
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y, float* columns,
                    bool relu = false);

// Adds into gw, gb and gx (gx may be null: no input gradient wanted). `columns` is im2col of the input;
// `wt` [K, O] and `dcol` [K, P] are scratch.
void conv2d_backward(const ConvGeometry& g, const float* columns, const float* w, const float* gy, float* gw, float* gb,
                     float* gx, float* wt, float* dcol);

}  // namespace cnnlens::kernels
