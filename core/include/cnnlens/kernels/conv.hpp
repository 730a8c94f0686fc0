// Convolution as matrix products (im2col + GEMM), the fast path behind Conv2d; the formulas are
// in layers/conv2d.hpp. With K = C*KH*KW taps and P = OH*OW output cells:
//   columns[K, P]  (im2col)  columns[(c*KH + i)*KW + j, r*OW + s] = x[c, input_row(r,i), input_col(s,j)] or 0
//   forward        y[O, P]  = b + w[O, K] * columns
//   weight grad    gw[O, K] += gy[O, P] * columns^T,   gb[O] += sum_P gy
//   input grad     dcol[K, P] = w^T[K, O] * gy,  gx = col2im(dcol)  (scatter-add of every tap)
// With a stride of 1 along rows, a row of `columns` over one output row is a run of the padded
// input, so the forward product and the weight gradient can also read the input in place, with
// the same sums (the *_from_input kernels below): no columns are written at all.
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

// The forward pass without columns: output cells [s, s+8) of row r need, for tap t, 8 floats of
// the padded input from t's run (see the weight gradient below), so the product reads them in
// place. Every cell's sum is the one conv2d_forward makes (bias first, then the taps in order),
// so the bits are the same. For geometries with a stride of 1 along rows, outputs in blocks of 4
// and an output width that is a multiple of 4; Conv2d uses it except where a backward pass
// follows that can reuse sample 0's columns (they fit one tile). `packed` holds O * K floats and
// `offsets` K ints (scratch).
bool conv_forward_reads_input(const ConvGeometry& g);
void conv2d_forward_from_input(const ConvGeometry& g, const float* xp, int xp_h, int xp_w, const float* w,
                               const float* b, float* y, float* packed, int* offsets, bool relu = false);

// Adds into gw, gb and gx (gx may be null: no input gradient wanted). `columns` is im2col of the input,
// or null when the caller adds the weight gradient itself (conv2d_weight_grad_from_input);
// `wt` [K, O] and `dcol` [K, P] are scratch.
void conv2d_backward(const ConvGeometry& g, const float* columns, const float* w, const float* gy, float* gw, float* gb,
                     float* gx, float* wt, float* dcol);

// The weight gradient without columns. With a stride of 1 along rows, tap (c, i, j)'s column over
// output row r is a run of OW floats of the padded input: row r*SH + i*DH of channel c, from
// column j*DW. So gw[O, K] += gy * columns^T can read those runs in place, one output row at a
// time, and im2col is not needed. With OW a multiple of 4 the sums are those of conv2d_backward's
// product, in the same order (four lanes over P, reduced at the end), so the bits are the same.
// For geometries with a stride of 1 along rows and outputs in blocks of 4.
bool conv_weight_grad_reads_input(const ConvGeometry& g);
// `xp` [C, xp_h, xp_w]: the input with its zero padding written out (xp_h >= (OH-1)*SH + (KH-1)*DH + 1,
// xp_w >= OW + (KW-1)*DW); `g.padding` is ignored.
void conv2d_weight_grad_from_input(const ConvGeometry& g, const float* xp, int xp_h, int xp_w, const float* gy,
                                   float* gw);

}  // namespace cnnlens::kernels
