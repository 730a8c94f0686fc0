// Shape helpers and conversions between flat vectors and tensors.
#include "cnnlens/tensor.hpp"

#include <algorithm>
#include <stdexcept>

namespace cnnlens {

std::string shape_to_string(const Shape& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += 'x';
    text += std::to_string(shape[i]);
  }
  return text;
}

Tensor tensor_from(const std::vector<float>& data, const Shape& shape) {
  if (data.size() != element_count(shape)) {
    throw std::logic_error("tensor_from: " + std::to_string(data.size()) + " values for shape " +
                           shape_to_string(shape));
  }
  Tensor t = Tensor::from_shape(shape);
  std::copy(data.begin(), data.end(), t.begin());
  return t;
}

std::vector<float> to_vector(const Tensor& t) { return std::vector<float>(t.begin(), t.end()); }

}  // namespace cnnlens
