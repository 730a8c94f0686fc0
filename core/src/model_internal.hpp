// Small helpers shared by the Model's two halves: the façade (model.cpp) and the executor's hot
// loops (executor.cpp). Internal to the core; not part of the public headers.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "cnnlens/error.hpp"
#include "cnnlens/kernels/simd.hpp"

namespace cnnlens::detail {

// x * 0 is NaN exactly when x is infinite or NaN, and 0 otherwise: one NaN-propagating sum over
// four lanes checks a whole tensor without a branch per value (every parameter is checked at
// every step, setParameters and setGradients check what they are given).
inline bool all_finite(const float* values, std::size_t count) {
  using namespace kernels;
  const f32x4 zero = splat4(0.0f);
  f32x4 acc = zero;
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) acc = add4(acc, mul4(load4(values + k), zero));
  float rest = sum4(acc);
  for (; k < count; ++k) rest += values[k] * 0.0f;
  return !std::isnan(rest);
}

// Where an error about a model-wide setting (loss, optimizer, batch, input, ...) points.
inline ErrorPlace field_place(const std::string& field) { return {"", 0, "", field}; }

}  // namespace cnnlens::detail
