// The Model façade: setters, rejected calls changing nothing, seeded init, divergence, explain_* sums.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/explain.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/random.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Model classic() { return Model::from_json(testing::read_text("examples/classic.json")); }

// A trace without the loss history: what a model freshly built from to_scene_json() must match.
std::string state_text(const Model& model) {
  json t = trace(model);
  t.erase("loss_history");
  return t.dump();
}

// The state rule: after any change the model equals one built afresh from its own scene.
void expect_consistent(const Model& model) {
  const Model fresh = Model::from_json(model.to_scene_json().dump());
  EXPECT_TRUE(testing::same_json_text(state_text(model), state_text(fresh))) << "the model was not refreshed after the change";
}

std::vector<float> all_values(Model& model) {
  std::vector<float> values;
  for (Param* p : model.all_params()) {
    const std::vector<float> v = to_vector(p->value);
    values.insert(values.end(), v.begin(), v.end());
  }
  return values;
}

bool all_finite(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

// `call` must throw SceneError mentioning `fragment` and leave the model byte-identical.
void expect_rejected_unchanged(Model& model, const std::function<void()>& call, const std::string& fragment,
                               const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  const std::string trace_before = testing::trace_text(model);
  const std::string tensors_before = testing::all_tensors_text(model);
  const std::string scene_before = model.to_scene_json().dump();
  const int steps_before = model.steps_taken();
  try {
    call();
    ADD_FAILURE_AT(file, line) << "accepted; expected an error with \"" << fragment << "\"";
  } catch (const SceneError& e) {
    if (std::string(e.what()).find(fragment) == std::string::npos) {
      ADD_FAILURE_AT(file, line) << "message \"" << e.what() << "\" lacks \"" << fragment << "\"";
    }
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(file, line) << "threw a non-SceneError exception: " << e.what();
  }
  if (const auto same = testing::same_json_text(testing::trace_text(model), trace_before); !same) {
    ADD_FAILURE_AT(file, line) << "the trace changed: " << same.message();
  }
  if (const auto same = testing::same_json_text(testing::all_tensors_text(model), tensors_before); !same) {
    ADD_FAILURE_AT(file, line) << "layer tensors changed: " << same.message();
  }
  if (model.to_scene_json().dump() != scene_before) ADD_FAILURE_AT(file, line) << "the scene changed";
  if (model.steps_taken() != steps_before) {
    ADD_FAILURE_AT(file, line) << "steps_taken changed from " << steps_before << " to " << model.steps_taken();
  }
}

float conv_out(const Model& model, std::size_t c, std::size_t r, std::size_t s) { return model.layer(0).output()(c, r, s); }

// ---------------------------------------------------------------- setters change the outputs

TEST(ModelSetters, SetInputCellChangesTheConvolutionByWeightTimesChange) {
  Model model = classic();
  ASSERT_EQ(conv_out(model, 0, 0, 0), 3.0f);
  ASSERT_EQ(conv_out(model, 1, 0, 0), -1.0f);
  // Input (0, 0) goes 1 -> 0: filter 1 has weight 1 there (3 -> 2), filter 2 weight -1 (-1 -> 0).
  model.set_input_cell(0, 0, 0, 0.0f);
  EXPECT_EQ(model.input()(0, 0, 0), 0.0f);
  EXPECT_EQ(conv_out(model, 0, 0, 0), 2.0f);
  EXPECT_EQ(conv_out(model, 1, 0, 0), 0.0f);
  expect_consistent(model);
}

TEST(ModelSetters, SetInputOfZerosLeavesOnlyTheBiases) {
  Model model = classic();
  model.set_input(std::vector<float>(36, 0.0f));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(0).output()), std::vector<float>(32, 0.0f), 0.0, 0.0));
  // With a zero input the dense layer's output is its bias, and the sigmoid of it follows.
  const Tensor& dense_bias = model.layer(3).params()[1].value;
  const std::vector<float> expected = {1.0f / (1.0f + std::exp(-dense_bias(0))), 1.0f / (1.0f + std::exp(-dense_bias(1)))};
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(4).output()), expected, 1e-6, 1e-6));
  expect_consistent(model);
}

TEST(ModelSetters, SetParamReplacesAWholeTensor) {
  Model model = classic();
  const std::vector<float> before = to_vector(model.layer(0).output());
  model.set_param(0, "bias", {1.0f, -2.0f});
  std::vector<float> expected = before;
  for (std::size_t k = 0; k < 16; ++k) expected[k] += 1.0f;
  for (std::size_t k = 16; k < 32; ++k) expected[k] -= 2.0f;
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(0).output()), expected, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(0).params()[1].value), {1.0f, -2.0f}, 0.0, 0.0));
  expect_consistent(model);
}

TEST(ModelSetters, SetParamElementChangesOneWeight) {
  Model model = classic();
  // Weight [0, 0, 0, 0] goes 1 -> 2; output (0, 0, 0) reads input (0, 0) = 1 through it: 3 -> 4.
  model.set_param_element(0, "weight", 0, 2.0f);
  EXPECT_EQ(model.layer(0).params()[0].value(0, 0, 0, 0), 2.0f);
  EXPECT_EQ(conv_out(model, 0, 0, 0), 4.0f);
  EXPECT_EQ(conv_out(model, 0, 0, 1), -1.0f) << "input (0, 1) = 0, so this cell does not change";
  EXPECT_EQ(conv_out(model, 1, 0, 0), -1.0f) << "filter 2 is untouched";
  expect_consistent(model);
}

TEST(ModelSetters, SetTargetChangesTheMseLossAndItsGradient) {
  Model model = classic();
  model.set_target(json::array({0, 1}));
  const float y0 = model.layer(4).output()(0), y1 = model.layer(4).output()(1);
  EXPECT_NEAR(model.loss(), (y0 * y0 + (y1 - 1) * (y1 - 1)) / 2.0, 1e-6);
  EXPECT_TRUE(testing::all_close(to_vector(model.target()), {0.0f, 1.0f}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(model.loss_grad()), {y0, y1 - 1.0f}, 1e-6, 1e-6));  // 2 (y - t) / 2
  expect_consistent(model);
}

json cross_entropy_scene() {
  return {{"input", {{"shape", {4}}, {"data", {0.5, -1.0, 0.25, 2.0}}}},
          {"layers", {{{"type", "dense"}, {"out_features", 3}}}},
          {"loss", "cross_entropy"},
          {"target", 0},
          {"seed", 3}};
}

TEST(ModelSetters, SetTargetChangesTheCrossEntropyClass) {
  Model model = testing::model_from(cross_entropy_scene());
  model.set_target(2);
  EXPECT_TRUE(testing::all_close(to_vector(model.target()), {0.0f, 0.0f, 1.0f}, 0.0, 0.0));
  const Tensor& z = model.layer(0).output();
  const double log_sum_exp = std::log(std::exp(double(z(0))) + std::exp(double(z(1))) + std::exp(double(z(2))));
  EXPECT_NEAR(model.loss(), log_sum_exp - z(2), 1e-6);
  EXPECT_LT(model.loss_grad()(2), 0.0f);
  expect_consistent(model);
}

TEST(ModelSetters, SetOptimizerChangesTheNextStep) {
  Model fast = classic();
  Model slow = classic();
  slow.set_optimizer({{"type", "sgd"}, {"lr", 0.25}});
  EXPECT_EQ(slow.optimizer().lr, 0.25f);
  fast.step();
  slow.step();
  // Plain SGD: delta = -lr * grad, and both started from the same gradient.
  std::vector<float> half = to_vector(fast.layer(3).params()[0].delta);
  for (float& v : half) v *= 0.5f;
  EXPECT_TRUE(testing::all_close(to_vector(slow.layer(3).params()[0].delta), half, 1e-7, 1e-5));
}

TEST(ModelSetters, StepReturnsTheLossBeforeTheUpdateAndRefreshes) {
  Model model = classic();
  const float before = model.loss();
  EXPECT_EQ(model.step(), before);
  EXPECT_NE(model.loss(), before);
  EXPECT_EQ(model.loss_history(), std::vector<float>{before});
  EXPECT_EQ(model.steps_taken(), 1);
  expect_consistent(model);
}

TEST(ModelSetters, LossHistoryStaysBoundedOnLongRuns) {
  json scene = cross_entropy_scene();
  scene["optimizer"] = {{"type", "sgd"}, {"lr", 0.01}};
  Model model = testing::model_from(scene);
  const std::vector<float> losses = model.train(10001);
  ASSERT_EQ(losses.size(), 10001u);
  EXPECT_GE(model.loss_history().size(), 5000u);
  EXPECT_LE(model.loss_history().size(), 10000u);
  EXPECT_EQ(model.loss_history().back(), losses.back());
  EXPECT_EQ(model.steps_taken(), 10001);
}

// ---------------------------------------------------------------- bad arguments change nothing

TEST(ModelRejects, BadInputsAndLeavesTheModelUnchanged) {
  Model model = classic();
  model.step();  // so there is optimizer state and history to keep as well
  expect_rejected_unchanged(model, [&] { model.set_input(std::vector<float>(35, 0.0f)); }, "input: got 35 values, expected 36");
  expect_rejected_unchanged(model, [&] { model.set_input(std::vector<float>(37, 0.0f)); }, "expected 36 (1x6x6)");
  std::vector<float> with_nan(36, 0.0f);
  with_nan[17] = kNaN;
  expect_rejected_unchanged(model, [&] { model.set_input(with_nan); }, "input: every value must be a finite number");
  with_nan[17] = -kInf;
  expect_rejected_unchanged(model, [&] { model.set_input(with_nan); }, "finite");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(1, 0, 0, 1.0f); }, "input: cell (1, 0, 0) is outside the input 1x6x6");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(0, 6, 0, 1.0f); }, "is outside the input 1x6x6");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(0, 0, -1, 1.0f); }, "is outside the input 1x6x6");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(0, 0, 0, kNaN); }, "input value must be a finite number");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(0, 0, 0, kInf); }, "input value must be a finite number");
}

// An update that overflows a weight (an input of 1e38 makes its gradient about 1e38, times lr
// 100): the step is refused, and the weights, the momentum, the last deltas, the step count and
// the loss history stay as the step before left them. (Adam's steps are at most about lr long,
// so only its moments can overflow, and those are not checked.)
TEST(ModelRejects, ADivergingStepAndKeepsTheLastFiniteState) {
  json scene = cross_entropy_scene();
  scene["optimizer"] = {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}};
  Model model = testing::model_from(scene);
  model.step();
  model.set_input({0.5f, -1.0f, 0.25f, 1e38f});
  // class 1 wins (z = 0, 1e38, 0) against the target 0: dL/dz = (-1, 1, 0), dL/dw[1][3] = 1e38
  model.set_param(0, "weight", {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0});
  model.set_param(0, "bias", {0, 0, 0});
  model.set_optimizer({{"type", "sgd"}, {"lr", 100.0}, {"momentum", 0.9}});
  const auto history = model.loss_history();
  expect_rejected_unchanged(model, [&] { model.step(); }, "is probably too high); the last finite state is kept");
  EXPECT_EQ(model.loss_history(), history);
}

TEST(ModelRejects, BadCellsOfAVectorInput) {
  Model model = testing::model_from(cross_entropy_scene());
  model.set_input_cell(0, 0, 3, 1.5f);
  EXPECT_EQ(model.input()(3), 1.5f);
  expect_rejected_unchanged(model, [&] { model.set_input_cell(0, 0, 4, 1.0f); }, "input: cell (0, 0, 4) is outside the input 4");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(1, 0, 0, 1.0f); }, "is outside the input 4");
  expect_rejected_unchanged(model, [&] { model.set_input_cell(0, 1, 0, 1.0f); }, "is outside the input 4");
}

TEST(ModelRejects, BadParametersAndLeavesTheModelUnchanged) {
  Model model = classic();
  model.step();
  expect_rejected_unchanged(model, [&] { model.set_param(0, "gamma", {1.0f, 2.0f}); }, "layer 1 (conv2d): has no parameter \"gamma\"");
  expect_rejected_unchanged(model, [&] { model.set_param(1, "weight", {1.0f}); }, "layer 2 (maxpool2d): has no parameter \"weight\"");
  expect_rejected_unchanged(model, [&] { model.set_param(9, "weight", {1.0f}); }, "layer 9 does not exist (the network has 5 layers)");
  expect_rejected_unchanged(model, [&] { model.set_param(0, "bias", {1.0f, 2.0f, 3.0f}); },
                            "layer 1 (conv2d): bias needs 2 values (2), got 3");
  expect_rejected_unchanged(model, [&] { model.set_param(0, "weight", std::vector<float>(17, 0.0f)); },
                            "weight needs 18 values (2x1x3x3), got 17");
  expect_rejected_unchanged(model, [&] { model.set_param(0, "bias", {1.0f, kNaN}); }, "bias: every value must be a finite number");
  expect_rejected_unchanged(model, [&] { model.set_param_element(0, "weight", 18, 1.0f); },
                            "weight element 18 is out of range (it has 18)");
  expect_rejected_unchanged(model, [&] { model.set_param_element(0, "weight", 0, kInf); }, "weight value must be a finite number");
  expect_rejected_unchanged(model, [&] { model.set_param_element(0, "kernel", 0, 1.0f); }, "has no parameter \"kernel\"");
  expect_rejected_unchanged(model, [&] { model.set_param_element(5, "bias", 0, 1.0f); }, "layer 5 does not exist");
  expect_rejected_unchanged(model, [&] { model.set_param_element(4, "bias", 0, 1.0f); }, "layer 5 (sigmoid): has no parameter \"bias\"");
}

TEST(ModelRejects, BadTargetsAndLeavesTheModelUnchanged) {
  Model model = classic();
  expect_rejected_unchanged(model, [&] { model.set_target(json::array({1})); }, "target has 1 values, but the network's output 2 has 2");
  expect_rejected_unchanged(model, [&] { model.set_target(json::array({1, 0, 0})); }, "target has 3 values");
  expect_rejected_unchanged(model, [&] { model.set_target(json::array({1, std::nan("")})); }, "target[1] must be a finite number");
  expect_rejected_unchanged(model, [&] { model.set_target(json::array({1, "0"})); }, "target[1] must be a number, got string");
  expect_rejected_unchanged(model, [&] { model.set_target(1); }, "target must be an array of numbers, got number");

  Model ce = testing::model_from(cross_entropy_scene());
  expect_rejected_unchanged(ce, [&] { ce.set_target(3); }, "target class 3 is out of range: the output has 3 classes (0 to 2)");
  expect_rejected_unchanged(ce, [&] { ce.set_target(-1); }, "target class -1 is out of range");
  expect_rejected_unchanged(ce, [&] { ce.set_target(1.5); }, "target class must be an integer");
  expect_rejected_unchanged(ce, [&] { ce.set_target(json::array({0, 1, 0})); }, "target class must be an integer, got array");
}

TEST(ModelRejects, BadOptimizerSettingsAndLeavesTheModelUnchanged) {
  Model model = classic();
  model.set_optimizer({{"type", "sgd"}, {"lr", 0.5}, {"momentum", 0.9}});
  model.step();
  const OptimizerSpec before = model.optimizer();
  expect_rejected_unchanged(model, [&] { model.set_optimizer({{"type", "rmsprop"}}); }, "unknown optimizer type \"rmsprop\"");
  expect_rejected_unchanged(model, [&] { model.set_optimizer({{"type", "sgd"}, {"lr", 0}}); }, "lr 0 must be in (0");
  expect_rejected_unchanged(model, [&] { model.set_optimizer({{"type", "sgd"}, {"momentum", 1}}); }, "momentum 1 must be in [0");
  expect_rejected_unchanged(model, [&] { model.set_optimizer({{"type", "adam"}, {"beta2", 1}}); }, "beta2 1 must be in [0");
  expect_rejected_unchanged(model, [&] { model.set_optimizer("adam"); }, "optimizer: expected an object");
  EXPECT_EQ(model.optimizer().type, before.type);
  EXPECT_EQ(model.optimizer().lr, before.lr);
  EXPECT_EQ(model.optimizer().momentum, before.momentum);
}

TEST(ModelRejects, BadStepCountsAndLayerIndices) {
  Model model = classic();
  expect_rejected_unchanged(model, [&] { model.train(-1); }, "train: steps must be between 0 and 1000000");
  expect_rejected_unchanged(model, [&] { model.train(1000001); }, "train: steps must be between 0 and 1000000");
  expect_rejected_unchanged(model, [&] { model.layer(5); }, "layer 5 does not exist");
  expect_rejected_unchanged(model, [&] { model.mutable_layer(100); }, "layer 100 does not exist");
  EXPECT_TRUE(model.train(0).empty());
}

TEST(ModelTensors, EveryLayerListsItsBuffersByName) {
  Model model = classic();
  const auto names = [&](std::size_t index) {
    std::vector<std::string> out;
    for (const NamedTensor& t : model.layer(index).tensors()) out.push_back(t.name);
    return out;
  };
  EXPECT_EQ(names(0), (std::vector<std::string>{"input", "output", "grad_output", "grad_input", "weight", "weight.grad",
                                                "bias", "bias.grad"}));
  EXPECT_EQ(names(1), (std::vector<std::string>{"input", "output", "grad_output", "grad_input", "argmax"}));
  EXPECT_EQ(names(4), (std::vector<std::string>{"input", "output", "grad_output", "grad_input"}));
  // argmax holds each pooled cell's flat input index: filter 1's top-left block wins at (0, 0).
  const Tensor& argmax = *model.layer(1).tensors().back().tensor;
  EXPECT_EQ(shape_of(argmax), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(argmax(0, 0, 0), 0.0f);
  model.step();  // plain SGD: a delta but no velocity
  EXPECT_EQ(names(3), (std::vector<std::string>{"input", "output", "grad_output", "grad_input", "weight", "weight.grad",
                                                "weight.delta", "bias", "bias.grad", "bias.delta"}));
}

// ---------------------------------------------------------------- seeded initialisation

json unseeded_scene(std::uint32_t seed) {
  return {{"input", {{"shape", {3, 8, 8}}, {"data", testing::random_values(192, 4)}}},
          {"layers",
           {{{"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}},
            {{"type", "relu"}},
            {{"type", "flatten"}},
            {{"type", "dense"}, {"out_features", 5}},
            {{"type", "tanh"}}}},
          {"loss", "mse"},
          {"target", std::vector<float>(5, 0.0f)},
          {"seed", seed}};
}

TEST(ModelInitialisation, SameSeedGivesTheSameParametersAndADifferentSeedDifferentOnes) {
  Model a = testing::model_from(unseeded_scene(3));
  Model b = testing::model_from(unseeded_scene(3));
  Model c = testing::model_from(unseeded_scene(4));
  EXPECT_EQ(all_values(a), all_values(b));
  EXPECT_TRUE(testing::same_json_text(testing::trace_text(b), testing::trace_text(a)));
  EXPECT_NE(to_vector(a.layer(0).params()[0].value), to_vector(c.layer(0).params()[0].value));
  EXPECT_NE(to_vector(a.layer(3).params()[0].value), to_vector(c.layer(3).params()[0].value));
}

TEST(ModelInitialisation, BiasesStartAtZeroAndGivenParametersAreKeptVerbatim) {
  const Model model = testing::model_from(unseeded_scene(3));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(0).params()[1].value), std::vector<float>(4, 0.0f), 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(3).params()[1].value), std::vector<float>(5, 0.0f), 0.0, 0.0));
  json given = unseeded_scene(3);
  const std::vector<float> weights = testing::random_values(4 * 3 * 9, 77);
  given["layers"][0]["weight"] = weights;
  given["layers"][0]["bias"] = {0.5, -0.5, 0.25, 1};
  for (std::uint32_t seed : {1u, 2u}) {
    given["seed"] = seed;
    const Model m = testing::model_from(given);
    EXPECT_EQ(to_vector(m.layer(0).params()[0].value), weights);
    EXPECT_TRUE(testing::all_close(to_vector(m.layer(0).params()[1].value), {0.5f, -0.5f, 0.25f, 1.0f}, 0.0, 0.0));
  }
}

TEST(ModelInitialisation, DrawsLayerByLayerInSceneOrderWithTheDocumentedGenerator) {
  // dense 3 -> 2 (Xavier, a = sqrt(6 / 5)) then dense 2 -> 2 (Xavier, a = sqrt(6 / 4)), seed 42:
  // one generator, layer 0's six weights first, then layer 2's four.
  json scene = {{"input", {{"shape", {3}}, {"data", {1, 2, 3}}}},
                {"layers", {{{"type", "dense"}, {"out_features", 2}}, {{"type", "sigmoid"}}, {{"type", "dense"}, {"out_features", 2}}}},
                {"loss", "mse"},
                {"target", {0, 0}},
                {"seed", 42}};
  const Model model = testing::model_from(scene);
  Random random(42);
  std::vector<float> first(6), second(4);
  const float a0 = std::sqrt(6.0f / 5.0f), a2 = std::sqrt(6.0f / 4.0f);
  for (float& w : first) w = random.uniform(-a0, a0);
  for (float& w : second) w = random.uniform(-a2, a2);
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(0).params()[0].value), first, 1e-7, 1e-6));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(2).params()[0].value), second, 1e-7, 1e-6));
}

struct Stats {
  double mean = 0, stddev = 0, max_abs = 0, beyond_two_sigma = 0;
};

Stats stats_of(const std::vector<float>& values, double sigma) {
  Stats s;
  for (float v : values) s.mean += v;
  s.mean /= double(values.size());
  for (float v : values) {
    s.stddev += (v - s.mean) * (v - s.mean);
    s.max_abs = std::max(s.max_abs, double(std::fabs(v)));
    if (std::fabs(v) > 2 * sigma) s.beyond_two_sigma += 1;
  }
  s.stddev = std::sqrt(s.stddev / double(values.size()));
  s.beyond_two_sigma /= double(values.size());
  return s;
}

json net_scene(const json& first_layer, const std::string& next, const Shape& input_shape) {
  const std::size_t n = element_count(input_shape);
  json layers = {first_layer, {{"type", next}}};
  if (input_shape.size() == 3) layers.push_back({{"type", "flatten"}});
  return {{"input", {{"shape", input_shape}, {"data", std::vector<float>(n, 0.5f)}}},
          {"layers", layers},
          {"loss", "cross_entropy"},
          {"target", 0},
          {"seed", 11}};
}

TEST(ModelInitialisation, XavierUniformStaysWithinItsBoundForDenseAndConv) {
  {  // dense 100 -> 50 before a sigmoid: a = sqrt(6 / 150) = 0.2
    const Model model = testing::model_from(net_scene({{"type", "dense"}, {"out_features", 50}}, "sigmoid", {100}));
    const double a = std::sqrt(6.0 / 150.0);
    const Stats s = stats_of(to_vector(model.layer(0).params()[0].value), a / std::sqrt(3.0));
    EXPECT_LE(s.max_abs, a);
    EXPECT_GT(s.max_abs, 0.95 * a);
    EXPECT_NEAR(s.stddev, a / std::sqrt(3.0), 0.05 * a / std::sqrt(3.0));  // uniform(-a, a) has std a / sqrt(3)
    EXPECT_NEAR(s.mean, 0.0, 0.05 * a);
  }
  {  // conv 4 -> 8 channels, 3x3, before a tanh: fan_in 36, fan_out 72, a = sqrt(6 / 108)
    json conv = {{"type", "conv2d"}, {"out_channels", 8}, {"kernel_size", 3}};
    json scene = net_scene(conv, "tanh", {4, 5, 5});
    scene["loss"] = "mse";
    scene["target"] = std::vector<float>(8 * 9, 0.0f);
    const Model model = testing::model_from(scene);
    const double a = std::sqrt(6.0 / 108.0);
    const Stats s = stats_of(to_vector(model.layer(0).params()[0].value), a / std::sqrt(3.0));
    EXPECT_LE(s.max_abs, a);
    EXPECT_GT(s.max_abs, 0.9 * a);
    EXPECT_NEAR(s.stddev, a / std::sqrt(3.0), 0.1 * a / std::sqrt(3.0));
  }
}

TEST(ModelInitialisation, HeNormalBeforeReluLikeLayersHasTheDocumentedSpread) {
  {  // dense 200 -> 100 before a relu: std = sqrt(2 / 200) = 0.1
    const Model model = testing::model_from(net_scene({{"type", "dense"}, {"out_features", 100}}, "relu", {200}));
    const double sigma = 0.1;
    const Stats s = stats_of(to_vector(model.layer(0).params()[0].value), sigma);
    EXPECT_NEAR(s.stddev, sigma, 0.03 * sigma);
    EXPECT_NEAR(s.mean, 0.0, 0.03 * sigma);
    // A normal, not a uniform: about 4.6% beyond two sigma, and values past sqrt(3) sigma exist.
    EXPECT_GT(s.beyond_two_sigma, 0.03);
    EXPECT_LT(s.beyond_two_sigma, 0.065);
  }
  {  // conv 3 -> 16 channels, 5x5, before a leaky_relu: std = sqrt(2 / 75)
    json conv = {{"type", "conv2d"}, {"out_channels", 16}, {"kernel_size", 5}};
    json scene = net_scene(conv, "leaky_relu", {3, 5, 5});
    scene["loss"] = "mse";
    scene["target"] = std::vector<float>(16, 0.0f);
    const Model model = testing::model_from(scene);
    const double sigma = std::sqrt(2.0 / 75.0);
    const Stats s = stats_of(to_vector(model.layer(0).params()[0].value), sigma);
    EXPECT_NEAR(s.stddev, sigma, 0.1 * sigma);
    EXPECT_GT(s.max_abs, std::sqrt(6.0 / (75.0 + 400.0))) << "He, not Xavier";
  }
}

// ---------------------------------------------------------------- divergence

json diverging_scene() {
  // y = w x + b with x = 10: each SGD step with lr 100 multiplies the error by about -2e4.
  return {{"input", {{"shape", {1}}, {"data", {10}}}},
          {"layers", {{{"type", "dense"}, {"out_features", 1}, {"weight", {0.5}}, {"bias", {0}}}}},
          {"loss", "mse"},
          {"target", {1}},
          {"optimizer", {{"type", "sgd"}, {"lr", 100}}}};
}

TEST(ModelDivergence, LearningRate100ThrowsAndKeepsEveryParameterFinite) {
  Model model = testing::model_from(diverging_scene());
  try {
    model.train(50);
    FAIL() << "50 steps at lr 100 should diverge";
  } catch (const SceneError& e) {
    EXPECT_NE(std::string(e.what()).find("training stopped"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(all_finite(all_values(model)));
  EXPECT_TRUE(all_finite(model.loss_history()));
  EXPECT_GT(model.loss_history().size(), 2u);
  EXPECT_LT(model.loss_history().size(), 50u);
  // Further steps keep failing cleanly rather than corrupting the parameters.
  EXPECT_THROW(model.step(), SceneError);
  EXPECT_TRUE(all_finite(all_values(model)));
}

TEST(ModelDivergence, UpdateOverflowingAParameterRestoresItAndThrows) {
  // x = 1e37, w = 0: the loss (0 - 1)^2 = 1 is finite, but dL/dw = -2e37 and lr 100 make the
  // update 2e39, past float's range.
  json scene = diverging_scene();
  scene["input"]["data"] = {1e37};
  scene["layers"][0]["weight"] = {0};
  Model model = testing::model_from(scene);
  const std::vector<float> before = all_values(model);
  EXPECT_THROW(model.step(), SceneError);
  EXPECT_EQ(all_values(model), before);
  EXPECT_TRUE(model.loss_history().empty());
}

TEST(ModelDivergence, DivergingStepChangesNothingIncludingOptimizerState) {
  // The state rule: "A call that throws changes nothing". After the failed update the optimizer's
  // step count, velocity and delta must be as before the call too.
  json scene = diverging_scene();
  scene["input"]["data"] = {1e37};
  scene["layers"][0]["weight"] = {0};
  Model model = testing::model_from(scene);
  expect_rejected_unchanged(model, [&] { model.step(); }, "training stopped");
}

// ---------------------------------------------------------------- explanations

json padded_strided_scene() {
  return {{"input", {{"shape", {2, 7, 6}}, {"data", testing::random_values(84, 5)}}},
          {"layers",
           {{{"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", {3, 2}}, {"stride", 2}, {"padding", {1, 2}},
             {"dilation", {1, 2}}},
            {{"type", "tanh"}},
            {{"type", "maxpool2d"}, {"kernel_size", 2}, {"stride", 1}},
            {{"type", "avgpool2d"}, {"kernel_size", {1, 2}}, {"stride", {1, 1}}},
            {{"type", "flatten"}},
            {{"type", "dense"}, {"out_features", 2}}}},
          {"loss", "mse"},
          {"target", {0.5, -0.5}},
          {"seed", 8}};
}

TEST(ModelExplain, ConvOutputSumsEqualEveryCellOfAPaddedStridedConv) {
  const Model model = testing::model_from(padded_strided_scene());
  const Tensor& out = model.layer(0).output();
  ASSERT_EQ(shape_of(out), (Shape{1, 3, 4, 4}));  // H' = (7+2-3)/2+1 = 4, W' = (6+4-3)/2+1 = 4
  int padded_terms = 0;
  std::vector<float> sums, outputs;
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 4; ++r) {
      for (int s = 0; s < 4; ++s) {
        const json cell = explain_conv_output(model, 0, c, r, s);
        ASSERT_EQ(cell.at("terms").size(), 2u * 3u * 2u);
        for (const json& term : cell.at("terms")) {
          if (term.at("padding").get<bool>()) {
            ++padded_terms;
            EXPECT_EQ(term.at("input"), 0.0);
          }
        }
        EXPECT_EQ(cell.at("bias").get<float>(), model.layer(0).params()[1].value(c));
        EXPECT_EQ(cell.at("output").get<float>(), out(c, r, s));
        sums.push_back(cell.at("sum").get<float>());
        outputs.push_back(out(c, r, s));
      }
    }
  }
  EXPECT_GT(padded_terms, 0) << "the padding must take part";
  EXPECT_TRUE(testing::all_close(sums, outputs, 1e-5, 1e-5));
}

TEST(ModelExplain, ConvWeightGradSumsEqualEveryWeightGradient) {
  const Model model = testing::model_from(padded_strided_scene());
  const Tensor& grad = model.layer(0).params()[0].grad;
  std::vector<float> sums, grads;
  for (int o = 0; o < 3; ++o) {
    for (int c = 0; c < 2; ++c) {
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 2; ++j) {
          const json w = explain_conv_weight_grad(model, 0, o, c, i, j);
          for (const json& term : w.at("terms")) {
            EXPECT_GE(term.at("input_row").get<int>(), 0);
            EXPECT_LT(term.at("input_row").get<int>(), 7);
            EXPECT_GE(term.at("input_col").get<int>(), 0);
            EXPECT_LT(term.at("input_col").get<int>(), 6);
          }
          EXPECT_EQ(w.at("grad").get<float>(), grad(o, c, i, j));
          sums.push_back(w.at("sum").get<float>());
          grads.push_back(grad(o, c, i, j));
        }
      }
    }
  }
  EXPECT_TRUE(testing::all_close(sums, grads, 1e-6, 1e-5));
}

TEST(ModelExplain, ConvInputGradSumsEqualEveryInputGradient) {
  const Model model = testing::model_from(padded_strided_scene());
  const Tensor& grad = model.layer(0).grad_input();
  std::vector<float> sums, grads;
  for (int c = 0; c < 2; ++c) {
    for (int u = 0; u < 7; ++u) {
      for (int v = 0; v < 6; ++v) {
        const json x = explain_conv_input_grad(model, 0, c, u, v);
        EXPECT_EQ(x.at("grad").get<float>(), grad(c, u, v));
        sums.push_back(x.at("sum").get<float>());
        grads.push_back(grad(c, u, v));
      }
    }
  }
  EXPECT_TRUE(testing::all_close(sums, grads, 1e-6, 1e-5));
}

TEST(ModelExplain, PoolOutputsComeFromTheirWindows) {
  const Model model = testing::model_from(padded_strided_scene());
  const Tensor& max_out = model.layer(2).output();  // 3x3x3, overlapping 2x2 windows with stride 1
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 3; ++r) {
      for (int s = 0; s < 3; ++s) {
        const json cell = explain_pool_output(model, 2, c, r, s);
        EXPECT_EQ(cell.at("kind"), "max");
        ASSERT_EQ(cell.at("window").size(), 4u);
        const int winner = cell.at("winner").get<int>();
        ASSERT_GE(winner, 0);
        float best = -kInf;
        for (const json& w : cell.at("window")) best = std::max(best, w.at("value").get<float>());
        EXPECT_EQ(cell.at("window").at(winner).at("value").get<float>(), best);
        EXPECT_EQ(cell.at("output").get<float>(), max_out(c, r, s));
        EXPECT_EQ(cell.at("window").at(0).at("row"), r);
        EXPECT_EQ(cell.at("window").at(0).at("col"), s);
      }
    }
  }
  const Tensor& avg_out = model.layer(3).output();  // 3x3x2
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 3; ++r) {
      for (int s = 0; s < 2; ++s) {
        const json cell = explain_pool_output(model, 3, c, r, s);
        EXPECT_EQ(cell.at("kind"), "avg");
        EXPECT_FALSE(cell.contains("winner"));
        double mean = 0.0;
        for (const json& w : cell.at("window")) mean += w.at("value").get<double>() / 2.0;
        EXPECT_NEAR(mean, avg_out(c, r, s), 1e-6);
      }
    }
  }
}

TEST(ModelExplain, ClassicPoolWinnerIsTheFirstMaximum) {
  const Model model = classic();
  // Top-left 2x2 block of filter 1's map is [3 -1; -1 -3]: 3 wins at window index 0.
  const json cell = explain_pool_output(model, 1, 0, 0, 0);
  EXPECT_EQ(cell.at("winner"), 0);
  EXPECT_EQ(cell.at("output"), 3.0);
}

TEST(ModelExplain, BadCellsAndWrongLayersThrow) {
  const Model model = classic();
  const auto expect_error = [](const std::function<void()>& call, const std::string& fragment) {
    try {
      call();
      ADD_FAILURE() << "accepted; expected \"" << fragment << "\"";
    } catch (const SceneError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error([&] { explain_conv_output(model, 0, 2, 0, 0); }, "output cell (2, 0, 0) is outside 2x4x4");
  expect_error([&] { explain_conv_output(model, 0, 0, -1, 0); }, "output cell (0, -1, 0) is outside 2x4x4");
  expect_error([&] { explain_conv_output(model, 0, 0, 0, 4); }, "is outside 2x4x4");
  expect_error([&] { explain_conv_output(model, 1, 0, 0, 0); }, "layer 1 (maxpool2d) is not a conv2d layer");
  expect_error([&] { explain_conv_output(model, 7, 0, 0, 0); }, "layer 7 does not exist");
  expect_error([&] { explain_pool_output(model, 0, 0, 0, 0); }, "layer 0 (conv2d) is not a pooling layer");
  expect_error([&] { explain_pool_output(model, 1, 0, 2, 0); }, "output cell (0, 2, 0) is outside 2x2x2");
  expect_error([&] { explain_pool_output(model, 1, 0, 0, -5); }, "is outside 2x2x2");
  expect_error([&] { explain_conv_weight_grad(model, 0, 2, 0, 0, 0); }, "weight index is outside the kernel 2x1x3x3");
  expect_error([&] { explain_conv_weight_grad(model, 0, 0, 1, 0, 0); }, "weight index is outside the kernel");
  expect_error([&] { explain_conv_weight_grad(model, 0, 0, 0, 3, 0); }, "weight index is outside the kernel");
  expect_error([&] { explain_conv_weight_grad(model, 0, 0, 0, 0, -1); }, "weight index is outside the kernel");
  expect_error([&] { explain_conv_weight_grad(model, 3, 0, 0, 0, 0); }, "layer 3 (dense) is not a conv2d layer");
  expect_error([&] { explain_conv_input_grad(model, 0, 1, 0, 0); }, "input cell (1, 0, 0) is outside 1x6x6");
  expect_error([&] { explain_conv_input_grad(model, 0, 0, 6, 0); }, "input cell (0, 6, 0) is outside 1x6x6");
  expect_error([&] { explain_conv_input_grad(model, 4, 0, 0, 0); }, "layer 4 (sigmoid) is not a conv2d layer");

  // A scene without a loss has no gradients: the gradient sums refuse instead of reading past
  // the empty gradient tensors (found by the scene fuzzer, under ASan).
  nlohmann::json no_loss = nlohmann::json::parse(R"({"version": 2, "input": {"shape": [1, 4, 4], "data": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},
    "nodes": [{"id": "p", "type": "conv2d", "out_channels": 2, "kernel_size": 2, "stride": 2}, {"id": "a", "type": "prelu"},
              {"id": "up", "type": "conv_transpose2d", "out_channels": 1, "kernel_size": 2, "stride": 2, "output_padding": [0, 1]}],
    "loss": "none", "mode": "eval"})");
  const Model forward_only(parse_scene(no_loss.dump()));
  expect_error([&] { explain_conv_input_grad(forward_only, 0, 0, 0, 1); }, "the scene has no loss");
  expect_error([&] { explain_conv_weight_grad(forward_only, 0, 0, 0, 0, 0); }, "the scene has no loss");
  EXPECT_NO_THROW(explain_conv_output(forward_only, 0, 0, 0, 0)) << "the forward sum needs no loss";
}

}  // namespace
}  // namespace cnnlens

namespace cnnlens {
namespace {

// The edges must not point into a moved-from Model (the wasm bindings move it into the heap).
TEST(ModelMove, AMovedModelReadsItsOwnInputEdge) {
  Model first = Model::from_json(testing::read_text("examples/classic.json"));
  Model moved = std::move(first);
  const std::vector<float> input = to_vector(moved.input());
  EXPECT_EQ(to_vector(moved.layer(0).input()), input);
  moved.set_input_cell(0, 0, 0, 0.0f);
  EXPECT_EQ(moved.layer(0).input()(0, 0, 0, 0), 0.0f);
  EXPECT_EQ(moved.layer(0).output()(0, 0, 0, 0), 2.0f);  // 3 less the 1x1 product of the zeroed cell
}

}  // namespace
}  // namespace cnnlens
