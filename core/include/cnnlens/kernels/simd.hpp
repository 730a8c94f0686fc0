// A four-lane float vector for the hot loops: WebAssembly SIMD128 intrinsics when the wasm build
// enables them (-msimd128), GCC/Clang vector extensions otherwise (SSE natively). Only the few
// operations the kernels need; every load and store is unaligned.
#pragma once

#include <cmath>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace cnnlens::kernels {

#if defined(__wasm_simd128__)

using f32x4 = v128_t;
inline f32x4 load4(const float* p) { return wasm_v128_load(p); }
inline void store4(float* p, f32x4 v) { wasm_v128_store(p, v); }
inline f32x4 splat4(float x) { return wasm_f32x4_splat(x); }
inline f32x4 make4(float a, float b, float c, float d) { return wasm_f32x4_make(a, b, c, d); }
inline f32x4 add4(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
inline f32x4 mul4(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
inline f32x4 sub4(f32x4 a, f32x4 b) { return wasm_f32x4_sub(a, b); }
inline f32x4 div4(f32x4 a, f32x4 b) { return wasm_f32x4_div(a, b); }
inline f32x4 sqrt4(f32x4 a) { return wasm_f32x4_sqrt(a); }
inline float sum4(f32x4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
inline f32x4 pmax4(f32x4 best, f32x4 value) { return wasm_f32x4_pmax(best, value); }
inline f32x4 even_lanes(f32x4 a, f32x4 b) { return wasm_i32x4_shuffle(a, b, 0, 2, 4, 6); }
inline f32x4 odd_lanes(f32x4 a, f32x4 b) { return wasm_i32x4_shuffle(a, b, 1, 3, 5, 7); }
inline f32x4 where_greater4(f32x4 value, f32x4 best, f32x4 a, f32x4 b) {
  return wasm_v128_bitselect(a, b, wasm_f32x4_gt(value, best));
}
inline f32x4 where_equal4(f32x4 x, f32x4 y, f32x4 a, f32x4 b) { return wasm_v128_bitselect(a, b, wasm_f32x4_eq(x, y)); }
inline f32x4 interleave_low4(f32x4 a, f32x4 b) { return wasm_i32x4_shuffle(a, b, 0, 4, 1, 5); }
inline f32x4 interleave_high4(f32x4 a, f32x4 b) { return wasm_i32x4_shuffle(a, b, 2, 6, 3, 7); }

#else

typedef float f32x4 __attribute__((vector_size(16)));
inline f32x4 load4(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }
inline f32x4 splat4(float x) { return f32x4{x, x, x, x}; }
inline f32x4 make4(float a, float b, float c, float d) { return f32x4{a, b, c, d}; }
inline f32x4 add4(f32x4 a, f32x4 b) { return a + b; }
inline f32x4 mul4(f32x4 a, f32x4 b) { return a * b; }
inline f32x4 sub4(f32x4 a, f32x4 b) { return a - b; }
inline f32x4 div4(f32x4 a, f32x4 b) { return a / b; }
inline f32x4 sqrt4(f32x4 a) { return f32x4{std::sqrt(a[0]), std::sqrt(a[1]), std::sqrt(a[2]), std::sqrt(a[3])}; }
inline float sum4(f32x4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }
inline f32x4 pmax4(f32x4 best, f32x4 value) {
  f32x4 r;
  for (int k = 0; k < 4; ++k) r[k] = best[k] < value[k] ? value[k] : best[k];
  return r;
}
inline f32x4 even_lanes(f32x4 a, f32x4 b) { return f32x4{a[0], a[2], b[0], b[2]}; }
inline f32x4 odd_lanes(f32x4 a, f32x4 b) { return f32x4{a[1], a[3], b[1], b[3]}; }
inline f32x4 where_greater4(f32x4 value, f32x4 best, f32x4 a, f32x4 b) {
  f32x4 r;
  for (int k = 0; k < 4; ++k) r[k] = value[k] > best[k] ? a[k] : b[k];
  return r;
}
inline f32x4 where_equal4(f32x4 x, f32x4 y, f32x4 a, f32x4 b) {
  f32x4 r;
  for (int k = 0; k < 4; ++k) r[k] = x[k] == y[k] ? a[k] : b[k];
  return r;
}
inline f32x4 interleave_low4(f32x4 a, f32x4 b) { return f32x4{a[0], b[0], a[1], b[1]}; }
inline f32x4 interleave_high4(f32x4 a, f32x4 b) { return f32x4{a[2], b[2], a[3], b[3]}; }

#endif

// pmax4(best, value): lane by lane, value where best < value, else best: the scalar
// `value > best ? value : best`, NaN and signed zeros included (wasm's f32x4.pmax, one x86 maxps).
// even_lanes / odd_lanes: lanes 0, 2 / 1, 3 of a then of b (two neighbours' left and right cells).
// where_greater4(value, best, a, b): lane by lane, a where value > best, else b (false for NaN).
// where_equal4(x, y, a, b): lane by lane, a where x == y, else b.
// interleave_low4 / interleave_high4: a0 b0 a1 b1 / a2 b2 a3 b3 (a window row's left and right cells).

// acc + a * b, as a separate multiply and add (wasm SIMD128 has no fused multiply-add).
inline f32x4 madd4(f32x4 acc, f32x4 a, f32x4 b) { return add4(acc, mul4(a, b)); }

// Copies and zero-fills of a few dozen floats (im2col's rows), written as vector moves with an
// unrolled tail: in the wasm build std::copy/std::fill become calls into a byte-oriented
// memcpy/memset that cost more than such a short move (measured: a sixth of a small network's
// forward pass). The tail has no loop, so the compiler cannot turn it back into such a call.
inline void copy_floats(float* to, const float* from, int n) {
  if (n < 4) {
    if (n > 0) to[0] = from[0];
    if (n > 1) to[1] = from[1];
    if (n > 2) to[2] = from[2];
    return;
  }
  int k = 0;
  for (; k + 4 <= n; k += 4) store4(to + k, load4(from + k));
  // the last 1-3 floats as one vector ending at n, overlapping the one before (same values)
  if (k < n) store4(to + n - 4, load4(from + n - 4));
}
inline void zero_floats(float* to, int n) {
  const f32x4 zero = splat4(0.0f);
  if (n < 4) {
    if (n > 0) to[0] = 0.0f;
    if (n > 1) to[1] = 0.0f;
    if (n > 2) to[2] = 0.0f;
    return;
  }
  int k = 0;
  for (; k + 4 <= n; k += 4) store4(to + k, zero);
  if (k < n) store4(to + n - 4, zero);
}

// x = x > 0 ? x : 0 in place (ReLU: NaN and -0 become +0): pmax4(0, x) is that rule lane by lane.
inline void relu_in_place(float* x, int n) {
  const f32x4 zero = splat4(0.0f);
  int k = 0;
  for (; k + 4 <= n; k += 4) store4(x + k, pmax4(zero, load4(x + k)));
  for (; k < n; ++k) x[k] = x[k] > 0.0f ? x[k] : 0.0f;
}

}  // namespace cnnlens::kernels
