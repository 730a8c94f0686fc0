// batchnorm2d, batchnorm1d, dropout, add, concat, global_avgpool2d and global_maxpool2d: per-element
// finite differences through the registry harness, hand-computed small cases, the errors each
// kind raises, and a small version-2 graph with all of them trained through Model.
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/layers/dropout.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/registry.hpp"
#include "cnnlens/scene.hpp"
#include "layer_harness.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;
using testing::all_close;
using testing::check_layer_gradients;
using testing::expect_scene_error;
using testing::kLinear;
using testing::kSmooth;
using testing::make_layer;
using testing::random_tensor;
using testing::tie_free_tensor;

void set_buffer(testing::TestLayer& t, const std::string& name, const std::vector<float>& values) {
  Buffer* b = t.layer->find_buffer(name);
  ASSERT_NE(b, nullptr) << name;
  b->value = tensor_from(values, shape_of(b->value));
}

std::vector<float> buffer(const testing::TestLayer& t, const std::string& name) {
  for (const Buffer& b : t.layer->buffers()) {
    if (b.name == name) return to_vector(b.value);
  }
  ADD_FAILURE() << "no buffer " << name;
  return {};
}

// ---------------------------------------------------------------- batch norm: gradients

TEST(BatchNorm2dGradient, TrainModeBatchOfTwoThroughMeanAndVariance) {
  const Shape in = {2, 3, 3, 4};
  auto bn = make_layer({{"type", "batchnorm2d"}}, {in}, 101);
  ASSERT_EQ(bn.output_shape, in);
  check_layer_gradients(bn, {random_tensor(in, 102)}, 1e-2, kSmooth);
}

TEST(BatchNorm2dGradient, TrainModeOneSampleStillNormalisesOverTheMap) {
  const Shape in = {1, 2, 3, 3};
  auto bn = make_layer({{"type", "batchnorm2d"}, {"eps", 1e-3}}, {in}, 103);
  check_layer_gradients(bn, {random_tensor(in, 104)}, 1e-2, kSmooth);
}

TEST(BatchNorm2dGradient, EvalModeUsesTheRunningStatistics) {
  const Shape in = {2, 3, 2, 3};
  auto bn = make_layer({{"type", "batchnorm2d"}}, {in}, 105);
  set_buffer(bn, "running_mean", {0.3f, -0.2f, 0.1f});
  set_buffer(bn, "running_var", {0.5f, 2.0f, 1.5f});
  bn.context.training = false;
  check_layer_gradients(bn, {random_tensor(in, 106)}, 1e-2, kSmooth);
}

TEST(BatchNorm1dGradient, TrainModeBatchOfFour) {
  const Shape in = {4, 5};
  auto bn = make_layer({{"type", "batchnorm1d"}, {"momentum", 0.3}}, {in}, 107);
  check_layer_gradients(bn, {random_tensor(in, 108)}, 1e-2, kSmooth);
}

// (A batch of two would test nothing: two values normalise to -1 and +1 whatever they are, so
// dL/dx vanishes but for eps.)
TEST(BatchNorm1dGradient, TrainModeBatchOfThree) {
  const Shape in = {3, 3};
  auto bn = make_layer({{"type", "batchnorm1d"}}, {in}, 109);
  check_layer_gradients(bn, {random_tensor(in, 110)}, 1e-2, kSmooth);
}

TEST(BatchNorm1dGradient, EvalMode) {
  const Shape in = {3, 4};
  auto bn = make_layer({{"type", "batchnorm1d"}}, {in}, 111);
  set_buffer(bn, "running_mean", {0.5f, -0.5f, 0.0f, 0.25f});
  set_buffer(bn, "running_var", {0.25f, 1.0f, 4.0f, 0.5f});
  bn.context.training = false;
  check_layer_gradients(bn, {random_tensor(in, 112)}, 1e-2, kSmooth);
}

// ---------------------------------------------------------------- batch norm: hand-computed

// Channel 0 holds 1, 2, 3, 4 (two samples of a 1x2 map), channel 1 holds 10, 20, 30, 40.
json bn2d_node() { return {{"type", "batchnorm2d"}, {"weight", {2.0, 1.0}}, {"bias", {0.5, -1.0}}}; }
const std::vector<Tensor> kBnInput = {tensor_from({1, 2, 10, 20, 3, 4, 30, 40}, {2, 2, 1, 2})};

TEST(BatchNormFormulas, TrainModeNormalisesEachChannelWithTheBiasedVariance) {
  auto bn = make_layer(bn2d_node(), {{2, 2, 1, 2}});
  bn.forward(kBnInput);
  // Channel 0: mean 2.5, biased variance 1.25; channel 1: mean 25, variance 125.
  const double s0 = std::sqrt(1.25 + 1e-5), s1 = std::sqrt(125.0 + 1e-5);
  auto y0 = [&](double x) { return float(2.0 * (x - 2.5) / s0 + 0.5); };
  auto y1 = [&](double x) { return float((x - 25.0) / s1 - 1.0); };
  EXPECT_TRUE(all_close(to_vector(bn.output), {y0(1), y0(2), y1(10), y1(20), y0(3), y0(4), y1(30), y1(40)}, 1e-6, 1e-6));
  EXPECT_TRUE(all_close(buffer(bn, "batch_mean"), {2.5f, 25.0f}, 0.0, 0.0));
  EXPECT_TRUE(all_close(buffer(bn, "batch_var"), {1.25f, 125.0f}, 0.0, 1e-7));
}

TEST(BatchNormFormulas, RunningStatisticsMoveByMomentumTowardsTheUnbiasedVariance) {
  auto bn = make_layer(bn2d_node(), {{2, 2, 1, 2}});
  bn.forward(kBnInput);
  // (1 - 0.1) * old + 0.1 * batch; the unbiased variances are 1.25 * 4/3 and 125 * 4/3.
  EXPECT_TRUE(all_close(buffer(bn, "running_mean"), {0.25f, 2.5f}, 1e-7, 1e-6));
  EXPECT_TRUE(all_close(buffer(bn, "running_var"), {float(0.9 + 0.1 * 5.0 / 3.0), float(0.9 + 0.1 * 500.0 / 3.0)}, 1e-7, 1e-6));
  bn.forward(kBnInput);  // a second update starts from the first
  EXPECT_TRUE(all_close(buffer(bn, "running_mean"), {float(0.9 * 0.25 + 0.25), float(0.9 * 2.5 + 2.5)}, 1e-6, 1e-6));

  auto custom = make_layer({{"type", "batchnorm1d"}, {"momentum", 0.5}}, {{4, 1}});
  set_buffer(custom, "running_mean", {1.0f});
  set_buffer(custom, "running_var", {3.0f});
  custom.forward({tensor_from({1, 2, 3, 4}, {4, 1})});
  EXPECT_TRUE(all_close(buffer(custom, "running_mean"), {0.5f * 1.0f + 0.5f * 2.5f}, 1e-7, 1e-6));
  EXPECT_TRUE(all_close(buffer(custom, "running_var"), {float(0.5 * 3.0 + 0.5 * 5.0 / 3.0)}, 1e-7, 1e-6));
}

TEST(BatchNormFormulas, DisplayPassesKeepTheRunningStatistics) {
  auto bn = make_layer(bn2d_node(), {{2, 2, 1, 2}});
  bn.context.update_statistics = false;
  bn.forward(kBnInput);
  EXPECT_TRUE(all_close(buffer(bn, "running_mean"), {0.0f, 0.0f}, 0.0, 0.0));
  EXPECT_TRUE(all_close(buffer(bn, "running_var"), {1.0f, 1.0f}, 0.0, 0.0));
  EXPECT_TRUE(all_close(buffer(bn, "batch_mean"), {2.5f, 25.0f}, 0.0, 0.0));  // still shown
}

TEST(BatchNormFormulas, EvalModeUsesRunningStatisticsAndUpdatesNothing) {
  auto bn = make_layer(bn2d_node(), {{2, 2, 1, 2}});
  set_buffer(bn, "running_mean", {1.0f, 20.0f});
  set_buffer(bn, "running_var", {4.0f, 100.0f});
  bn.context.training = false;
  bn.forward(kBnInput);
  const double s0 = std::sqrt(4.0 + 1e-5), s1 = std::sqrt(100.0 + 1e-5);
  auto y0 = [&](double x) { return float(2.0 * (x - 1.0) / s0 + 0.5); };
  auto y1 = [&](double x) { return float((x - 20.0) / s1 - 1.0); };
  EXPECT_TRUE(all_close(to_vector(bn.output), {y0(1), y0(2), y1(10), y1(20), y0(3), y0(4), y1(30), y1(40)}, 1e-6, 1e-6));
  EXPECT_TRUE(all_close(buffer(bn, "running_mean"), {1.0f, 20.0f}, 0.0, 0.0));
  // dL/dx = g * gamma / sqrt(running_var + eps)
  bn.backward(kBnInput, tensor_from(std::vector<float>(8, 1.0f), {2, 2, 1, 2}));
  const float g0 = float(2.0 / s0), g1 = float(1.0 / s1);
  EXPECT_TRUE(all_close(to_vector(bn.grad_input()), {g0, g0, g1, g1, g0, g0, g1, g1}, 1e-7, 1e-6));
}

TEST(BatchNormFormulas, TrainModeGradientOfAConstantUpstreamIsZero) {
  // Shifting every x of a channel changes nothing after normalisation: sum_x dL/dx = 0 per channel.
  auto bn = make_layer(bn2d_node(), {{2, 2, 1, 2}});
  bn.forward(kBnInput);
  bn.backward(kBnInput, tensor_from(std::vector<float>(8, 3.0f), {2, 2, 1, 2}));
  EXPECT_TRUE(all_close(to_vector(bn.grad_input()), std::vector<float>(8, 0.0f), 1e-6, 0.0));
  EXPECT_TRUE(all_close(to_vector(bn.layer->param("bias").grad), {12.0f, 12.0f}, 0.0, 0.0));
  EXPECT_TRUE(all_close(to_vector(bn.layer->param("weight").grad), {0.0f, 0.0f}, 1e-5, 0.0));
}

TEST(BatchNormErrors, OneValuePerChannelCannotTrainButCanEvaluate) {
  auto bn1 = make_layer({{"type", "batchnorm1d"}}, {{1, 3}});
  expect_scene_error([&] { bn1.forward({tensor_from({1, 2, 3}, {1, 3})}); }, "one_value_per_channel", "inputs",
                     "expected more than 1 value per channel when training, got input 1x3");
  EXPECT_TRUE(all_close(buffer(bn1, "running_mean"), {0, 0, 0}, 0.0, 0.0));  // nothing moved
  bn1.context.training = false;
  EXPECT_NO_THROW(bn1.forward({tensor_from({1, 2, 3}, {1, 3})}));

  auto bn2 = make_layer({{"id", "bn"}, {"type", "batchnorm2d"}}, {{1, 2, 1, 1}});
  expect_scene_error([&] { bn2.forward({tensor_from({1, 2}, {1, 2, 1, 1})}); }, "one_value_per_channel", "inputs",
                     "node bn (batchnorm2d): expected more than 1 value per channel");
}

TEST(BatchNormErrors, ShapesAndFields) {
  expect_scene_error([] { make_layer({{"type", "batchnorm2d"}}, {{2, 6}}); }, "needs_map", "inputs", "needs a [C, H, W] input");
  expect_scene_error([] { make_layer({{"type", "batchnorm1d"}}, {{2, 3, 4, 4}}); }, "needs_vector", "inputs", "add a flatten");
  expect_scene_error([] { make_layer({{"type", "batchnorm1d"}, {"momentum", 1.5}}, {{2, 3}}); }, "out_of_range", "momentum", "");
  expect_scene_error([] { make_layer({{"type", "batchnorm1d"}, {"eps", 0}}, {{2, 3}}); }, "out_of_range", "eps", "");
}

TEST(BatchNormKind, DeclaresPyTorchParametersAndSavedStatistics) {
  for (const char* type : {"batchnorm2d", "batchnorm1d"}) {
    SCOPED_TRACE(type);
    const bool map = std::string(type) == "batchnorm2d";
    const Shape in = map ? Shape{2, 3, 2, 2} : Shape{2, 3};
    NodeSpec spec = parse_node({{"id", "b"}, {"type", type}});
    EXPECT_EQ(spec.number("eps"), 1e-5);
    EXPECT_EQ(spec.number("momentum"), 0.1);
    EXPECT_EQ(spec.kind->tensor_names, (std::vector<std::string>{"weight", "bias", "running_mean", "running_var"}));
    const auto params = spec.kind->params(spec, {in});
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(params[0].init, Init::kOnes);
    EXPECT_EQ(params[1].init, Init::kZeros);
    const auto buffers = spec.kind->buffers(spec, {in});
    ASSERT_EQ(buffers.size(), 4u);
    EXPECT_TRUE(buffers[0].name == "running_mean" && buffers[0].saved && buffers[0].role == BufferRole::kStatistic &&
                buffers[0].init == Init::kZeros);
    EXPECT_TRUE(buffers[1].name == "running_var" && buffers[1].saved && buffers[1].role == BufferRole::kStatistic &&
                buffers[1].init == Init::kOnes);
    EXPECT_TRUE(buffers[2].name == "batch_mean" && !buffers[2].saved && buffers[2].role == BufferRole::kBatch);
    EXPECT_TRUE(buffers[3].name == "batch_var" && !buffers[3].saved && buffers[3].role == BufferRole::kBatch);
    for (const auto& d : buffers) EXPECT_EQ(d.shape, Shape{3});
  }
}

// ---------------------------------------------------------------- dropout

TEST(DropoutGradient, TrainModeMaskAndScale) {
  const Shape in = {2, 3, 4, 4};
  auto drop = make_layer({{"type", "dropout"}, {"p", 0.4}}, {in});
  const Tensor input = random_tensor(in, 121);
  check_layer_gradients(drop, {input}, 0.1, kLinear);
  drop.forward({input});  // the check's last forward saw a perturbed input
  const std::vector<float> mask = buffer(drop, "mask"), x = to_vector(input);
  const std::vector<float> g = to_vector(drop.grad_input()), r = testing::random_values(x.size(), 7);
  for (std::size_t k = 0; k < x.size(); ++k) {
    ASSERT_TRUE(mask[k] == 0.0f || mask[k] == 1.0f);
    EXPECT_FLOAT_EQ(drop.output.data()[k], mask[k] * x[k] / 0.6f);
    EXPECT_FLOAT_EQ(g[k], mask[k] * r[k] / 0.6f);
  }
}

TEST(DropoutGradient, EvalModeIsTheIdentity) {
  const Shape in = {3, 7};
  auto drop = make_layer({{"type", "dropout"}}, {in});
  drop.context.training = false;
  const Tensor x = random_tensor(in, 122);
  check_layer_gradients(drop, {x}, 0.1, kLinear);
  drop.forward({x});
  EXPECT_TRUE(all_close(to_vector(drop.output), to_vector(x), 0.0, 0.0));
  EXPECT_TRUE(all_close(buffer(drop, "mask"), std::vector<float>(21, 1.0f), 0.0, 0.0));
}

TEST(DropoutMask, DependsOnlyOnSeedStepAndNode) {
  const Shape in = {4, 64};
  const std::vector<Tensor> x = {random_tensor(in, 123)};
  auto mask_for = [&](std::uint32_t seed, std::uint64_t step, std::size_t node) {
    auto drop = make_layer({{"type", "dropout"}}, {in});
    drop.context.seed = seed;
    drop.context.step = step;
    drop.context.node_index = node;
    drop.forward(x);
    return buffer(drop, "mask");
  };
  const std::vector<float> base = mask_for(5, 3, 2);
  EXPECT_EQ(mask_for(5, 3, 2), base);
  EXPECT_NE(mask_for(5, 4, 2), base);
  EXPECT_NE(mask_for(5, 3, 1), base);
  EXPECT_NE(mask_for(6, 3, 2), base);
  // A pinned value (integer arithmetic only, so wasm computes the same): a change of the rule shows up here.
  EXPECT_EQ(dropout_mask_seed(5, 3, 2), 2407468783u);
  EXPECT_NE(dropout_mask_seed(5, 3, 2), dropout_mask_seed(5, 2, 3));
}

TEST(DropoutMask, KeepsAboutOneMinusPOfALargeTensor) {
  const Shape in = {8, 4096};
  for (double p : {0.1, 0.5, 0.8}) {
    auto drop = make_layer({{"type", "dropout"}, {"p", p}}, {in});
    drop.forward({random_tensor(in, 124)});
    const std::vector<float> mask = buffer(drop, "mask");
    const double kept = std::accumulate(mask.begin(), mask.end(), 0.0) / double(mask.size());
    EXPECT_NEAR(kept, 1.0 - p, 0.012) << "p = " << p;  // about 4.5 standard deviations at p = 0.5
  }
  auto none = make_layer({{"type", "dropout"}, {"p", 0.0}}, {in});
  const Tensor x = random_tensor(in, 125);
  none.forward({x});
  EXPECT_TRUE(all_close(to_vector(none.output), to_vector(x), 0.0, 0.0));
}

TEST(DropoutErrors, PMustBeBelowOne) {
  expect_scene_error([] { make_layer({{"type", "dropout"}, {"p", 1}}, {{2, 3}}); }, "out_of_range", "p", "less than 1");
  expect_scene_error([] { make_layer({{"type", "dropout"}, {"p", 1.5}}, {{2, 3}}); }, "out_of_range", "p", "");
  expect_scene_error([] { make_layer({{"type", "dropout"}, {"p", -0.1}}, {{2, 3}}); }, "out_of_range", "p", "");
}

// ---------------------------------------------------------------- add

TEST(AddGradient, ThreeInputs) {
  const Shape in = {2, 3, 4, 4};
  auto add = make_layer({{"type", "add"}}, {in, in, in});
  check_layer_gradients(add, {random_tensor(in, 131), random_tensor(in, 132), random_tensor(in, 133)}, 0.1, kLinear);
}

TEST(AddFormulas, SumsAndCopiesTheGradientToEachInput) {
  const Shape in = {2, 3};
  auto add = make_layer({{"type", "add"}}, {in, in});
  const std::vector<Tensor> x = {tensor_from({1, 2, 3, 4, 5, 6}, in), tensor_from({10, 20, 30, 40, 50, 60}, in)};
  add.forward(x);
  EXPECT_TRUE(all_close(to_vector(add.output), {11, 22, 33, 44, 55, 66}, 0.0, 0.0));
  const Tensor g = tensor_from({0.5, -1, 2, 3, -4, 0.25}, in);
  add.backward(x, g);
  EXPECT_TRUE(all_close(to_vector(add.grad_input(0)), to_vector(g), 0.0, 0.0));
  EXPECT_TRUE(all_close(to_vector(add.grad_input(1)), to_vector(g), 0.0, 0.0));
}

TEST(AddErrors, ShapeClashNamesBothInputsAndShapes) {
  json node = {{"id", "res"}, {"type", "add"}, {"inputs", {"a", "b"}}};
  expect_scene_error([&] { make_layer(node, {{2, 3, 4, 4}, {2, 3, 5, 5}}); }, "shape_mismatch", "inputs",
                     "node res (add): adds inputs of one shape, but input 2 (\"b\") is 3x5x5 and input 1 (\"a\") is 3x4x4");
  expect_scene_error([&] { make_layer(node, {{2, 3, 4, 4}, {2, 48}}); }, "shape_mismatch", "inputs", "is 48 and");
}

// ---------------------------------------------------------------- concat

TEST(ConcatGradient, MapsAlongChannelsAndVectorsAlongFeatures) {
  const Shape a = {2, 3, 2, 3}, b = {2, 1, 2, 3}, c = {2, 2, 2, 3};
  auto maps = make_layer({{"type", "concat"}}, {a, b, c});
  ASSERT_EQ(maps.output_shape, (Shape{2, 6, 2, 3}));
  check_layer_gradients(maps, {random_tensor(a, 141), random_tensor(b, 142), random_tensor(c, 143)}, 0.1, kLinear);
  auto vectors = make_layer({{"type", "concat"}}, {{3, 2}, {3, 5}});
  ASSERT_EQ(vectors.output_shape, (Shape{3, 7}));
  check_layer_gradients(vectors, {random_tensor({3, 2}, 144), random_tensor({3, 5}, 145)}, 0.1, kLinear);
}

TEST(ConcatFormulas, EachSampleTakesTheFirstInputsChannelsThenTheSecondsAndSplitsTheGradientBack) {
  auto cat = make_layer({{"type", "concat"}}, {{2, 1, 1, 2}, {2, 2, 1, 2}});
  const std::vector<Tensor> x = {tensor_from({1, 2, 3, 4}, {2, 1, 1, 2}),
                                 tensor_from({10, 11, 12, 13, 20, 21, 22, 23}, {2, 2, 1, 2})};
  cat.forward(x);
  EXPECT_EQ(shape_of(cat.output), (Shape{2, 3, 1, 2}));
  EXPECT_TRUE(all_close(to_vector(cat.output), {1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}, 0.0, 0.0));
  cat.backward(x, tensor_from({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 3, 1, 2}));
  EXPECT_TRUE(all_close(to_vector(cat.grad_input(0)), {0, 1, 6, 7}, 0.0, 0.0));
  EXPECT_TRUE(all_close(to_vector(cat.grad_input(1)), {2, 3, 4, 5, 8, 9, 10, 11}, 0.0, 0.0));
}

TEST(ConcatErrors, EveryAxisButTheChannelsMustMatch) {
  json node = {{"id", "cat"}, {"type", "concat"}, {"inputs", {"a", "b"}}};
  expect_scene_error([&] { make_layer(node, {{2, 3, 4, 4}, {2, 2, 5, 4}}); }, "shape_mismatch", "inputs",
                     "node cat (concat): joins inputs along the channel axis, so all other sizes must match, but input 2 "
                     "(\"b\") is 2x5x4 and input 1 (\"a\") is 3x4x4");
  expect_scene_error([&] { make_layer(node, {{2, 3, 4, 4}, {2, 3, 4, 5}}); }, "shape_mismatch", "inputs", "3x4x5");
  expect_scene_error([&] { make_layer(node, {{2, 3, 4, 4}, {2, 48}}); }, "shape_mismatch", "inputs", "is 48 and");
}

// ---------------------------------------------------------------- global pooling

TEST(GlobalAvgPool2dGradient, BatchOfTwo) {
  const Shape in = {2, 3, 3, 5};
  auto pool = make_layer({{"type", "global_avgpool2d"}}, {in});
  ASSERT_EQ(pool.output_shape, (Shape{2, 3, 1, 1}));
  check_layer_gradients(pool, {random_tensor(in, 151)}, 0.1, kLinear);
}

TEST(GlobalMaxPool2dGradient, BatchOfTwoWithoutTies) {
  const Shape in = {2, 3, 4, 3};
  auto pool = make_layer({{"type", "global_maxpool2d"}}, {in});
  ASSERT_EQ(pool.output_shape, (Shape{2, 3, 1, 1}));
  check_layer_gradients(pool, {tie_free_tensor(in, 152)}, 0.01, kLinear);
}

TEST(GlobalPoolFormulas, MeanAndFirstMaximumWithItsRouting) {
  const Shape in = {2, 2, 2, 2};
  const std::vector<Tensor> x = {tensor_from({1, 2, 3, 6, /**/ 5, 9, 9, 0, /**/ -1, -2, -3, -4, /**/ 7, 7, 7, 7}, in)};
  auto avg = make_layer({{"type", "global_avgpool2d"}}, {in});
  avg.forward(x);
  EXPECT_TRUE(all_close(to_vector(avg.output), {3.0f, 5.75f, -2.5f, 7.0f}, 0.0, 0.0));
  avg.backward(x, tensor_from({4, 8, -4, 2}, {2, 2, 1, 1}));
  EXPECT_TRUE(all_close(to_vector(avg.grad_input()), {1, 1, 1, 1, 2, 2, 2, 2, -1, -1, -1, -1, 0.5, 0.5, 0.5, 0.5}, 0.0, 0.0));

  auto max = make_layer({{"type", "global_maxpool2d"}}, {in});
  max.forward(x);
  EXPECT_TRUE(all_close(to_vector(max.output), {6, 9, -1, 7}, 0.0, 0.0));
  // Flat [C, H, W] index within the sample, as maxpool2d's argmax; ties go to the first in row-major order.
  EXPECT_TRUE(all_close(buffer(max, "argmax"), {3, 5, 0, 4}, 0.0, 0.0));
  EXPECT_EQ(max.layer->buffers()[0].role, BufferRole::kRouting);
  max.backward(x, tensor_from({4, 8, -4, 2}, {2, 2, 1, 1}));
  EXPECT_TRUE(all_close(to_vector(max.grad_input()), {0, 0, 0, 4, 0, 8, 0, 0, -4, 0, 0, 0, 2, 0, 0, 0}, 0.0, 0.0));
}

TEST(GlobalPoolErrors, NeedMaps) {
  expect_scene_error([] { make_layer({{"type", "global_avgpool2d"}}, {{2, 6}}); }, "needs_map", "inputs", "[C, H, W]");
  expect_scene_error([] { make_layer({{"type", "global_maxpool2d"}}, {{2, 6}}); }, "needs_map", "inputs", "[C, H, W]");
}

// ---------------------------------------------------------------- the kinds in the registry

TEST(NormalizationKinds, AreRegisteredWithTitlesPyTorchAndOnnxNames) {
  const std::vector<std::vector<std::string>> expected = {
      {"batchnorm2d", "nn.BatchNorm2d", "BatchNormalization"}, {"batchnorm1d", "nn.BatchNorm1d", "BatchNormalization"},
      {"dropout", "nn.Dropout", "Dropout"},                    {"add", "torch.add", "Add"},
      {"concat", "torch.cat", "Concat"},                       {"global_avgpool2d", "nn.AdaptiveAvgPool2d", "GlobalAveragePool"},
      {"global_maxpool2d", "nn.AdaptiveMaxPool2d", "GlobalMaxPool"}};
  for (const auto& e : expected) {
    const LayerKind* kind = find_kind(e[0]);
    ASSERT_NE(kind, nullptr) << e[0];
    EXPECT_EQ(kind->pytorch, e[1]);
    EXPECT_EQ(kind->onnx, e[2]);
    EXPECT_EQ(kind->help_key, "kind." + e[0]);
    EXPECT_GT(std::string(kind->title).size(), 0u);
    const bool many = e[0] == "add" || e[0] == "concat";
    EXPECT_EQ(kind->min_inputs, many ? 2 : 1) << e[0];
    EXPECT_EQ(kind->max_inputs, many ? -1 : 1) << e[0];
  }
}

// ---------------------------------------------------------------- a version-2 graph through Model

// conv -> bn -> relu -> conv, added back to the relu (residual); concatenated with a 1x1 conv of
// the input; global average and max pools side by side; flatten -> batchnorm1d -> dropout -> dense.
json residual_scene(const char* mode = "train") {
  const std::size_t n = 4, values = n * 2 * 4 * 4;
  return {{"version", 2},
          {"input", {{"shape", {n, 2, 4, 4}}, {"data", testing::random_values(values, 161)}}},
          {"nodes",
           {{{"id", "c1"}, {"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"padding", 1}},
            {{"id", "bn1"}, {"type", "batchnorm2d"}},
            {{"id", "r1"}, {"type", "relu"}},
            {{"id", "c2"}, {"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"padding", 1}},
            {{"id", "res"}, {"type", "add"}, {"inputs", {"c2", "r1"}}},
            {{"id", "side"}, {"type", "conv2d"}, {"inputs", {"input"}}, {"out_channels", 2}, {"kernel_size", 1}},
            {{"id", "cat"}, {"type", "concat"}, {"inputs", {"res", "side"}}},
            {{"id", "avg"}, {"type", "global_avgpool2d"}, {"inputs", {"cat"}}},
            {{"id", "max"}, {"type", "global_maxpool2d"}, {"inputs", {"cat"}}},
            {{"id", "pools"}, {"type", "concat"}, {"inputs", {"avg", "max"}}},
            {{"id", "flat"}, {"type", "flatten"}},
            {{"id", "bn2"}, {"type", "batchnorm1d"}},
            {{"id", "drop"}, {"type", "dropout"}, {"p", 0.2}},
            {{"id", "fc"}, {"type", "dense"}, {"out_features", 3}}}},
          {"loss", "cross_entropy"},
          {"target", {0, 1, 2, 1}},
          {"optimizer", {{"type", "adam"}, {"lr", 0.02}}},
          {"mode", mode},
          {"seed", 3}};
}

std::vector<float> statistic(Model& model, const std::string& node, const std::string& name) {
  return to_vector(model.mutable_layer(model.node_index(node)).find_buffer(name)->value);  // no display pass
}

TEST(NormalizationGraph, ShapesOfTheResidualAndConcatGraph) {
  Model model = testing::model_from(residual_scene());
  EXPECT_EQ(model.shapes().outputs[model.node_index("cat")], (Shape{4, 6, 4, 4}));
  EXPECT_EQ(model.shapes().outputs[model.node_index("pools")], (Shape{4, 12, 1, 1}));
  EXPECT_EQ(model.shapes().outputs[model.node_index("bn2")], (Shape{4, 12}));
  // The residual edge r1 is read by c2 and res: its gradient sums both.
  EXPECT_EQ(shape_of(model.node("res").grad_input(1)), (Shape{4, 4, 4, 4}));
}

TEST(NormalizationGraph, TrainsAndTheDisplayPassLeavesRunningStatisticsAlone) {
  Model model = testing::model_from(residual_scene());
  EXPECT_TRUE(all_close(statistic(model, "bn1", "running_mean"), std::vector<float>(4, 0.0f), 0.0, 0.0));  // loading is a display pass
  // Reading the loss recomputes the scene's own batch (a display pass): it keeps the running
  // statistics, draws the dropout mask of the coming step and normalises with the same batch
  // statistics, so it shows exactly the loss the next step measures.
  float shown = model.loss();
  std::vector<float> losses;
  for (int k = 0; k < 40; ++k) {
    const float measured = model.step();
    EXPECT_EQ(measured, shown) << "step " << k;
    losses.push_back(measured);
    const std::vector<float> mean = statistic(model, "bn1", "running_mean"), var = statistic(model, "bn2", "running_var");
    shown = model.loss();
    EXPECT_EQ(statistic(model, "bn1", "running_mean"), mean) << "step " << k;
    EXPECT_EQ(statistic(model, "bn2", "running_var"), var) << "step " << k;
  }
  EXPECT_NE(statistic(model, "bn1", "running_mean"), std::vector<float>(4, 0.0f));
  const double first = losses[0];
  const double last = (losses[35] + losses[36] + losses[37] + losses[38] + losses[39]) / 5.0;
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last five " << last;

  // Saved statistics go into the scene and come back; batch statistics and masks do not.
  const json saved = model.to_scene_json();
  const json& bn1 = saved.at("nodes")[1];
  EXPECT_TRUE(bn1.contains("running_mean") && bn1.contains("running_var") && !bn1.contains("batch_mean"));
  EXPECT_FALSE(saved.at("nodes")[12].contains("mask"));
  Model reloaded = testing::model_from(saved);
  EXPECT_EQ(statistic(reloaded, "bn1", "running_mean"), statistic(model, "bn1", "running_mean"));
  EXPECT_EQ(statistic(reloaded, "bn2", "running_var"), statistic(model, "bn2", "running_var"));
}

TEST(NormalizationGraph, EvalModeUsesRunningStatisticsAndNoDropout) {
  json scene = residual_scene("eval");
  scene["nodes"][1]["running_mean"] = {0.1, -0.1, 0.2, 0.0};
  scene["nodes"][1]["running_var"] = {1.5, 0.5, 2.0, 1.0};
  Model model = testing::model_from(scene);
  const float before = model.loss();
  model.train(10);
  EXPECT_EQ(statistic(model, "bn1", "running_mean"), (std::vector<float>{0.1f, -0.1f, 0.2f, 0.0f}));
  EXPECT_TRUE(all_close(to_vector(model.node("drop").buffers()[0].value), std::vector<float>(4 * 12, 1.0f), 0.0, 0.0));
  EXPECT_LT(model.loss(), before);
}

TEST(NormalizationGraph, ErrorsNameTheNode) {
  json clash = residual_scene();
  clash["nodes"][4]["inputs"] = {"c2", "input"};  // [4, 4, 4] + [2, 4, 4]
  expect_scene_error([&] { testing::model_from(clash); }, "shape_mismatch", "inputs",
                     "node res (add): adds inputs of one shape, but input 2 (\"input\") is 2x4x4 and input 1 (\"c2\") is 4x4x4");
  json one = residual_scene();
  one["input"] = {{"shape", {2, 4, 4}}, {"data", testing::random_values(32, 162)}};
  one["target"] = 1;
  // One sample: bn1 still has 16 values per channel, bn2 only one.
  expect_scene_error([&] { testing::model_from(one); }, "one_value_per_channel", "inputs", "node bn2 (batchnorm1d)");
  one["mode"] = "eval";
  EXPECT_NO_THROW(testing::model_from(one));
}

TEST(NormalizationGraph, ABatchOfOneRefusedMidGraphChangesNoStatistic) {
  Model model = testing::model_from(residual_scene());
  model.step();
  const std::vector<float> mean = statistic(model, "bn1", "running_mean");
  const std::vector<float> sample = testing::random_values(32, 163);
  const int label = 2;
  expect_scene_error([&] { model.train_batch(sample.data(), 1, {&label, nullptr}); }, "one_value_per_channel", "inputs",
                     "node bn2");
  EXPECT_EQ(statistic(model, "bn1", "running_mean"), mean);  // bn1 ran before bn2 refused
  EXPECT_NO_THROW(model.evaluate(sample.data(), 1, &label));
}

}  // namespace
}  // namespace cnnlens

namespace cnnlens {
namespace {

// Found by the Node fuzz test: a batch whose variance overflows float32 made running_var infinite
// while the loss stayed finite (the normalised values are 0), and the saved scene could not load.
TEST(NormalizationGraph, AnOverflowingRunningStatisticIsDivergenceAndNothingChanges) {
  const nlohmann::json scene = {{"version", 2},
                                {"input", {{"shape", {2, 3}}, {"data", {3e38, -3e38, 1, -3e38, 3e38, 2}}}},
                                {"nodes", {{{"id", "bn"}, {"type", "batchnorm1d"}}, {{"id", "fc"}, {"type", "dense"}, {"out_features", 2}}}},
                                {"loss", "cross_entropy"},
                                {"target", {0, 1}}};
  Model model = Model::from_json(scene.dump());
  const std::string before = model.to_scene_json().dump();
  try {
    model.step();
    ADD_FAILURE() << "an infinite running_var was kept";
  } catch (const SceneError& e) {
    EXPECT_EQ(e.code(), "diverged");
  }
  EXPECT_EQ(model.to_scene_json().dump(), before);
  EXPECT_NO_THROW(Model::from_json(model.to_scene_json().dump()));
}

}  // namespace
}  // namespace cnnlens
