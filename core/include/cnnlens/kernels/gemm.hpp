// Small dense matrix products for the convolution and dense layers: register-blocked f32x4
// micro-kernels (kernels/simd.hpp), row-major matrices with explicit leading dimensions.
// Nothing here allocates (gemm_nn packs A into a buffer on the stack).
#pragma once

namespace cnnlens::kernels {

// C[M, N] = init + A[M, K] * B[K, N], where init is bias[m] broadcast along the row when `bias`
// is given, else C itself when `accumulate`, else 0.
void gemm_nn(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
             const float* bias, bool accumulate);

// C[M, N] += A[M, K] * B[N, K]^T: every C element is a dot product of a row of A and a row of B.
void gemm_nt_accumulate(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc);

// Runs `iterations` rounds of independent f32x4 multiply-add chains held in registers and returns
// a value derived from them (so the work cannot be optimised away). Each round is
// peak_flops_per_iteration() floating-point operations: the machine's SIMD128 peak for the bench.
float simd_peak_loop(int iterations, float seed);
constexpr int peak_flops_per_iteration() { return 12 * 4 * 2; }

}  // namespace cnnlens::kernels
