// Flatten keeps the row-major order, so forward and backward are reshapes of a copy.
#include "cnnlens/layers/flatten.hpp"

#include <algorithm>
#include <array>

namespace cnnlens {

void Flatten::forward(const Tensor& input) {
  copy_into(input_, input);
  reshape_to(output_, std::array<std::size_t, 1>{input.size()});
  std::copy(input.begin(), input.end(), output_.begin());
}

void Flatten::backward(const Tensor& grad_output) {
  copy_into(grad_output_, grad_output);
  reshape_to(grad_input_, input_.shape());
  std::copy(grad_output.begin(), grad_output.end(), grad_input_.begin());
}

}  // namespace cnnlens
