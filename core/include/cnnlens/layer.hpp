// The layer interface: a forward/backward pair that owns every buffer the visualizer may show,
// listed by name so the page and the trace discover tensors without knowing each layer kind.
#pragma once

#include <string>
#include <vector>

#include "cnnlens/tensor.hpp"

namespace cnnlens {

// A learnable tensor with its gradient and the optimizer's per-parameter state.
struct Param {
  std::string name;  // "weight" or "bias"
  Tensor value;
  Tensor grad;       // dL/d(value), same shape; backward() accumulates into it
  // Optimizer state; a default Tensor (dimension 0) means "not started yet".
  Tensor momentum;   // SGD velocity, or Adam's first moment m
  Tensor velocity;   // Adam's second moment v (empty unless Adam ran)
  Tensor delta;      // the change the last optimizer step made (empty before any step)
};

// A non-owning name -> tensor pair, valid until the layer is changed or destroyed.
struct NamedTensor {
  std::string name;
  const Tensor* tensor;
};

class Layer {
 public:
  virtual ~Layer() = default;

  virtual const char* type() const = 0;

  // Reads `input`, fills output(). Keeps a copy of the input for backward and for display.
  virtual void forward(const Tensor& input) = 0;

  // Reads dL/d(output), fills grad_input() and adds into every param's grad.
  virtual void backward(const Tensor& grad_output) = 0;

  const Tensor& input() const { return input_; }
  const Tensor& output() const { return output_; }
  const Tensor& grad_output() const { return grad_output_; }
  const Tensor& grad_input() const { return grad_input_; }

  std::vector<Param>& params() { return params_; }
  const std::vector<Param>& params() const { return params_; }
  Param* find_param(const std::string& name);

  void zero_grad();

  // Every tensor of this layer by name: input, output, grad_output, grad_input, then for each
  // param "weight", "weight.grad", and its optimizer state ("weight.momentum", "weight.velocity",
  // "weight.delta") once it exists, then layer-specific caches (e.g. "argmax").
  std::vector<NamedTensor> tensors() const;

 protected:
  virtual void list_caches(std::vector<NamedTensor>& /*out*/) const {}

  Tensor input_;        // what forward() last read
  Tensor output_;       // what forward() last wrote
  Tensor grad_output_;  // what backward() last read
  Tensor grad_input_;   // what backward() last wrote
  std::vector<Param> params_;
};

}  // namespace cnnlens
