// Finite differences vs backward() for every layer kind (built through the registry) and both
// losses, and cnnlens::gradient_check.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/gradient_check.hpp"
#include "cnnlens/loss.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/random.hpp"
#include "cnnlens/scene.hpp"
#include "layer_harness.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;
using testing::check_layer_gradients;
using testing::kLinear;
using testing::kSmooth;
using testing::make_layer;
using testing::random_tensor;
using testing::tie_free_tensor;

json conv_node(int out, json kernel, json stride, json padding = 0, json dilation = 1) {
  return {{"type", "conv2d"}, {"out_channels", out}, {"kernel_size", kernel}, {"stride", stride}, {"padding", padding},
          {"dilation", dilation}};
}

json pool_node(const char* type, json kernel, json stride) {
  return {{"type", type}, {"kernel_size", kernel}, {"stride", stride}};
}

// ---------------------------------------------------------------- conv2d

TEST(Conv2dGradient, OddShapesWithStride2x1Padding1x2Dilation2AndRectangularKernel) {
  const Shape in = {1, 3, 7, 5};
  auto conv = make_layer(conv_node(4, {2, 3}, {2, 1}, {1, 2}, 2), {in}, 11);
  // H' = (7 + 2 - 2*1 - 1) / 2 + 1 = 4,  W' = (5 + 4 - 2*2 - 1) / 1 + 1 = 5
  ASSERT_EQ(conv.output_shape, (Shape{1, 4, 4, 5}));
  check_layer_gradients(conv, {random_tensor(in, 12)}, 0.1, kLinear);
}

TEST(Conv2dGradient, PerAxisDilationStrideAndPadding) {
  const Shape in = {1, 2, 8, 6};
  auto conv = make_layer(conv_node(3, {2, 3}, {1, 2}, {2, 0}, {3, 1}), {in}, 21);
  // H' = (8 + 4 - 3*1 - 1) / 1 + 1 = 9,  W' = (6 + 0 - 1*2 - 1) / 2 + 1 = 2
  ASSERT_EQ(conv.output_shape, (Shape{1, 3, 9, 2}));
  check_layer_gradients(conv, {random_tensor(in, 22)}, 0.1, kLinear);
}

TEST(Conv2dGradient, StrideLargerThanKernelSkipsSomeInputs) {
  const Shape in = {1, 1, 9, 8};
  auto conv = make_layer(conv_node(2, 2, 3), {in}, 31);
  ASSERT_EQ(conv.output_shape, (Shape{1, 2, 3, 3}));
  check_layer_gradients(conv, {random_tensor(in, 32)}, 0.1, kLinear);
  // Row 2 is read by no window (windows start at rows 0, 3, 6 and span 2 rows).
  for (int col = 0; col < 8; ++col) EXPECT_EQ(conv.grad_input()(0, 0, 2, col), 0.0f);
}

TEST(Conv2dGradient, OneByOneKernelOverManyChannels) {
  const Shape in = {1, 5, 3, 4};
  auto conv = make_layer(conv_node(3, 1, 1), {in}, 41);
  check_layer_gradients(conv, {random_tensor(in, 42)}, 0.1, kLinear);
}

TEST(Conv2dGradient, BatchOfThreeSumsParameterGradientsOverSamples) {
  const Shape in = {3, 2, 5, 4};
  auto conv = make_layer(conv_node(3, 3, 1, 1), {in}, 43);
  check_layer_gradients(conv, {random_tensor(in, 44)}, 0.1, kLinear);
}

TEST(Conv2dGradient, GroupsAndDepthwise) {
  const Shape in = {2, 4, 5, 6};
  json grouped = conv_node(6, 3, 1, 1);
  grouped["groups"] = 2;
  auto conv = make_layer(grouped, {in}, 45);
  ASSERT_EQ(shape_of(conv.layer->params()[0].value), (Shape{6, 2, 3, 3}));
  check_layer_gradients(conv, {random_tensor(in, 46)}, 0.1, kLinear);
  json depthwise = conv_node(4, {3, 2}, {2, 1}, {1, 0, 0, 1});
  depthwise["groups"] = 4;
  auto dw = make_layer(depthwise, {in}, 47);
  ASSERT_EQ(shape_of(dw.layer->params()[0].value), (Shape{4, 1, 3, 2}));
  check_layer_gradients(dw, {random_tensor(in, 48)}, 0.1, kLinear);
}

TEST(Conv2dGradient, FourSidedPaddingAndEveryPaddingMode) {
  const Shape in = {2, 2, 5, 4};
  for (const char* mode : {"zeros", "reflect", "replicate", "circular"}) {
    SCOPED_TRACE(mode);
    json node = conv_node(3, 3, {2, 1}, {2, 1, 0, 3});
    node["padding_mode"] = mode;
    auto conv = make_layer(node, {in}, 49);
    // H' = (5 + 2 + 0 - 3) / 2 + 1 = 3,  W' = (4 + 1 + 3 - 3) / 1 + 1 = 6
    ASSERT_EQ(conv.output_shape, (Shape{2, 3, 3, 6}));
    check_layer_gradients(conv, {random_tensor(in, 50)}, 0.1, kLinear);
  }
}

// ---------------------------------------------------------------- pooling

TEST(MaxPool2dGradient, OverlappingWindowsStride2Kernel3) {
  const Shape in = {1, 2, 7, 8};
  auto pool = make_layer(pool_node("maxpool2d", 3, 2), {in});
  ASSERT_EQ(pool.output_shape, (Shape{1, 2, 3, 3}));  // floor mode drops column 7
  check_layer_gradients(pool, {tie_free_tensor(in, 51)}, 0.01, kLinear);
}

TEST(MaxPool2dGradient, GappedRectangularWindowsStrideLargerThanKernel) {
  const Shape in = {1, 2, 7, 8};
  auto pool = make_layer(pool_node("maxpool2d", {2, 3}, {3, 2}), {in});
  ASSERT_EQ(pool.output_shape, (Shape{1, 2, 2, 3}));
  check_layer_gradients(pool, {tie_free_tensor(in, 52)}, 0.01, kLinear);
}

TEST(MaxPool2dGradient, PaddingDilationAndCeilMode) {
  const Shape in = {2, 2, 7, 8};
  json node = pool_node("maxpool2d", 3, 2);
  node["padding"] = 1;
  node["dilation"] = {1, 2};
  node["ceil_mode"] = true;
  auto pool = make_layer(node, {in});
  // H: (7 + 2 - 3 + 1) / 2 + 1 = 4 (ceil), W: (8 + 2 - 5 + 1) / 2 + 1 = 4 (ceil; last window starts at 6 < 9)
  ASSERT_EQ(pool.output_shape, (Shape{2, 2, 4, 4}));
  check_layer_gradients(pool, {tie_free_tensor(in, 53)}, 0.01, kLinear);
}

TEST(MaxPool2dGradient, TieGoesToTheFirstMaximumInRowMajorOrder) {
  const Shape in = {1, 1, 2, 2};
  auto pool = make_layer(pool_node("maxpool2d", 2, 2), {in});
  const std::vector<Tensor> x = {tensor_from({1.0f, 5.0f, 5.0f, 2.0f}, in)};
  pool.forward(x);
  EXPECT_EQ(pool.layer->buffers()[0].value(0, 0, 0, 0), 1.0f);
  pool.backward(x, tensor_from({3.0f}, {1, 1, 1, 1}));
  EXPECT_TRUE(testing::all_close(to_vector(pool.grad_input()), {0.0f, 3.0f, 0.0f, 0.0f}, 0.0, 0.0));
}

// The 2x2 stride-2 windows go four at a time: on ties and NaN they must keep the scalar rule
// (taps in row-major order, the first maximum wins, a NaN first tap stays), value and winner,
// at every width around a block of four and in every sample and channel.
TEST(MaxPool2dForward, TwoByTwoWindowsFourAtATimeKeepTheScalarRule) {
  const float kNaN = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> pool_of_values = {-1.0f, 0.0f, 0.0f, 1.0f, 2.0f, 2.0f, kNaN};
  Random pick(77);
  for (std::size_t h : {2u, 4u, 7u}) {
    for (std::size_t w : {2u, 8u, 9u, 11u, 17u, 20u}) {
      const Shape in = {2, 3, h, w};
      auto pool = make_layer(pool_node("maxpool2d", 2, 2), {in});
      Tensor x = Tensor::from_shape(in);
      for (float& v : x) v = pool_of_values[std::size_t(pick.uniform01() * float(pool_of_values.size())) % pool_of_values.size()];
      pool.forward({x});
      const Tensor& y = pool.output;
      const Tensor& winner = pool.layer->buffers()[0].value;
      const std::size_t oh = h / 2, ow = w / 2, plane = h * w;
      for (std::size_t k = 0; k < 2; ++k) {
        for (std::size_t c = 0; c < 3; ++c) {
          const float* xs = x.data() + (k * 3 + c) * plane;
          for (std::size_t r = 0; r < oh; ++r) {
            for (std::size_t s = 0; s < ow; ++s) {
              std::size_t at = 2 * r * w + 2 * s;
              for (std::size_t tap : {2 * r * w + 2 * s + 1, (2 * r + 1) * w + 2 * s, (2 * r + 1) * w + 2 * s + 1}) {
                if (xs[tap] > xs[at]) at = tap;
              }
              const std::size_t o = ((k * 3 + c) * oh + r) * ow + s;
              SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w) + " sample " + std::to_string(k) + " channel " +
                           std::to_string(c) + " window (" + std::to_string(r) + ", " + std::to_string(s) + ")");
              EXPECT_EQ(winner.data()[o], float(c * plane + at));
              EXPECT_TRUE(y.data()[o] == xs[at] || (std::isnan(y.data()[o]) && std::isnan(xs[at])));
            }
          }
        }
      }
    }
  }
}

TEST(AvgPool2dGradient, OverlappingWindowsStride2Kernel3) {
  const Shape in = {1, 2, 7, 8};
  auto pool = make_layer(pool_node("avgpool2d", 3, 2), {in});
  check_layer_gradients(pool, {random_tensor(in, 61)}, 0.1, kLinear);
}

TEST(AvgPool2dGradient, GappedRectangularWindowsStrideLargerThanKernel) {
  const Shape in = {1, 3, 7, 8};
  auto pool = make_layer(pool_node("avgpool2d", {2, 3}, {3, 2}), {in});
  check_layer_gradients(pool, {random_tensor(in, 62)}, 0.1, kLinear);
}

TEST(AvgPool2dGradient, PaddingCeilModeWithAndWithoutCountIncludePad) {
  const Shape in = {2, 2, 7, 6};
  for (bool include : {true, false}) {
    json node = pool_node("avgpool2d", 3, 2);
    node["padding"] = 1;
    node["ceil_mode"] = true;
    node["count_include_pad"] = include;
    auto pool = make_layer(node, {in});
    ASSERT_EQ(pool.output_shape, (Shape{2, 2, 4, 4}));
    check_layer_gradients(pool, {random_tensor(in, 63)}, 0.1, kLinear);
  }
}

// ---------------------------------------------------------------- flatten and dense

TEST(FlattenGradient, ReshapesTheGradientBackInRowMajorOrder) {
  auto flatten = make_layer({{"type", "flatten"}}, {{2, 3, 4, 5}});
  check_layer_gradients(flatten, {random_tensor({2, 3, 4, 5}, 71)}, 0.1, kLinear);
  EXPECT_EQ(shape_of(flatten.output), (Shape{2, 60}));
}

TEST(DenseGradient, SevenInputsFiveOutputs) {
  auto dense = make_layer({{"type", "dense"}, {"out_features", 5}}, {{1, 7}}, 81);
  check_layer_gradients(dense, {random_tensor({1, 7}, 83)}, 0.1, kLinear);
}

TEST(DenseGradient, BatchOfFour) {
  auto dense = make_layer({{"type", "dense"}, {"out_features", 6}}, {{4, 9}}, 84);
  check_layer_gradients(dense, {random_tensor({4, 9}, 85)}, 0.1, kLinear);
}

TEST(LayerBackward, AddsIntoParameterGradientsInsteadOfOverwriting) {
  auto dense = make_layer({{"type", "dense"}, {"out_features", 3}}, {{1, 4}}, 91);
  const std::vector<Tensor> x = {random_tensor({1, 4}, 93)};
  dense.forward(x);
  const Tensor upstream = random_tensor({1, 3}, 94);
  dense.layer->zero_grad();
  dense.backward(x, upstream);
  const std::vector<float> once = to_vector(dense.layer->params()[0].grad);
  dense.backward(x, upstream);
  std::vector<float> twice_expected = once;
  for (float& v : twice_expected) v *= 2.0f;
  EXPECT_TRUE(testing::all_close(to_vector(dense.layer->params()[0].grad), twice_expected, 1e-6, 1e-6));
  dense.layer->zero_grad();
  EXPECT_EQ(testing::max_abs(to_vector(dense.layer->params()[0].grad)), 0.0);
  EXPECT_EQ(testing::max_abs(to_vector(dense.layer->params()[1].grad)), 0.0);
}

TEST(LayerBackward, AddsIntoInputGradientsSoSeveralReadersSum) {
  auto relu = make_layer({{"type", "relu"}}, {{1, 3}});
  const std::vector<Tensor> x = {tensor_from({1.0f, -1.0f, 2.0f}, {1, 3})};
  relu.forward(x);
  Tensor gx = tensor_from({10.0f, 10.0f, 10.0f}, {1, 3});
  const Tensor gy = tensor_from({1.0f, 2.0f, 3.0f}, {1, 3});
  relu.layer->backward({&x[0]}, relu.output, gy, {&gx}, relu.context);
  EXPECT_TRUE(testing::all_close(to_vector(gx), {11.0f, 10.0f, 13.0f}, 0.0, 0.0));
}

// ---------------------------------------------------------------- activations

TEST(ActivationGradient, ReluAwayFromTheKink) {
  auto relu = make_layer({{"type", "relu"}}, {{1, 2, 3, 4}});
  check_layer_gradients(relu, {tensor_from(testing::values_away_from_zero(24, 101), {1, 2, 3, 4})}, 0.01, kLinear);
}

TEST(ActivationGradient, ReluDerivativeAtZeroIsZero) {
  auto relu = make_layer({{"type", "relu"}}, {{1, 3}});
  const std::vector<Tensor> x = {tensor_from({0.0f, -1.0f, 2.0f}, {1, 3})};
  relu.forward(x);
  relu.backward(x, tensor_from({1.0f, 1.0f, 1.0f}, {1, 3}));
  EXPECT_TRUE(testing::all_close(to_vector(relu.grad_input()), {0.0f, 0.0f, 1.0f}, 0.0, 0.0));
}

TEST(ActivationGradient, LeakyReluSlope02AwayFromTheKink) {
  auto leaky = make_layer({{"type", "leaky_relu"}, {"negative_slope", 0.2}}, {{1, 2, 3, 4}});
  check_layer_gradients(leaky, {tensor_from(testing::values_away_from_zero(24, 102), {1, 2, 3, 4})}, 0.01, kLinear);
  auto small = make_layer({{"type", "leaky_relu"}, {"negative_slope", 0.2}}, {{1, 2}});
  small.forward({tensor_from({-2.0f, 3.0f}, {1, 2})});
  EXPECT_TRUE(testing::all_close(to_vector(small.output), {-0.4f, 3.0f}, 1e-7, 0.0));
}

TEST(ActivationGradient, Sigmoid) {
  auto sigmoid = make_layer({{"type", "sigmoid"}}, {{1, 2, 3, 4}});
  check_layer_gradients(sigmoid, {random_tensor({1, 2, 3, 4}, 103, -2.0f, 2.0f)}, 0.01, kSmooth);
}

TEST(ActivationGradient, Tanh) {
  auto tanh_layer = make_layer({{"type", "tanh"}}, {{1, 2, 3, 4}});
  check_layer_gradients(tanh_layer, {random_tensor({1, 2, 3, 4}, 104, -2.0f, 2.0f)}, 0.01, kSmooth);
}

TEST(ActivationGradient, SoftmaxOnAVectorAndABatch) {
  auto softmax = make_layer({{"type", "softmax"}}, {{1, 6}});
  check_layer_gradients(softmax, {random_tensor({1, 6}, 105, -2.0f, 2.0f)}, 0.01, kSmooth);
  double total = 0.0;
  for (float y : softmax.output) total += y;
  EXPECT_NEAR(total, 1.0, 1e-6);
  auto batch = make_layer({{"type", "softmax"}}, {{3, 5}});
  check_layer_gradients(batch, {random_tensor({3, 5}, 106, -2.0f, 2.0f)}, 0.01, kSmooth);
}

// ---------------------------------------------------------------- losses

// dL/d(output) of a loss function by central differences of the loss it returns.
std::vector<double> numeric_loss_gradient(Tensor output, const std::function<float(const Tensor&, Tensor&)>& loss,
                                          double step) {
  Tensor scratch;
  std::vector<double> numeric(output.size());
  for (std::size_t k = 0; k < output.size(); ++k) {
    numeric[k] = testing::central_difference(output.data()[k], step, [&] { return double(loss(output, scratch)); });
  }
  return numeric;
}

TEST(LossGradient, MseMatchesFiniteDifferencesAndItsFormula) {
  const Tensor output = random_tensor({2, 3}, 111);
  const std::vector<float> target = testing::random_values(6, 112);
  std::vector<float> losses;
  const auto loss = [&](const Tensor& y, Tensor& grad) { return mse_loss(y, target.data(), grad, losses); };
  Tensor grad;
  const float value = loss(output, grad);
  double expected = 0.0;
  for (std::size_t k = 0; k < 6; ++k) expected += std::pow(double(output.data()[k]) - target[k], 2) / 6.0;
  EXPECT_NEAR(value, expected, 1e-6);
  ASSERT_EQ(shape_of(grad), (Shape{2, 3}));
  EXPECT_TRUE(testing::all_close(to_vector(grad), testing::as_floats(numeric_loss_gradient(output, loss, 0.01)), 1e-4,
                                 1e-3));
}

TEST(LossGradient, CrossEntropyMatchesFiniteDifferencesAndItsFormula) {
  const Tensor logits = random_tensor({1, 5}, 121, -2.0f, 2.0f);
  const int target_class = 3;
  std::vector<float> losses;
  const auto loss = [&](const Tensor& z, Tensor& grad) { return cross_entropy_loss(z, &target_class, grad, losses); };
  Tensor grad;
  const float value = loss(logits, grad);
  double sum_exp = 0.0;
  for (float z : logits) sum_exp += std::exp(double(z));
  EXPECT_NEAR(value, std::log(sum_exp) - logits(0, 3), 1e-6);
  ASSERT_EQ(shape_of(grad), (Shape{1, 5}));
  EXPECT_TRUE(testing::all_close(to_vector(grad), testing::as_floats(numeric_loss_gradient(logits, loss, 0.01)), 1e-4,
                                 1e-3));
  double grad_sum = 0.0;  // softmax(z) - onehot(k) sums to zero
  for (float g : grad) grad_sum += g;
  EXPECT_NEAR(grad_sum, 0.0, 1e-6);
  EXPECT_LT(grad(0, 3), 0.0f);
}

TEST(LossGradient, BatchMeanOfPerSampleLossesAndGradientsDividedByTheBatch) {
  const Tensor logits = random_tensor({3, 4}, 125, -2.0f, 2.0f);
  const std::vector<int> classes = {1, 3, 0};
  std::vector<float> losses;
  Tensor grad;
  const float mean = cross_entropy_loss(logits, classes.data(), grad, losses);
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_NEAR(mean, (double(losses[0]) + losses[1] + losses[2]) / 3.0, 1e-6);
  for (std::size_t s = 0; s < 3; ++s) {
    Tensor one = tensor_from(std::vector<float>(logits.data() + s * 4, logits.data() + s * 4 + 4), {1, 4});
    Tensor one_grad;
    std::vector<float> one_loss;
    cross_entropy_loss(one, &classes[s], one_grad, one_loss);
    EXPECT_NEAR(one_loss[0], losses[s], 1e-6);
    for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(grad(s, k), one_grad(0, k) / 3.0f, 1e-7);
  }
}

TEST(LossGradient, CrossEntropyStaysFiniteForLargeLogits) {
  const Tensor logits = tensor_from({1000.0f, 1001.0f, 999.0f}, {1, 3});
  Tensor grad;
  std::vector<float> losses;
  const int target_class = 0;
  const float value = cross_entropy_loss(logits, &target_class, grad, losses);
  // log(e^1000 + e^1001 + e^999) - 1000 = 1 + log(1 + e^-1 + e^-2)
  EXPECT_NEAR(value, 1.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0)), 1e-5);
  const double s = 1.0 + std::exp(-1.0) + std::exp(-2.0);
  EXPECT_TRUE(testing::all_close(to_vector(grad),
                                 testing::as_floats({std::exp(-1.0) / s - 1.0, 1.0 / s, std::exp(-2.0) / s}), 1e-6, 1e-5));
}

// ---------------------------------------------------------------- cnnlens::gradient_check

json smooth_cnn_scene() {
  const Shape in = {2, 6, 7};
  return {{"input", {{"shape", in}, {"data", testing::random_values(element_count(in), 131)}}},
          {"layers",
           {{{"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", 3}, {"padding", 1}},
            {{"type", "tanh"}},
            {{"type", "avgpool2d"}, {"kernel_size", 2}},
            {{"type", "flatten"}},
            {{"type", "dense"}, {"out_features", 4}},
            {{"type", "sigmoid"}}}},
          {"loss", "mse"},
          {"target", testing::random_values(4, 132, 0.0f, 1.0f)},
          {"optimizer", {{"type", "sgd"}, {"lr", 0.5}, {"momentum", 0.9}}},
          {"seed", 5}};
}

json smooth_dense_cross_entropy_scene() {
  return {{"input", {{"shape", {6}}, {"data", testing::random_values(6, 141, -2.0f, 2.0f)}}},
          {"layers",
           {{{"type", "dense"}, {"out_features", 5}},
            {{"type", "tanh"}},
            {{"type", "dense"}, {"out_features", 3}}}},
          {"loss", "cross_entropy"},
          {"target", 2},
          {"seed", 9}};
}

void expect_small_errors(const json& report, std::size_t expected_rows) {
  const json& rows = report.at("results");
  ASSERT_EQ(rows.size(), expected_rows);
  for (const json& row : rows) {
    SCOPED_TRACE(row.dump());
    EXPECT_GT(row.at("checked").get<int>(), 0);
    EXPECT_LT(row.at("max_rel_error").get<double>(), 1e-2);
    EXPECT_LT(row.at("max_abs_error").get<double>(), 1e-3);
  }
  EXPECT_EQ(rows.back().at("layer"), -1);
  EXPECT_EQ(rows.back().at("tensor"), "input");
}

TEST(GradientCheck, SmoothCnnReportsSmallRelativeErrorsForEveryTensor) {
  Model model = testing::model_from(smooth_cnn_scene());
  const json report = gradient_check(model, 100000);
  // conv2d weight and bias, dense weight and bias, then the input.
  expect_small_errors(report, 5);
  const json& rows = report.at("results");
  EXPECT_EQ(rows[0].at("type"), "conv2d");
  EXPECT_EQ(rows[0].at("tensor"), "weight");
  EXPECT_EQ(rows[0].at("checked"), 3 * 2 * 3 * 3);  // every element, since the cap is large
  EXPECT_EQ(rows[3].at("layer"), 4);
  EXPECT_EQ(rows[3].at("tensor"), "bias");
  EXPECT_EQ(rows[4].at("checked"), 2 * 6 * 7);
}

TEST(GradientCheck, SmoothDenseNetWithCrossEntropyReportsSmallErrors) {
  Model model = testing::model_from(smooth_dense_cross_entropy_scene());
  expect_small_errors(gradient_check(model, 100000), 5);
}

TEST(GradientCheck, CapsTheNumberOfCheckedElements) {
  Model model = testing::model_from(smooth_cnn_scene());
  const json report = gradient_check(model, 4);
  for (const json& row : report.at("results")) EXPECT_LE(row.at("checked").get<int>(), 4) << row.dump();
}

TEST(GradientCheck, LeavesTheModelExactlyUnchanged) {
  Model model = testing::model_from(smooth_cnn_scene());
  model.train(2);  // so there is a loss history and momentum state too
  const std::string trace_before = testing::trace_text(model);
  const std::string tensors_before = testing::all_tensors_text(model);
  const std::string scene_before = model.to_scene_json().dump();
  const float loss_before = model.loss();
  gradient_check(model, 100000);
  EXPECT_TRUE(testing::same_json_text(testing::trace_text(model), trace_before));
  EXPECT_TRUE(testing::same_json_text(testing::all_tensors_text(model), tensors_before));
  EXPECT_TRUE(testing::same_json_text(model.to_scene_json().dump(), scene_before));
  EXPECT_EQ(model.loss(), loss_before);
  EXPECT_EQ(model.steps_taken(), 2);
  EXPECT_EQ(model.loss_history().size(), 2u);
}

}  // namespace
}  // namespace cnnlens
