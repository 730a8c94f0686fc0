// Gradient descent: SGD (momentum, Nesterov, weight decay), Adam and AdamW, with PyTorch's update rules. Per-parameter state
// lives in each Param (momentum, velocity, delta), so the page can show it as matrices.
#pragma once

#include <string>
#include <vector>

#include "cnnlens/layer.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {

// One parameter's optimizer state, copied out: empty vectors mean "not started yet".
struct ParamState {
  std::string node;             // the node's id and the param's name ("weight"): checked on restore
  std::string name;
  std::vector<float> momentum;  // SGD velocity or Adam's m
  std::vector<float> velocity;  // Adam's v
  std::vector<float> delta;     // the last step's change
};

// Everything training leaves behind besides the parameters, so undo/redo can put it back
// exactly: rebuilding the model from its scene would restart Adam's t and moments.
struct OptimizerState {
  int steps = 0;                    // optimizer steps taken (Adam's t)
  std::vector<ParamState> params;   // every node's params, in node order
  std::vector<float> loss_history;  // the recent losses (Model::loss_history)
};

class Optimizer {
 public:
  explicit Optimizer(const OptimizerSpec& spec) : spec_(spec), rule_(rule_of(spec)) {}

  const OptimizerSpec& spec() const { return spec_; }

  // Changing only the hyper-parameters keeps the state; changing the type starts it afresh.
  void set_spec(const OptimizerSpec& spec, std::vector<Param*>& params);

  // Updates every parameter from its grad and records the change in Param::delta, unless the
  // update would make a value infinite or NaN: then returns false and changes nothing.
  bool step_if_finite(std::vector<Param*>& params);

  int steps_taken() const { return steps_taken_; }
  // Puts the step count back, as undo does with the rest of an OptimizerState.
  void set_steps_taken(int steps) { steps_taken_ = steps; }
  void reset(std::vector<Param*>& params);

 private:
  // One parameter's update for optimizer step `step`: with `commit` written, without only
  // checked (returns whether every new value is finite).
  bool update(Param& p, int step, bool commit) const;
  bool sgd_update(Param& p, bool commit) const;
  bool adam_update(Param& p, int step, bool commit) const;

  // spec_.type, read once: a string compared per parameter and step was a tenth of a small
  // network's step (the classic example's)
  enum class Rule { kSgd, kAdam, kAdamW };
  static Rule rule_of(const OptimizerSpec& spec) {
    return spec.type == "adamw" ? Rule::kAdamW : spec.type == "adam" ? Rule::kAdam : Rule::kSgd;
  }

  OptimizerSpec spec_;
  Rule rule_;
  int steps_taken_ = 0;  // Adam's t
};

}  // namespace cnnlens
