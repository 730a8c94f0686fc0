// im2col / col2im and the three convolution products; see kernels/conv.hpp for the layout.
#include "cnnlens/kernels/conv.hpp"

#include <algorithm>

#include "cnnlens/kernels/gemm.hpp"
#include "cnnlens/kernels/simd.hpp"

namespace cnnlens::kernels {
namespace {

// [lo, hi): the output positions t (0 <= t < out) for which t*stride + offset lies in [0, size).
// Stride 1, the usual case, needs no division (two per call were a tenth of a small network's
// im2col: integer division is slow, and each tap asks).
void inside_range(int out, int stride, int offset, int size, int& lo, int& hi) {
  if (stride == 1) {
    lo = std::max(-offset, 0);
    hi = std::max(size - offset, 0);
  } else {
    lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  }
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
}

}  // namespace

// Row by row of each tap: the output rows whose input row lies outside (padding) are zeroed in
// one block, and a tap whose every column lies inside copies whole rows with no per-row checks
// (the rows are short, 10-64 floats, so per-row work is what im2col costs).
void im2col(const ConvGeometry& g, const float* x, float* columns) { im2col_rows(g, x, 0, g.out_h, columns); }

void im2col_rows(const ConvGeometry& g, const float* x, int r_begin, int r_end, float* columns) {
  const int ow = g.out_w, oh = r_end - r_begin;
  const int row_step = g.stride.h * g.in_w;
  for (int c = 0; c < g.in_channels; ++c) {
    const float* plane = x + c * g.in_h * g.in_w;
    for (int i = 0; i < g.kernel.h; ++i) {
      // tile rows t (output row r_begin + t) whose tap-i input row lies inside the input
      int r_lo, r_hi;
      inside_range(oh, g.stride.h, g.input_row(r_begin, i), g.in_h, r_lo, r_hi);
      for (int j = 0; j < g.kernel.w; ++j, columns += oh * ow) {
        const int col_offset = j * g.dilation.w - g.padding.w;
        int lo, hi;
        inside_range(ow, g.stride.w, col_offset, g.in_w, lo, hi);
        zero_floats(columns, r_lo * ow);
        zero_floats(columns + r_hi * ow, (oh - r_hi) * ow);
        // Index arithmetic rather than a pointer to column col_offset, which may lie before the row.
        int base = g.input_row(r_begin + r_lo, i) * g.in_w + col_offset;
        float* row = columns + r_lo * ow;
        if (g.stride.w == 1 && lo == 0 && hi == ow) {
          for (int r = r_lo; r < r_hi; ++r, row += ow, base += row_step) copy_floats(row, plane + base, ow);
          continue;
        }
        for (int r = r_lo; r < r_hi; ++r, row += ow, base += row_step) {
          zero_floats(row, lo);
          if (g.stride.w == 1) {
            if (lo < hi) copy_floats(row + lo, plane + base + lo, hi - lo);
          } else {
            for (int s = lo; s < hi; ++s) row[s] = plane[base + s * g.stride.w];
          }
          zero_floats(row + hi, ow - hi);
        }
      }
    }
  }
}

void col2im_add(const ConvGeometry& g, const float* dcol, float* gx) {
  const int ow = g.out_w;
  for (int c = 0; c < g.in_channels; ++c) {
    float* plane = gx + c * g.in_h * g.in_w;
    for (int i = 0; i < g.kernel.h; ++i) {
      for (int j = 0; j < g.kernel.w; ++j) {
        const int col_offset = j * g.dilation.w - g.padding.w;
        int lo, hi;
        inside_range(ow, g.stride.w, col_offset, g.in_w, lo, hi);
        for (int r = 0; r < g.out_h; ++r, dcol += ow) {
          const int u = g.input_row(r, i);
          if (u < 0 || u >= g.in_h) continue;
          const int base = u * g.in_w + col_offset;
          if (lo == hi) continue;
          if (g.stride.w == 1) {
            float* row = plane + base + lo;  // column lo, inside the row
            const float* from = dcol + lo;
            const int n = hi - lo;
            int s = 0;
            for (; s + 4 <= n; s += 4) store4(row + s, add4(load4(row + s), load4(from + s)));
            for (; s < n; ++s) row[s] += from[s];
          } else {
            for (int s = lo; s < hi; ++s) plane[base + s * g.stride.w] += dcol[s];
          }
        }
      }
    }
  }
}

namespace {

// Output rows per tile: a tile's columns hold about 64 KB; columns up to twice that stay whole
// (splitting them would only leave short, slow tiles).
int tile_rows(const ConvGeometry& g) {
  constexpr int kTileFloats = 16 * 1024;
  const int taps = static_cast<int>(conv_taps(g)), cells = static_cast<int>(conv_cells(g));
  return taps * cells <= 2 * kTileFloats ? g.out_h : std::max(1, kTileFloats / std::max(1, taps * g.out_w));
}

}  // namespace

bool conv_columns_in_one_tile(const ConvGeometry& g) { return tile_rows(g) >= g.out_h; }

// A fused ReLU runs over each tile's outputs just after its product, while they are in L1.
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y, float* columns,
                    bool relu) {
  const int taps = static_cast<int>(conv_taps(g)), cells = static_cast<int>(conv_cells(g));
  const int rows = tile_rows(g);
  for (int r0 = 0; r0 < g.out_h; r0 += rows) {
    const int r1 = std::min(g.out_h, r0 + rows), tile = (r1 - r0) * g.out_w;
    im2col_rows(g, x, r0, r1, columns);
    gemm_nn(g.out_channels, tile, taps, w, taps, columns, tile, y + r0 * g.out_w, cells, b, false);
    if (relu) {
      for (int o = 0; o < g.out_channels; ++o) relu_in_place(y + o * cells + r0 * g.out_w, tile);
    }
  }
}

void conv2d_backward(const ConvGeometry& g, const float* columns, const float* w, const float* gy, float* gw, float* gb,
                     float* gx, float* wt, float* dcol) {
  const int taps = static_cast<int>(conv_taps(g)), cells = static_cast<int>(conv_cells(g));
  const int outs = g.out_channels;
  for (int o = 0; o < outs; ++o) {
    const float* row = gy + o * cells;
    f32x4 acc = splat4(0.0f);
    int p = 0;
    for (; p + 4 <= cells; p += 4) acc = add4(acc, load4(row + p));
    float sum = sum4(acc);
    for (; p < cells; ++p) sum += row[p];
    gb[o] += sum;
  }
  if (columns != nullptr) gemm_nt_accumulate(outs, taps, cells, gy, cells, columns, cells, gw, taps);
  if (gx == nullptr) return;
  for (int o = 0; o < outs; ++o) {
    for (int k = 0; k < taps; ++k) wt[k * outs + o] = w[o * taps + k];
  }
  gemm_nn(taps, cells, outs, wt, outs, gy, cells, dcol, cells, nullptr, false);
  col2im_add(g, dcol, gx);
}

namespace {

// Where tap t's run for output row 0 starts in a padded input of xp_h x xp_w per channel.
int tap_offset(const ConvGeometry& g, int t, int xp_h, int xp_w) {
  const int per_channel = g.kernel.h * g.kernel.w;
  const int c = t / per_channel, i = t % per_channel / g.kernel.w, j = t % g.kernel.w;
  return (c * xp_h + i * g.dilation.h) * xp_w + j * g.dilation.w;
}

// y[0:4, 0:W] (W = 4 * H) = bias + the 4 packed weight rows `Ap` ([K][4]) times tap k's W floats
// at panel + offsets[k], k in order: the sums of gemm_nn's micro-kernels, read in place.
template <int H>
void forward_block(int K, const float* Ap, const float* panel, const int* offsets, float* y, int ldy,
                   const float* bias) {
  f32x4 c[4][H];
  for (int m = 0; m < 4; ++m)
    for (int h = 0; h < H; ++h) c[m][h] = splat4(bias[m]);
  for (int k = 0; k < K; ++k, Ap += 4) {
    const float* b = panel + offsets[k];
    f32x4 bv[H];
    for (int h = 0; h < H; ++h) bv[h] = load4(b + 4 * h);
    for (int m = 0; m < 4; ++m) {
      const f32x4 a = splat4(Ap[m]);
      for (int h = 0; h < H; ++h) c[m][h] = madd4(c[m][h], a, bv[h]);
    }
  }
  for (int m = 0; m < 4; ++m)
    for (int h = 0; h < H; ++h) store4(y + m * ldy + 4 * h, c[m][h]);
}

// gw[0:4, 0:NR] += the dot products of 4 rows of gy with NR taps' runs of xp (tap n's run of output
// row r starts at xp + offsets[n] + r * row_step), over every output row. Lane l of an accumulator
// takes the cells p = 4q + l in order, as gemm_nt's does, when OW is a multiple of 4.
template <int NR>
void weight_grad_block(int out_h, int out_w, const float* gy, int cells, const float* xp, const int (&offsets)[NR],
                       int row_step, float* gw, int ldw) {
  f32x4 acc[4][NR];
  for (int m = 0; m < 4; ++m)
    for (int n = 0; n < NR; ++n) acc[m][n] = splat4(0.0f);
  const int body = out_w & ~3;
  const float* gy_row = gy;
  const float* xp_row = xp;
  for (int r = 0; r < out_h; ++r, gy_row += out_w, xp_row += row_step) {
    for (int s = 0; s < body; s += 4) {
      f32x4 b[NR];
      for (int n = 0; n < NR; ++n) b[n] = load4(xp_row + offsets[n] + s);
      for (int m = 0; m < 4; ++m) {
        const f32x4 a = load4(gy_row + m * cells + s);
        for (int n = 0; n < NR; ++n) acc[m][n] = madd4(acc[m][n], a, b[n]);
      }
    }
  }
  // The last OW mod 4 cells of each row, in a loop of their own: scalar sums kept live through
  // the loop above would not leave the vector accumulators their registers.
  for (int m = 0; m < 4; ++m) {
    for (int n = 0; n < NR; ++n) {
      float sum = sum4(acc[m][n]);
      if (body < out_w) {
        float tail = 0.0f;
        for (int r = 0; r < out_h; ++r) {
          for (int s = body; s < out_w; ++s) {
            tail += gy[m * cells + r * out_w + s] * xp[offsets[n] + r * row_step + s];
          }
        }
        sum += tail;
      }
      gw[m * ldw + n] += sum;
    }
  }
}

}  // namespace

bool conv_forward_reads_input(const ConvGeometry& g) {
  return g.stride.w == 1 && g.out_channels % 4 == 0 && g.out_w % 4 == 0;
}

void conv2d_forward_from_input(const ConvGeometry& g, const float* xp, int xp_h, int xp_w, const float* w,
                               const float* b, float* y, float* packed, int* offsets, bool relu) {
  const int taps = static_cast<int>(conv_taps(g)), cells = static_cast<int>(conv_cells(g));
  for (int t = 0; t < taps; ++t) offsets[t] = tap_offset(g, t, xp_h, xp_w);
  for (int m = 0; m < g.out_channels; m += 4) {
    for (int k = 0; k < taps; ++k)
      for (int r = 0; r < 4; ++r) packed[m * taps + k * 4 + r] = w[(m + r) * taps + k];
  }
  const int row_step = g.stride.h * xp_w;
  for (int r = 0; r < g.out_h; ++r, xp += row_step, y += g.out_w) {
    for (int m = 0; m < g.out_channels; m += 4) {
      const float* rows = packed + m * taps;
      float* out = y + m * cells;
      int s = 0;
      for (; s + 8 <= g.out_w; s += 8) forward_block<2>(taps, rows, xp + s, offsets, out + s, cells, b + m);
      if (s < g.out_w) forward_block<1>(taps, rows, xp + s, offsets, out + s, cells, b + m);
    }
    if (relu) {
      for (int o = 0; o < g.out_channels; ++o) relu_in_place(y + o * cells, g.out_w);
    }
  }
}

bool conv_weight_grad_reads_input(const ConvGeometry& g) { return g.stride.w == 1 && g.out_channels % 4 == 0; }

void conv2d_weight_grad_from_input(const ConvGeometry& g, const float* xp, int xp_h, int xp_w, const float* gy,
                                   float* gw) {
  const int taps = static_cast<int>(conv_taps(g)), cells = static_cast<int>(conv_cells(g));
  const int row_step = g.stride.h * xp_w;
  for (int m = 0; m < g.out_channels; m += 4) {
    const float* gy_rows = gy + m * cells;
    float* gw_rows = gw + m * taps;
    int t = 0;
    for (; t + 2 <= taps; t += 2) {
      const int offsets[2] = {tap_offset(g, t, xp_h, xp_w), tap_offset(g, t + 1, xp_h, xp_w)};
      weight_grad_block<2>(g.out_h, g.out_w, gy_rows, cells, xp, offsets, row_step, gw_rows + t, taps);
    }
    if (t < taps) {
      const int offsets[1] = {tap_offset(g, t, xp_h, xp_w)};
      weight_grad_block<1>(g.out_h, g.out_w, gy_rows, cells, xp, offsets, row_step, gw_rows + t, taps);
    }
  }
}

}  // namespace cnnlens::kernels
