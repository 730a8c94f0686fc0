// The one place that includes xtensor: the tensor type every layer stores and the shape helpers.
// Debian's xtensor 0.24 uses flat include paths; keeping them here makes an upgrade a one-file edit.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

namespace cnnlens {

// Float32 tensor in row-major order: [C, H, W] for maps, [N] for vectors, [O, I, KH, KW] for kernels.
using Tensor = xt::xarray<float, xt::layout_type::row_major>;
using Shape = std::vector<std::size_t>;

inline Shape shape_of(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end()); }

inline std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

// "2x4x4" — the spelling used in messages and labels.
std::string shape_to_string(const Shape& shape);

inline Tensor zeros(const Shape& shape) {
  Tensor t = Tensor::from_shape(shape);
  t.fill(0.0f);
  return t;
}

// Gives `t` the shape `shape` (any container of sizes), reallocating only when the element
// count changes, so layers reuse their buffers from step to step. Contents are unspecified.
template <typename ShapeLike>
void reshape_to(Tensor& t, const ShapeLike& shape) {
  if (t.dimension() == shape.size() && std::equal(shape.begin(), shape.end(), t.shape().begin())) return;
  std::size_t count = 1;
  for (auto d : shape) count *= static_cast<std::size_t>(d);
  if (t.size() == count && t.dimension() > 0) {
    t.reshape(shape);
  } else {
    t.resize(shape);
  }
}

// dst = src, reusing dst's storage when the sizes match.
inline void copy_into(Tensor& dst, const Tensor& src) {
  reshape_to(dst, src.shape());
  std::copy_n(src.data(), src.size(), dst.data());  // raw storage: xtensor's iterators step per element
}

// Copies a flat row-major vector into a tensor of the given shape (sizes must match).
Tensor tensor_from(const std::vector<float>& data, const Shape& shape);
std::vector<float> to_vector(const Tensor& t);

}  // namespace cnnlens
