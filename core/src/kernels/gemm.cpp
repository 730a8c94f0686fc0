// Register-blocked matrix products. gemm_nn walks B in panels of 8 columns (K x 8, small enough
// to stay in L1 while every block of up to 4 rows of A, packed, passes over it); each micro-kernel keeps
// its MR x 8 block of C in 2*MR vector registers for the whole K loop. gemm_nt keeps an MR x NR
// block of dot products in MR*NR vector accumulators and reduces them once at the end.
#include "cnnlens/kernels/gemm.hpp"

#include <algorithm>

#include "cnnlens/kernels/simd.hpp"

namespace cnnlens::kernels {
namespace {

template <int MR>
inline void init_rows(f32x4 (&c)[MR], const float* C, int ldc, const float* bias, bool accumulate, int offset) {
  for (int m = 0; m < MR; ++m) {
    c[m] = bias ? splat4(bias[m]) : accumulate ? load4(C + m * ldc + offset) : splat4(0.0f);
  }
}

// The micro-kernels read A packed: the MR values of one k side by side (`Ap` [K][MR]), so one
// pointer walks them and each broadcast is a load at a constant offset. With A read in place,
// every row's address was recomputed each k (V8 does no strength reduction), as many scalar
// instructions as the block's vector multiplies and adds.

// C[0:MR, 0:8]
template <int MR>
inline void kernel_nn_8(int K, const float* Ap, const float* B, int ldb, float* C, int ldc, const float* bias,
                        bool accumulate) {
  f32x4 c0[MR], c1[MR];
  init_rows<MR>(c0, C, ldc, bias, accumulate, 0);
  init_rows<MR>(c1, C, ldc, bias, accumulate, 4);
  for (int k = 0; k < K; ++k, Ap += MR, B += ldb) {
    const f32x4 b0 = load4(B), b1 = load4(B + 4);
    for (int m = 0; m < MR; ++m) {
      const f32x4 a = splat4(Ap[m]);
      c0[m] = madd4(c0[m], a, b0);
      c1[m] = madd4(c1[m], a, b1);
    }
  }
  for (int m = 0; m < MR; ++m) {
    store4(C + m * ldc, c0[m]);
    store4(C + m * ldc + 4, c1[m]);
  }
}

// C[0:MR, 0:4]
template <int MR>
inline void kernel_nn_4(int K, const float* Ap, const float* B, int ldb, float* C, int ldc, const float* bias,
                        bool accumulate) {
  f32x4 c0[MR];
  init_rows<MR>(c0, C, ldc, bias, accumulate, 0);
  for (int k = 0; k < K; ++k, Ap += MR, B += ldb) {
    const f32x4 b0 = load4(B);
    for (int m = 0; m < MR; ++m) c0[m] = madd4(c0[m], splat4(Ap[m]), b0);
  }
  for (int m = 0; m < MR; ++m) store4(C + m * ldc, c0[m]);
}

// C[0:MR, 0:n] for the last n < 4 columns, scalar.
template <int MR>
inline void kernel_nn_tail(int n, int K, const float* Ap, const float* B, int ldb, float* C, int ldc,
                           const float* bias, bool accumulate) {
  for (int m = 0; m < MR; ++m) {
    for (int j = 0; j < n; ++j) {
      float sum = bias ? bias[m] : accumulate ? C[m * ldc + j] : 0.0f;
      for (int k = 0; k < K; ++k) sum += Ap[k * MR + m] * B[k * ldb + j];
      C[m * ldc + j] = sum;
    }
  }
}

// C[0:MR, 0:width] from B[0:K, 0:width]; width is 8, 4 or the last 1-3 columns.
template <int MR>
inline void row_block_nn(int width, int K, const float* Ap, const float* B, int ldb, float* C, int ldc,
                         const float* bias, bool accumulate) {
  if (width == 8) {
    kernel_nn_8<MR>(K, Ap, B, ldb, C, ldc, bias, accumulate);
  } else if (width == 4) {
    kernel_nn_4<MR>(K, Ap, B, ldb, C, ldc, bias, accumulate);
  } else {
    kernel_nn_tail<MR>(width, K, Ap, B, ldb, C, ldc, bias, accumulate);
  }
}

// MR x NR dot products over K: C[m, n] += A[m, :] . B[n, :]
template <int MR, int NR>
inline void kernel_nt(int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
  f32x4 acc[MR][NR];
  for (int m = 0; m < MR; ++m)
    for (int n = 0; n < NR; ++n) acc[m][n] = splat4(0.0f);
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    f32x4 b[NR];
    for (int n = 0; n < NR; ++n) b[n] = load4(B + n * ldb + k);
    for (int m = 0; m < MR; ++m) {
      const f32x4 a = load4(A + m * lda + k);
      for (int n = 0; n < NR; ++n) acc[m][n] = madd4(acc[m][n], a, b[n]);
    }
  }
  for (int m = 0; m < MR; ++m) {
    for (int n = 0; n < NR; ++n) {
      float sum = sum4(acc[m][n]);
      for (int t = k; t < K; ++t) sum += A[m * lda + t] * B[n * ldb + t];
      C[m * ldc + n] += sum;
    }
  }
}

template <int MR>
inline void row_block_nt(int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
  int n = 0;
  for (; n + 2 <= N; n += 2) kernel_nt<MR, 2>(K, A, lda, B + n * ldb, ldb, C + n, ldc);
  if (n < N) kernel_nt<MR, 1>(K, A, lda, B + n * ldb, ldb, C + n, ldc);
}

}  // namespace

// A is packed a block of K at a time into a buffer on the stack (the kernels above); a C block
// carries from one K block to the next through C itself, in the same order of k, so the sums are
// the same as in one pass. Every 8-column panel of B (K x 8, in L1) meets every row block of A.
// Read in place, a panel's rows lie ldb floats apart; when ldb is a multiple of 256 (the maps of
// 16x16, 32x32, 64x64 images: an input gradient's product) they all fall in the same few sets of
// a 32 KB L1 and are fetched again for every row block. Then, with two row blocks or more, the
// panel is first copied side by side ([K][8], 32 bytes a k). The copy changes no sum (same
// values, same order). Copying every panel cost 6% on net B's batch-32 step, whose rows are not
// crowded (bench/README.md, "Every goal of issue 16, session 18").
void gemm_nn(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
             const float* bias, bool accumulate) {
  constexpr int kPackFloats = 8192;   // 32 KB
  constexpr int kPanelFloats = 2048;  // 8 KB: a K block of up to 256 for the panel
  alignas(16) float packed[kPackFloats];
  alignas(16) float panel[kPanelFloats];
  const int rows = (M + 3) / 4 * 4;
  const bool pack_panels = M >= 8 && ldb % 256 == 0;
  int k_block = std::max(1, kPackFloats / rows);
  if (pack_panels) k_block = std::min(k_block, kPanelFloats / 8);
  for (int k0 = 0; k0 < K; k0 += k_block) {
    const int kb = std::min(k_block, K - k0);
    // Rows m..m+mr of A[:, k0:k0+kb] as [kb][mr], at packed + m * kb.
    for (int m = 0; m < M; m += 4) {
      const int mr = std::min(4, M - m);
      float* to = packed + m * kb;
      for (int k = 0; k < kb; ++k) {
        for (int r = 0; r < mr; ++r) to[k * mr + r] = A[(m + r) * lda + k0 + k];
      }
    }
    const float* b_block = B + k0 * ldb;
    const float* block_bias = k0 == 0 ? bias : nullptr;
    const bool block_accumulate = k0 == 0 ? accumulate : true;
    // Every block of up to 4 rows of C over the columns [n0, n0 + width), reading those columns
    // of B in place or from their side-by-side copy.
    auto columns = [&](int n0, int width) {
      const float* b_columns = b_block + n0;
      int b_stride = ldb;
      if (width == 8 && pack_panels) {
        for (int k = 0; k < kb; ++k) {
          store4(panel + 8 * k, load4(b_columns + k * ldb));
          store4(panel + 8 * k + 4, load4(b_columns + k * ldb + 4));
        }
        b_columns = panel;
        b_stride = 8;
      }
      int m = 0;
      for (; m + 4 <= M; m += 4) {
        row_block_nn<4>(width, kb, packed + m * kb, b_columns, b_stride, C + m * ldc + n0, ldc,
                        block_bias ? block_bias + m : nullptr, block_accumulate);
      }
      const float* a = packed + m * kb;
      float* c = C + m * ldc + n0;
      const float* b = block_bias ? block_bias + m : nullptr;
      switch (M - m) {
        case 3: row_block_nn<3>(width, kb, a, b_columns, b_stride, c, ldc, b, block_accumulate); break;
        case 2: row_block_nn<2>(width, kb, a, b_columns, b_stride, c, ldc, b, block_accumulate); break;
        case 1: row_block_nn<1>(width, kb, a, b_columns, b_stride, c, ldc, b, block_accumulate); break;
        default: break;
      }
    };
    int n0 = 0;
    for (; n0 + 8 <= N; n0 += 8) columns(n0, 8);
    if (N - n0 >= 4) {
      columns(n0, 4);
      n0 += 4;
    }
    if (n0 < N) columns(n0, N - n0);
  }
}

void gemm_nt_accumulate(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
  int m = 0;
  for (; m + 4 <= M; m += 4) row_block_nt<4>(N, K, A + m * lda, lda, B, ldb, C + m * ldc, ldc);
  const float* a = A + m * lda;
  float* c = C + m * ldc;
  switch (M - m) {
    case 3: row_block_nt<3>(N, K, a, lda, B, ldb, c, ldc); break;
    case 2: row_block_nt<2>(N, K, a, lda, B, ldb, c, ldc); break;
    case 1: row_block_nt<1>(N, K, a, lda, B, ldb, c, ldc); break;
    default: break;
  }
}

float simd_peak_loop(int iterations, float seed) {
  // 12 independent accumulators: enough chains to cover the add latency on two ports.
  f32x4 acc[12];
  for (int k = 0; k < 12; ++k) acc[k] = splat4(seed + 0.001f * static_cast<float>(k));
  const f32x4 scale = splat4(0.999999f), offset = splat4(1e-7f);
  for (int it = 0; it < iterations; ++it) {
    for (int k = 0; k < 12; ++k) acc[k] = madd4(offset, acc[k], scale);
  }
  f32x4 total = acc[0];
  for (int k = 1; k < 12; ++k) total = add4(total, acc[k]);
  return sum4(total);
}

}  // namespace cnnlens::kernels
