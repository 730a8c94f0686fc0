// cnnlens::Optimizer on a Param: SGD, momentum and Adam vs hand arithmetic, state keep/reset, delta.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/layer.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/optimizer.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

Param make_param(const std::vector<float>& value) {
  const Shape shape = {value.size()};
  return Param{"weight", tensor_from(value, shape), zeros(shape), {}, {}, {}, {}};
}

OptimizerSpec sgd(float lr, float momentum = 0.0f) {
  OptimizerSpec spec;
  spec.type = "sgd";
  spec.lr = lr;
  spec.momentum = momentum;
  return spec;
}

OptimizerSpec adam(float lr, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f) {
  OptimizerSpec spec;
  spec.type = "adam";
  spec.lr = lr;
  spec.beta1 = beta1;
  spec.beta2 = beta2;
  spec.eps = eps;
  return spec;
}

// Sets the gradient, then takes one step.
void step_with(Optimizer& optimizer, Param& p, const std::vector<float>& grad) {
  std::copy(grad.begin(), grad.end(), p.grad.begin());
  std::vector<Param*> params = {&p};
  ASSERT_TRUE(optimizer.step_if_finite(params));
}

bool started(const Tensor& state) { return state.dimension() > 0; }

TEST(Sgd, StepSubtractsLearningRateTimesGradient) {
  Optimizer optimizer(sgd(0.5f));
  Param p = make_param({1.0f, -2.0f});
  step_with(optimizer, p, {0.25f, -1.0f});
  // 1 - 0.5 * 0.25 = 0.875;  -2 - 0.5 * (-1) = -1.5
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.875f, -1.5f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.delta), {-0.125f, 0.5f}, 0.0, 0.0));
  EXPECT_FALSE(started(p.momentum)) << "plain SGD keeps no velocity";
  EXPECT_FALSE(started(p.velocity));
  EXPECT_EQ(optimizer.steps_taken(), 1);
}

TEST(Sgd, MomentumTwoStepsFollowTheVelocityRule) {
  Optimizer optimizer(sgd(0.5f, 0.5f));
  Param p = make_param({2.0f, 0.0f});
  // Step 1: v = g (no decay on the first step) = [1, -2];  p = [2 - 0.5*1, 0 - 0.5*(-2)] = [1.5, 1]
  step_with(optimizer, p, {1.0f, -2.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {1.0f, -2.0f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {1.5f, 1.0f}, 0.0, 0.0));
  // Step 2: v = 0.5 * [1, -2] + [0.5, 0.5] = [1, -0.5];  p = [1.5 - 0.5*1, 1 - 0.5*(-0.5)] = [1, 1.25]
  // (plain SGD would give [1.25, 0.75]: the velocity is what makes the difference)
  step_with(optimizer, p, {0.5f, 0.5f});
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {1.0f, -0.5f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {1.0f, 1.25f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.delta), {-0.5f, 0.25f}, 0.0, 0.0));
  EXPECT_EQ(optimizer.steps_taken(), 2);
}

TEST(Sgd, MomentumPoint9TwoSteps) {
  Optimizer optimizer(sgd(0.1f, 0.9f));
  Param p = make_param({1.0f});
  // Step 1: v = 0.2;  p = 1 - 0.1*0.2 = 0.98
  step_with(optimizer, p, {0.2f});
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.98f}, 1e-7, 1e-6));
  // Step 2: v = 0.9*0.2 + 0.1 = 0.28;  p = 0.98 - 0.1*0.28 = 0.952
  step_with(optimizer, p, {0.1f});
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {0.28f}, 1e-7, 1e-6));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.952f}, 1e-7, 1e-6));
}

TEST(Sgd, OneElementParamStartsItsVelocityFromTheGradient) {
  // A one-element tensor has the same size as a default (0-dimensional) Tensor: the state must
  // still count as "not started" and take the parameter's shape on the first step.
  Optimizer optimizer(sgd(0.5f, 0.5f));
  Param p = make_param({1.0f});
  EXPECT_FALSE(started(p.momentum));
  step_with(optimizer, p, {4.0f});  // v = 4;  p = 1 - 0.5*4 = -1
  EXPECT_EQ(shape_of(p.momentum), (Shape{1}));
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {4.0f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {-1.0f}, 0.0, 0.0));
}

TEST(Adam, OneElementParamStartsItsMomentsAtZero) {
  // The same trap for Adam's check before the step: whatever a default Tensor's one element holds
  // must not be read as m or v.
  Optimizer optimizer(adam(0.1f));
  Param p = make_param({1.0f});
  ASSERT_FALSE(started(p.momentum));
  if (p.momentum.size() == 1) p.momentum.data()[0] = std::numeric_limits<float>::quiet_NaN();
  if (p.velocity.size() == 1) p.velocity.data()[0] = std::numeric_limits<float>::quiet_NaN();
  step_with(optimizer, p, {4.0f});  // m = 0.4, v = 0.016: the first step moves by lr, 1 - 0.1
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.9f}, 1e-6, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {0.4f}, 1e-7, 0.0));
}

TEST(Adam, TwoStepsWithBiasCorrection) {
  Optimizer optimizer(adam(0.1f));  // beta1 0.9, beta2 0.999, eps 1e-8
  Param p = make_param({1.0f, 3.0f});
  // Step 1 (t = 1), g = 0.5:  m = 0.1*0.5 = 0.05;  v = 0.001*0.25 = 0.00025
  //   m^ = 0.05 / (1 - 0.9) = 0.5;  v^ = 0.00025 / (1 - 0.999) = 0.25;  sqrt(v^) = 0.5
  //   p = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002
  // The second element has g = 0: m = v = 0 and the update 0 / (0 + eps) leaves it at 3.
  // (beta2 is stored as float32: 0.999f = 0.99900001, so 1 - beta2 = 0.00099998713, 1.3e-5 below
  // 0.001. v carries that relative offset; the bias correction divides by the same 1 - beta2^t,
  // so the update does not. Hence the looser relative tolerance on v only.)
  step_with(optimizer, p, {0.5f, 0.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {0.05f, 0.0f}, 1e-9, 1e-6));
  EXPECT_TRUE(testing::all_close(to_vector(p.velocity), {0.00025f, 0.0f}, 1e-10, 3e-5));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.9f, 3.0f}, 1e-7, 1e-6));
  // Step 2 (t = 2), g = -1:  m = 0.9*0.05 + 0.1*(-1) = -0.055;  v = 0.999*0.00025 + 0.001*1 = 0.00124975
  //   m^ = -0.055 / (1 - 0.81) = -0.289473684;  v^ = 0.00124975 / (1 - 0.998001) = 0.625187594
  //   sqrt(v^) = 0.790688051;  update = 0.1 * -0.289473684 / 0.790688051 = -0.0366103522
  //   p = 0.900000002 + 0.0366103522 = 0.936610354
  step_with(optimizer, p, {-1.0f, 0.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {-0.055f, 0.0f}, 1e-9, 1e-6));
  EXPECT_TRUE(testing::all_close(to_vector(p.velocity), {0.00124975f, 0.0f}, 1e-10, 3e-5));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.936610354f, 3.0f}, 1e-7, 1e-6));
  EXPECT_EQ(optimizer.steps_taken(), 2);
}

TEST(Adam, TwoStepsWithCustomBetasInExactArithmetic) {
  Optimizer optimizer(adam(0.1f, 0.5f, 0.75f));
  Param p = make_param({1.0f});
  // Step 1, g = 2:  m = 0.5*2 = 1;  v = 0.25*4 = 1;  m^ = 1/0.5 = 2;  v^ = 1/0.25 = 4
  //   p = 1 - 0.1 * 2 / (2 + 1e-8) = 0.9
  step_with(optimizer, p, {2.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.9f}, 1e-7, 1e-6));
  // Step 2, g = -2:  m = 0.5*1 + 0.5*(-2) = -0.5;  v = 0.75*1 + 0.25*4 = 1.75
  //   m^ = -0.5 / (1 - 0.25) = -2/3;  v^ = 1.75 / (1 - 0.5625) = 4;  sqrt = 2
  //   p = 0.9 - 0.1 * (-2/3) / 2 = 0.9 + 1/30 = 0.933333
  step_with(optimizer, p, {-2.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.momentum), {-0.5f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.velocity), {1.75f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.9f + 1.0f / 30.0f}, 1e-7, 1e-6));
}

TEST(Adam, FirstStepMovesByTheLearningRateWhateverTheGradientScale) {
  // With bias correction the first step is lr * g / (|g| + eps): lr up to a relative eps/|g|
  // (1e-5 for g = 1e-3), for any |g| >> eps.
  for (float g : {1e-3f, 1.0f, 1e3f}) {
    Optimizer optimizer(adam(0.01f));
    Param p = make_param({0.0f});
    step_with(optimizer, p, {g});
    EXPECT_NEAR(p.value(0), -0.01, 0.01 * 2e-5) << "g = " << g;
  }
}

// A step that would overflow one value is refused as a whole: no parameter, moment, delta or
// step count changes, wherever the value sits (a whole block of four or the last 1-3 values).
TEST(OptimizerDivergence, AStepThatWouldOverflowOneValueChangesNothing) {
  for (const OptimizerSpec& spec : {sgd(3e38f), sgd(3e38f, 0.9f), adam(1e37f)}) {
    for (std::size_t at : {1u, 4u, 6u}) {
      Optimizer optimizer(spec);
      Param first = make_param({0.5f, -1.0f, 2.0f});
      Param p = make_param({1.0f, -2.0f, 0.5f, 3.0f, -0.5f, 0.25f, 2.0f});
      std::vector<Param*> params = {&first, &p};
      std::fill(first.grad.begin(), first.grad.end(), 1e-3f);
      std::fill(p.grad.begin(), p.grad.end(), 1e-3f);
      ASSERT_TRUE(optimizer.step_if_finite(params)) << spec.type << ": a small first step";
      const std::vector<std::vector<float>> before = {to_vector(first.value), to_vector(first.momentum), to_vector(first.delta),
                                                      to_vector(p.value),     to_vector(p.momentum),     to_vector(p.velocity),
                                                      to_vector(p.delta)};
      p.grad.data()[at] = -10.0f;                             // SGD: 3e38 * 10 overflows
      if (spec.type == "adam") p.value.data()[at] = 3.4e38f;  // Adam's steps are lr-sized: 3.4e38 + 7e36 overflows
      const std::vector<float> value_with_edit = to_vector(p.value);
      EXPECT_FALSE(optimizer.step_if_finite(params)) << spec.type << " at " << at;
      EXPECT_EQ(optimizer.steps_taken(), 1);
      EXPECT_EQ(to_vector(first.value), before[0]) << "an earlier parameter was updated: " << spec.type << " at " << at;
      EXPECT_EQ(to_vector(first.momentum), before[1]);
      EXPECT_EQ(to_vector(first.delta), before[2]);
      EXPECT_EQ(to_vector(p.value), value_with_edit);
      EXPECT_EQ(to_vector(p.momentum), before[4]);
      EXPECT_EQ(to_vector(p.velocity), before[5]);
      EXPECT_EQ(to_vector(p.delta), before[6]);
    }
  }
}

// The last 1-3 values are updated in a block padded with zeros; with eps 0 Adam's rule gives NaN
// in those padding lanes (0 / 0), which must neither be stored nor refuse the step.
TEST(OptimizerDivergence, ThePaddingOfTheLastBlockIsNeverChecked) {
  Optimizer optimizer(adam(0.1f, 0.9f, 0.999f, 0.0f));
  Param p = make_param({1.0f, -2.0f, 0.5f, 3.0f, -0.5f});
  std::vector<Param*> params = {&p};
  std::fill(p.grad.begin(), p.grad.end(), 0.5f);
  ASSERT_TRUE(optimizer.step_if_finite(params));
  // Adam's first step moves every value by lr against its gradient's sign
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.9f, -2.1f, 0.4f, 2.9f, -0.6f}, 1e-6, 0.0));
}

TEST(OptimizerSpecChange, ChangingOnlyTheLearningRateKeepsSgdVelocity) {
  Optimizer optimizer(sgd(0.5f, 0.5f));
  Param p = make_param({2.0f});
  std::vector<Param*> params = {&p};
  step_with(optimizer, p, {1.0f});  // v = 1, p = 1.5
  optimizer.set_spec(sgd(0.25f, 0.5f), params);
  EXPECT_TRUE(started(p.momentum));
  EXPECT_TRUE(started(p.delta));
  EXPECT_EQ(optimizer.steps_taken(), 1);
  EXPECT_EQ(optimizer.spec().lr, 0.25f);
  // v = 0.5*1 + 0.5 = 1;  p = 1.5 - 0.25*1 = 1.25 (a fresh start would give v = 0.5, p = 1.375)
  step_with(optimizer, p, {0.5f});
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {1.25f}, 0.0, 0.0));
}

TEST(OptimizerSpecChange, ChangingOnlyTheLearningRateKeepsAdamMomentsAndStepCount) {
  Optimizer optimizer(adam(0.1f, 0.5f, 0.75f));
  Param p = make_param({1.0f});
  std::vector<Param*> params = {&p};
  step_with(optimizer, p, {2.0f});  // p = 0.9 (see TwoStepsWithCustomBetasInExactArithmetic)
  optimizer.set_spec(adam(0.2f, 0.5f, 0.75f), params);
  EXPECT_EQ(optimizer.steps_taken(), 1);
  // t = 2 as before: m^ = -2/3, sqrt(v^) = 2;  p = 0.9 - 0.2 * (-2/3) / 2 = 0.9 + 1/15
  step_with(optimizer, p, {-2.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {0.9f + 1.0f / 15.0f}, 1e-7, 1e-6));
}

TEST(OptimizerSpecChange, ChangingTheTypeStartsTheStateAfresh) {
  Optimizer optimizer(sgd(0.5f, 0.5f));
  Param p = make_param({2.0f});
  std::vector<Param*> params = {&p};
  step_with(optimizer, p, {1.0f});
  ASSERT_TRUE(started(p.momentum));
  optimizer.set_spec(adam(0.1f), params);
  EXPECT_FALSE(started(p.momentum));
  EXPECT_FALSE(started(p.velocity));
  EXPECT_FALSE(started(p.delta));
  EXPECT_EQ(optimizer.steps_taken(), 0);
  // The first Adam step moves by about lr: 1.5 - 0.1 = 1.4.
  step_with(optimizer, p, {3.0f});
  EXPECT_TRUE(testing::all_close(to_vector(p.value), {1.4f}, 1e-6, 1e-6));
  EXPECT_EQ(optimizer.steps_taken(), 1);

  optimizer.set_spec(sgd(0.1f), params);
  EXPECT_FALSE(started(p.momentum));
  EXPECT_FALSE(started(p.velocity));
  EXPECT_EQ(optimizer.steps_taken(), 0);
}

TEST(OptimizerReset, ClearsEveryStateTensorAndTheStepCount) {
  Optimizer optimizer(adam(0.1f));
  Param p = make_param({1.0f, 2.0f});
  std::vector<Param*> params = {&p};
  step_with(optimizer, p, {1.0f, 1.0f});
  optimizer.reset(params);
  EXPECT_FALSE(started(p.momentum));
  EXPECT_FALSE(started(p.velocity));
  EXPECT_FALSE(started(p.delta));
  EXPECT_EQ(optimizer.steps_taken(), 0);
}

TEST(OptimizerDelta, EqualsTheChangeOfEveryStepForBothTypes) {
  for (const OptimizerSpec& spec : {sgd(0.3f), sgd(0.3f, 0.9f), adam(0.05f)}) {
    Optimizer optimizer(spec);
    Param p = make_param(testing::random_values(7, 3));
    for (int step = 0; step < 3; ++step) {
      const std::vector<float> before = to_vector(p.value);
      step_with(optimizer, p, testing::random_values(7, 10 + step));
      std::vector<float> change(7);
      for (std::size_t k = 0; k < 7; ++k) change[k] = p.value.data()[k] - before[k];
      EXPECT_EQ(shape_of(p.delta), shape_of(p.value));
      EXPECT_TRUE(testing::all_close(to_vector(p.delta), change, 0.0, 0.0)) << spec.type << " step " << step;
    }
  }
}

// ---------------------------------------------------------------- through the Model

nlohmann::json small_dense_scene() {
  return {{"input", {{"shape", {3}}, {"data", {0.5, -1.0, 2.0}}}},
          {"layers", {{{"type", "dense"}, {"out_features", 1}}, {{"type", "tanh"}}}},
          {"loss", "mse"},
          {"target", {0.25}},
          {"optimizer", {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}}}};
}

bool lists(const NodeView& node, const std::string& name) {
  for (const NamedTensor& t : node.tensors()) {
    if (t.name == name) return true;
  }
  return false;
}

TEST(ModelOptimizer, ListsOptimizerStateOnlyAfterAStep) {
  Model model = testing::model_from(small_dense_scene());
  EXPECT_FALSE(lists(model.layer(0), "weight.momentum"));
  EXPECT_FALSE(lists(model.layer(0), "bias.momentum")) << "a one-element bias has no state before a step either";
  EXPECT_FALSE(lists(model.layer(0), "weight.delta"));
  model.step();
  EXPECT_TRUE(lists(model.layer(0), "weight.momentum"));
  EXPECT_TRUE(lists(model.layer(0), "bias.momentum"));
  EXPECT_TRUE(lists(model.layer(0), "weight.delta"));
  EXPECT_FALSE(lists(model.layer(0), "weight.velocity"));
}

TEST(ModelOptimizer, SetOptimizerKeepsStateForALearningRateChangeAndResetsItForANewType) {
  Model model = testing::model_from(small_dense_scene());
  model.train(2);
  model.set_optimizer({{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}});
  EXPECT_EQ(model.optimizer().lr, 0.05);
  EXPECT_EQ(model.steps_taken(), 2);
  EXPECT_TRUE(lists(model.layer(0), "weight.momentum"));
  model.set_optimizer({{"type", "adam"}});
  EXPECT_EQ(model.optimizer().type, "adam");
  EXPECT_EQ(model.optimizer().lr, 0.001) << "Adam's default learning rate";
  EXPECT_EQ(model.steps_taken(), 0);
  EXPECT_FALSE(lists(model.layer(0), "weight.momentum"));
  model.step();
  EXPECT_TRUE(lists(model.layer(0), "weight.velocity"));
  model.reset_optimizer();
  EXPECT_EQ(model.steps_taken(), 0);
  EXPECT_FALSE(lists(model.layer(0), "weight.velocity"));
}

}  // namespace
}  // namespace cnnlens
