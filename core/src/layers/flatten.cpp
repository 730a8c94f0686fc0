// Flatten keeps the row-major order, so forward and backward are reshapes of a copy.
#include "cnnlens/layers/flatten.hpp"

namespace cnnlens {

void Flatten::forward(const Tensor& input) {
  input_ = input;
  output_ = input;
  output_.reshape({input.size()});
}

void Flatten::backward(const Tensor& grad_output) {
  grad_output_ = grad_output;
  grad_input_ = grad_output;
  grad_input_.reshape(shape_of(input_));
}

}  // namespace cnnlens
