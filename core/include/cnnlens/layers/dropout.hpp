// dropout: zeroes each value with probability p while training (PyTorch's nn.Dropout), any shape.
//
// Forward:  train mode: y = x * mask / (1 - p), mask[k] = 1 (kept, probability 1 - p) or 0;
//           eval mode: y = x (mask all ones).
//           The mask is a pure function of (context.seed, context.step, context.node_index):
//           splitmix64 mixes the three into the uint32 seed of a cnnlens::Random, and element k
//           (row-major, batch-first) is kept when its uniform01() >= p. The model's step counts
//           optimizer steps taken, so the display pass after step k draws the very mask step k+1
//           will train with (it draws nothing new), identically on every platform.
// Backward: y is linear in x with the mask fixed: dL/dx = g * mask / (1 - p) (eval: g).
// Buffers:  input, output and mask [N, ...] (mask: role "mask", values 0 or 1).
#pragma once

#include <cstdint>

#include "cnnlens/kind.hpp"

namespace cnnlens {

const LayerKind& dropout_kind();

// The seed of the mask of node `node_index` at optimizer step `step` of a scene seeded `seed`.
std::uint32_t dropout_mask_seed(std::uint32_t seed, std::uint64_t step, std::uint64_t node_index);

class Dropout : public Layer {
 public:
  Dropout(double p, std::vector<Buffer> buffers);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;

  double p() const { return p_; }
  const Tensor& mask() const { return buffers_[0].value; }

 private:
  double p_;
  float scale_ = 1.0f;  // 1 / (1 - p) in train mode, 1 in eval mode: what the last forward applied
};

}  // namespace cnnlens
