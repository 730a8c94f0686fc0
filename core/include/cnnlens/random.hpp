// Reproducible random numbers: std::mt19937 is fully specified, but the standard distributions
// are not (libstdc++ and libc++ differ), so the transforms to uniform and normal are our own and
// the native CLI and the wasm module draw identical parameters from the same seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace cnnlens {

class Random {
 public:
  explicit Random(std::uint32_t seed) : engine_(seed) {}

  // Uniform in [0, 1) from 24 random bits (exactly representable as float).
  float uniform01() { return static_cast<float>(engine_() >> 8) * (1.0f / 16777216.0f); }

  float uniform(float low, float high) { return low + (high - low) * uniform01(); }

  // Standard normal by Box-Muller; uses two draws per value so the sequence has no hidden state.
  float normal(float mean, float stddev) {
    const double u1 = (static_cast<double>(engine_() >> 8) + 1.0) / 16777217.0;  // in (0, 1)
    const double u2 = static_cast<double>(engine_() >> 8) / 16777216.0;
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return static_cast<float>(mean + stddev * z);
  }

 private:
  std::mt19937 engine_;
};

}  // namespace cnnlens
