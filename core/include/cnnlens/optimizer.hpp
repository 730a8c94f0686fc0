// Gradient descent: SGD (momentum, Nesterov, weight decay), Adam and AdamW, with PyTorch's update rules. Per-parameter state
// lives in each Param (momentum, velocity, delta), so the page can show it as matrices.
#pragma once

#include <vector>

#include "cnnlens/layer.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {

class Optimizer {
 public:
  explicit Optimizer(const OptimizerSpec& spec) : spec_(spec) {}

  const OptimizerSpec& spec() const { return spec_; }

  // Changing only the hyper-parameters keeps the state; changing the type starts it afresh.
  void set_spec(const OptimizerSpec& spec, std::vector<Param*>& params);

  // Updates every parameter from its grad and records the change in Param::delta.
  void step(std::vector<Param*>& params);

  int steps_taken() const { return steps_taken_; }
  // Puts the step count back, e.g. when a diverging update is undone with the Params' state.
  void set_steps_taken(int steps) { steps_taken_ = steps; }
  void reset(std::vector<Param*>& params);

 private:
  void sgd_update(Param& p) const;
  void adam_update(Param& p) const;

  OptimizerSpec spec_;
  int steps_taken_ = 0;  // Adam's t
  mutable Tensor decayed_;  // scratch: SGD's gradient plus weight decay
};

}  // namespace cnnlens
