// Finite differences vs backward() for every layer type and both losses, and cnnlens::gradient_check.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/gradient_check.hpp"
#include "cnnlens/layers/activation.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/dense.hpp"
#include "cnnlens/layers/flatten.hpp"
#include "cnnlens/layers/pool2d.hpp"
#include "cnnlens/loss.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/random.hpp"
#include "cnnlens/scene.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

struct Tolerance {
  double abs;
  double rel;
};

// Piecewise-linear layers (conv, dense, pools, flatten, relu): central differences are exact up
// to float32 rounding of the few outputs a perturbation touches.
constexpr Tolerance kLinear{2e-5, 1e-4};
// Smooth layers with step 1e-2: truncation error h^2/6 * |f'''| stays below ~4e-5.
constexpr Tolerance kSmooth{1e-4, 1e-3};

// The test's loss: L = sum(output * R), accumulated in double, so dL/d(output) = R exactly.
double weighted_sum(const Tensor& output, const std::vector<float>& r) {
  double sum = 0.0;
  for (std::size_t k = 0; k < r.size(); ++k) sum += double(output.data()[k]) * double(r[k]);
  return sum;
}

// Central difference of `objective` with respect to `value`, dividing by the perturbation that
// float32 actually stored (x + h is rounded), not by the nominal 2h.
double central_difference(float& value, double step, const std::function<double()>& objective) {
  const float original = value;
  value = static_cast<float>(original + step);
  const float up = value;
  const double loss_up = objective();
  value = static_cast<float>(original - step);
  const float down = value;
  const double loss_down = objective();
  value = original;
  return (loss_up - loss_down) / (double(up) - double(down));
}

double max_abs(const std::vector<float>& values) {
  double m = 0.0;
  for (float v : values) m = std::max(m, double(std::fabs(v)));
  return m;
}

// Perturbs EVERY element of the input and of every parameter and compares with backward().
void check_layer_gradients(Layer& layer, Tensor input, double step, Tolerance tol, std::uint32_t seed = 7) {
  layer.forward(input);
  const std::vector<float> r = testing::random_values(layer.output().size(), seed);
  layer.zero_grad();
  layer.backward(tensor_from(r, shape_of(layer.output())));
  ASSERT_EQ(shape_of(layer.grad_output()), shape_of(layer.output())) << layer.type();
  ASSERT_EQ(shape_of(layer.grad_input()), shape_of(input)) << layer.type() << " grad_input shape";
  const std::vector<float> analytic_input = to_vector(layer.grad_input());
  std::vector<std::vector<float>> analytic_params;
  for (const Param& p : layer.params()) {
    ASSERT_EQ(shape_of(p.grad), shape_of(p.value)) << layer.type() << " " << p.name << " grad shape";
    analytic_params.push_back(to_vector(p.grad));
  }

  const auto objective = [&] {
    layer.forward(input);
    return weighted_sum(layer.output(), r);
  };
  std::vector<double> numeric_input(input.size());
  for (std::size_t k = 0; k < input.size(); ++k) numeric_input[k] = central_difference(input.data()[k], step, objective);
  EXPECT_TRUE(testing::all_close(analytic_input, testing::as_floats(numeric_input), tol.abs, tol.rel))
      << layer.type() << ": dL/d(input)";
  EXPECT_GT(max_abs(analytic_input), 1e-3) << layer.type() << ": the input gradient should not vanish";

  for (std::size_t index = 0; index < layer.params().size(); ++index) {
    Param& p = layer.params()[index];
    std::vector<double> numeric(p.value.size());
    for (std::size_t k = 0; k < p.value.size(); ++k) numeric[k] = central_difference(p.value.data()[k], step, objective);
    EXPECT_TRUE(testing::all_close(analytic_params[index], testing::as_floats(numeric), tol.abs, tol.rel))
        << layer.type() << ": dL/d(" << p.name << ")";
    EXPECT_GT(max_abs(analytic_params[index]), 1e-3) << layer.type() << " " << p.name;
  }
}

Tensor random_tensor(const Shape& shape, std::uint32_t seed, float low = -1.0f, float high = 1.0f) {
  return tensor_from(testing::random_values(element_count(shape), seed, low, high), shape);
}

// Distinct values 0.05 apart in shuffled order: no max-pool window has a tie, and a perturbation
// of 0.01 never changes which element wins.
Tensor tie_free_tensor(const Shape& shape, std::uint32_t seed) {
  const std::size_t n = element_count(shape);
  std::vector<float> values(n);
  for (std::size_t k = 0; k < n; ++k) values[k] = (float(k) - float(n) / 2.0f) * 0.05f;
  Random random(seed);
  for (std::size_t k = n - 1; k > 0; --k) {
    const auto j = std::min(k, static_cast<std::size_t>(random.uniform01() * float(k + 1)));
    std::swap(values[k], values[j]);
  }
  return tensor_from(values, shape);
}

LayerSpec window_spec(const std::string& type, Pair kernel, Pair stride, Pair padding = {0, 0}, Pair dilation = {1, 1},
                      int out_channels = 0) {
  LayerSpec spec;
  spec.type = type;
  spec.kernel_size = kernel;
  spec.stride = stride;
  spec.padding = padding;
  spec.dilation = dilation;
  spec.out_channels = out_channels;
  return spec;
}

std::unique_ptr<Conv2d> make_conv(const LayerSpec& spec, const Shape& in, std::uint32_t seed) {
  const Shape out = layer_output_shape(spec, in, 0);
  const ConvGeometry geometry{int(in[0]),       int(in[1]),    int(in[2]),  int(out[0]),   int(out[1]),
                              int(out[2]),      spec.kernel_size, spec.effective_stride(), spec.padding, spec.dilation};
  return std::make_unique<Conv2d>(geometry, random_tensor(weight_shape(spec, in), seed),
                                  random_tensor(bias_shape(spec, in), seed + 1));
}

PoolGeometry pool_geometry(const LayerSpec& spec, const Shape& in) {
  const Shape out = layer_output_shape(spec, in, 0);
  return {int(in[0]), int(in[1]), int(in[2]), int(out[1]), int(out[2]), spec.kernel_size, spec.effective_stride()};
}

// ---------------------------------------------------------------- conv2d

TEST(Conv2dGradient, OddShapesWithStride2x1Padding1x2Dilation2AndRectangularKernel) {
  const Shape in = {3, 7, 5};
  const LayerSpec spec = window_spec("conv2d", {2, 3}, {2, 1}, {1, 2}, {2, 2}, 4);
  // H' = (7 + 2 - 2*1 - 1) / 2 + 1 = 4,  W' = (5 + 4 - 2*2 - 1) / 1 + 1 = 5
  ASSERT_EQ(layer_output_shape(spec, in, 0), (Shape{4, 4, 5}));
  auto conv = make_conv(spec, in, 11);
  check_layer_gradients(*conv, random_tensor(in, 12), 0.1, kLinear);
}

TEST(Conv2dGradient, PerAxisDilationStrideAndPadding) {
  const Shape in = {2, 8, 6};
  const LayerSpec spec = window_spec("conv2d", {2, 3}, {1, 2}, {2, 0}, {3, 1}, 3);
  // H' = (8 + 4 - 3*1 - 1) / 1 + 1 = 9,  W' = (6 + 0 - 1*2 - 1) / 2 + 1 = 2
  ASSERT_EQ(layer_output_shape(spec, in, 0), (Shape{3, 9, 2}));
  auto conv = make_conv(spec, in, 21);
  check_layer_gradients(*conv, random_tensor(in, 22), 0.1, kLinear);
}

TEST(Conv2dGradient, StrideLargerThanKernelSkipsSomeInputs) {
  const Shape in = {1, 9, 8};
  const LayerSpec spec = window_spec("conv2d", {2, 2}, {3, 3}, {0, 0}, {1, 1}, 2);
  ASSERT_EQ(layer_output_shape(spec, in, 0), (Shape{2, 3, 3}));
  auto conv = make_conv(spec, in, 31);
  check_layer_gradients(*conv, random_tensor(in, 32), 0.1, kLinear);
  // Row 2 is read by no window (windows start at rows 0, 3, 6 and span 2 rows).
  for (int col = 0; col < 8; ++col) EXPECT_EQ(conv->grad_input()(0, 2, col), 0.0f);
}

TEST(Conv2dGradient, OneByOneKernelOverManyChannels) {
  const Shape in = {5, 3, 4};
  const LayerSpec spec = window_spec("conv2d", {1, 1}, {1, 1}, {0, 0}, {1, 1}, 3);
  auto conv = make_conv(spec, in, 41);
  check_layer_gradients(*conv, random_tensor(in, 42), 0.1, kLinear);
}

// ---------------------------------------------------------------- pooling

TEST(MaxPool2dGradient, OverlappingWindowsStride2Kernel3) {
  const Shape in = {2, 7, 8};
  const LayerSpec spec = window_spec("maxpool2d", {3, 3}, {2, 2});
  ASSERT_EQ(layer_output_shape(spec, in, 0), (Shape{2, 3, 3}));  // floor mode drops column 7
  MaxPool2d pool(pool_geometry(spec, in));
  check_layer_gradients(pool, tie_free_tensor(in, 51), 0.01, kLinear);
}

TEST(MaxPool2dGradient, GappedRectangularWindowsStrideLargerThanKernel) {
  const Shape in = {2, 7, 8};
  const LayerSpec spec = window_spec("maxpool2d", {2, 3}, {3, 2});
  ASSERT_EQ(layer_output_shape(spec, in, 0), (Shape{2, 2, 3}));
  MaxPool2d pool(pool_geometry(spec, in));
  check_layer_gradients(pool, tie_free_tensor(in, 52), 0.01, kLinear);
}

TEST(MaxPool2dGradient, TieGoesToTheFirstMaximumInRowMajorOrder) {
  const Shape in = {1, 2, 2};
  MaxPool2d pool(pool_geometry(window_spec("maxpool2d", {2, 2}, {2, 2}), in));
  pool.forward(tensor_from({1.0f, 5.0f, 5.0f, 2.0f}, in));
  EXPECT_EQ(pool.argmax()(0, 0, 0), 1.0f);
  pool.backward(tensor_from({3.0f}, {1, 1, 1}));
  EXPECT_TRUE(testing::all_close(to_vector(pool.grad_input()), {0.0f, 3.0f, 0.0f, 0.0f}, 0.0, 0.0));
}

TEST(AvgPool2dGradient, OverlappingWindowsStride2Kernel3) {
  const Shape in = {2, 7, 8};
  const LayerSpec spec = window_spec("avgpool2d", {3, 3}, {2, 2});
  AvgPool2d pool(pool_geometry(spec, in));
  check_layer_gradients(pool, random_tensor(in, 61), 0.1, kLinear);
}

TEST(AvgPool2dGradient, GappedRectangularWindowsStrideLargerThanKernel) {
  const Shape in = {3, 7, 8};
  const LayerSpec spec = window_spec("avgpool2d", {2, 3}, {3, 2});
  AvgPool2d pool(pool_geometry(spec, in));
  check_layer_gradients(pool, random_tensor(in, 62), 0.1, kLinear);
}

// ---------------------------------------------------------------- flatten and dense

TEST(FlattenGradient, ReshapesTheGradientBackInRowMajorOrder) {
  Flatten flatten;
  check_layer_gradients(flatten, random_tensor({3, 4, 5}, 71), 0.1, kLinear);
  EXPECT_EQ(shape_of(flatten.output()), (Shape{60}));
}

TEST(DenseGradient, SevenInputsFiveOutputs) {
  Dense dense(random_tensor({5, 7}, 81), random_tensor({5}, 82));
  check_layer_gradients(dense, random_tensor({7}, 83), 0.1, kLinear);
}

TEST(LayerBackward, AddsIntoParameterGradientsInsteadOfOverwriting) {
  Dense dense(random_tensor({3, 4}, 91), random_tensor({3}, 92));
  dense.forward(random_tensor({4}, 93));
  const Tensor upstream = random_tensor({3}, 94);
  dense.zero_grad();
  dense.backward(upstream);
  const std::vector<float> once = to_vector(dense.params()[0].grad);
  dense.backward(upstream);
  std::vector<float> twice_expected = once;
  for (float& v : twice_expected) v *= 2.0f;
  EXPECT_TRUE(testing::all_close(to_vector(dense.params()[0].grad), twice_expected, 1e-6, 1e-6));
  dense.zero_grad();
  EXPECT_EQ(max_abs(to_vector(dense.params()[0].grad)), 0.0);
  EXPECT_EQ(max_abs(to_vector(dense.params()[1].grad)), 0.0);
}

// ---------------------------------------------------------------- activations

TEST(ActivationGradient, ReluAwayFromTheKink) {
  Relu relu;
  check_layer_gradients(relu, tensor_from(testing::values_away_from_zero(24, 101), {2, 3, 4}), 0.01, kLinear);
}

TEST(ActivationGradient, ReluDerivativeAtZeroIsZero) {
  Relu relu;
  relu.forward(tensor_from({0.0f, -1.0f, 2.0f}, {3}));
  relu.backward(tensor_from({1.0f, 1.0f, 1.0f}, {3}));
  EXPECT_TRUE(testing::all_close(to_vector(relu.grad_input()), {0.0f, 0.0f, 1.0f}, 0.0, 0.0));
}

TEST(ActivationGradient, LeakyReluSlope02AwayFromTheKink) {
  LeakyRelu leaky(0.2f);
  check_layer_gradients(leaky, tensor_from(testing::values_away_from_zero(24, 102), {2, 3, 4}), 0.01, kLinear);
  leaky.forward(tensor_from({-2.0f, 3.0f}, {2}));
  EXPECT_TRUE(testing::all_close(to_vector(leaky.output()), {-0.4f, 3.0f}, 1e-7, 0.0));
}

TEST(ActivationGradient, Sigmoid) {
  Sigmoid sigmoid;
  check_layer_gradients(sigmoid, random_tensor({2, 3, 4}, 103, -2.0f, 2.0f), 0.01, kSmooth);
}

TEST(ActivationGradient, Tanh) {
  Tanh tanh_layer;
  check_layer_gradients(tanh_layer, random_tensor({2, 3, 4}, 104, -2.0f, 2.0f), 0.01, kSmooth);
}

TEST(ActivationGradient, SoftmaxOnAVector) {
  Softmax softmax;
  check_layer_gradients(softmax, random_tensor({6}, 105, -2.0f, 2.0f), 0.01, kSmooth);
  double total = 0.0;
  for (float y : softmax.output()) total += y;
  EXPECT_NEAR(total, 1.0, 1e-6);
}

// ---------------------------------------------------------------- losses

// dL/d(output) of a loss function by central differences of the loss it returns.
std::vector<double> numeric_loss_gradient(Tensor output, const std::function<float(const Tensor&, Tensor&)>& loss,
                                          double step) {
  Tensor scratch;
  std::vector<double> numeric(output.size());
  for (std::size_t k = 0; k < output.size(); ++k) {
    numeric[k] = central_difference(output.data()[k], step, [&] { return double(loss(output, scratch)); });
  }
  return numeric;
}

TEST(LossGradient, MseMatchesFiniteDifferencesAndItsFormula) {
  const Tensor output = random_tensor({2, 3}, 111);
  const std::vector<float> target = testing::random_values(6, 112);
  const auto loss = [&](const Tensor& y, Tensor& grad) { return mse_loss(y, target, grad); };
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
  const Tensor logits = random_tensor({5}, 121, -2.0f, 2.0f);
  const int target_class = 3;
  const auto loss = [&](const Tensor& z, Tensor& grad) { return cross_entropy_loss(z, target_class, grad); };
  Tensor grad;
  const float value = loss(logits, grad);
  double sum_exp = 0.0;
  for (float z : logits) sum_exp += std::exp(double(z));
  EXPECT_NEAR(value, std::log(sum_exp) - logits(3), 1e-6);
  ASSERT_EQ(shape_of(grad), (Shape{5}));
  EXPECT_TRUE(testing::all_close(to_vector(grad), testing::as_floats(numeric_loss_gradient(logits, loss, 0.01)), 1e-4,
                                 1e-3));
  double grad_sum = 0.0;  // softmax(z) - onehot(k) sums to zero
  for (float g : grad) grad_sum += g;
  EXPECT_NEAR(grad_sum, 0.0, 1e-6);
  EXPECT_LT(grad(3), 0.0f);
}

TEST(LossGradient, CrossEntropyStaysFiniteForLargeLogits) {
  const Tensor logits = tensor_from({1000.0f, 1001.0f, 999.0f}, {3});
  Tensor grad;
  const float value = cross_entropy_loss(logits, 0, grad);
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
