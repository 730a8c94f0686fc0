// What max and average pooling share: the window geometry (four-sided padding, dilation,
// ceil_mode) and its output-size rule, as PyTorch's pooling_output_shape computes it:
//   out = floor_or_ceil((H + top + bottom - dilation*(k - 1) - 1) / stride) + 1,
//   and with ceil_mode the last window must start inside the input or the top padding.
#pragma once

#include "cnnlens/kind.hpp"

namespace cnnlens {

struct PoolGeometry {
  int channels, in_h, in_w, out_h, out_w;
  Pair kernel, stride;
  Padding4 padding{};
  Pair dilation{1, 1};

  // Input row/column that window tap (i, j) of output cell (r, s) reads; may be outside the input.
  int input_row(int r, int i) const { return r * stride.h - padding.top + i * dilation.h; }
  int input_col(int s, int j) const { return s * stride.w - padding.left + j * dilation.w; }

  // The taps [first, last) of output row r / column s that land inside the input, so the hot
  // loops need no bounds check per tap (padding only ever trims the ends of a window).
  struct Taps {
    int first, last;
  };
  Taps row_taps(int r) const { return inside(input_row(r, 0), dilation.h, kernel.h, in_h); }
  Taps col_taps(int s) const { return inside(input_col(s, 0), dilation.w, kernel.w, in_w); }

 private:
  // Taps i with 0 <= start + i*step < extent; the divisions only run at the padded borders.
  static Taps inside(int start, int step, int taps, int extent) {
    int first = start >= 0 ? 0 : (-start + step - 1) / step;
    int last = start >= extent ? 0 : start + (taps - 1) * step < extent ? taps : (extent - start + step - 1) / step;
    if (last > taps) last = taps;
    if (first > last) first = last;
    return {first, last};
  }
};

// The output shape of a pooling node (fields kernel_size, stride, padding, ceil_mode and, when
// `has_dilation`, dilation), with the checks and messages both kinds share.
Shape pool_output_shape(const NodeSpec& node, const InputShapes& inputs, bool has_dilation);
PoolGeometry pool_geometry(const NodeSpec& node, const Shape& input, const Shape& output, bool has_dilation);
std::uint64_t pool_cost(const NodeSpec& node, const InputShapes& inputs, const Shape& output);

}  // namespace cnnlens
