// A four-lane float vector for the hot loops: WebAssembly SIMD128 intrinsics when the wasm build
// enables them (-msimd128), GCC/Clang vector extensions otherwise (SSE natively). Only the few
// operations the kernels need; every load and store is unaligned.
#pragma once

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
inline f32x4 add4(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
inline f32x4 mul4(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
inline float sum4(f32x4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#else

typedef float f32x4 __attribute__((vector_size(16)));
inline f32x4 load4(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }
inline f32x4 splat4(float x) { return f32x4{x, x, x, x}; }
inline f32x4 add4(f32x4 a, f32x4 b) { return a + b; }
inline f32x4 mul4(f32x4 a, f32x4 b) { return a * b; }
inline float sum4(f32x4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

#endif

// acc + a * b, as a separate multiply and add (wasm SIMD128 has no fused multiply-add).
inline f32x4 madd4(f32x4 acc, f32x4 a, f32x4 b) { return add4(acc, mul4(a, b)); }

}  // namespace cnnlens::kernels
