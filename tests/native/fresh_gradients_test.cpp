// Fresh gradients (RunContext::fresh_grad_inputs, fresh_param_grads): a layer that says it writes
// them must leave the same bits, every value written, as adding into zeros does. The gradients
// start as NaN here, so a value the layer forgets to write, or adds to, shows.
#include <cstring>
#include <limits>

#include "layer_harness.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;
using testing::make_layer;
using testing::random_tensor;
using testing::TestLayer;

struct Pass {
  std::vector<Tensor> grad_inputs;
  std::vector<Tensor> param_grads;
};

// Backward once, the gradients starting at zero (adding) or at NaN with the fresh flags set (writing).
Pass backward_pass(TestLayer& t, const std::vector<Tensor>& inputs, const Tensor& grad_output, bool fresh) {
  const float start = fresh ? std::numeric_limits<float>::quiet_NaN() : 0.0f;
  Pass pass;
  Inputs pointers;
  GradInputs grads;
  for (const Tensor& x : inputs) {
    pass.grad_inputs.push_back(zeros(shape_of(x)));
    pass.grad_inputs.back().fill(start);
  }
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    pointers.push_back(&inputs[k]);
    grads.push_back(&pass.grad_inputs[k]);
  }
  for (Param& p : t.layer->params()) p.grad.fill(start);
  RunContext context = t.context;
  if (fresh) {
    context.fresh_grad_inputs = (1u << inputs.size()) - 1;
    context.fresh_param_grads = true;
  }
  t.layer->backward(pointers, t.output, grad_output, grads, context);
  for (const Param& p : t.layer->params()) pass.param_grads.push_back(p.grad);
  return pass;
}

::testing::AssertionResult same_bits(const Tensor& a, const Tensor& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "size " << a.size() << " != " << b.size();
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::memcmp(a.data() + k, b.data() + k, sizeof(float)) != 0) {
      return ::testing::AssertionFailure() << "value " << k << ": " << a.data()[k] << " written, " << b.data()[k] << " added";
    }
  }
  return ::testing::AssertionSuccess();
}

void expect_fresh_writes_match_adding(const json& node, const Shape& input_shape, std::uint32_t seed) {
  TestLayer t = make_layer(node, {input_shape}, seed);
  ASSERT_TRUE(t.layer->writes_fresh_gradients()) << node.dump();
  const std::vector<Tensor> inputs{random_tensor(input_shape, seed + 1)};
  t.forward(inputs);
  // negative gradients where ReLU is flat make -0 terms: adding into zeros gives +0
  const Tensor grad_output = random_tensor(shape_of(t.output), seed + 2);
  const Pass added = backward_pass(t, inputs, grad_output, false);
  const Pass written = backward_pass(t, inputs, grad_output, true);
  for (std::size_t k = 0; k < inputs.size(); ++k) EXPECT_TRUE(same_bits(written.grad_inputs[k], added.grad_inputs[k])) << node.dump();
  for (std::size_t k = 0; k < added.param_grads.size(); ++k) {
    EXPECT_TRUE(same_bits(written.param_grads[k], added.param_grads[k])) << node.dump() << " " << t.layer->params()[k].name;
  }
}

TEST(FreshGradients, ActivationsWriteWhatAddingIntoZerosGives) {
  for (const char* type : {"relu", "leaky_relu", "sigmoid", "tanh", "elu", "gelu", "relu6"}) {
    expect_fresh_writes_match_adding({{"type", type}}, {2, 3, 5, 7}, 3);
  }
}

// 37 inputs: nine blocks of four and a one-value tail; three samples: only the first writes dL/dW.
TEST(FreshGradients, DenseWritesInputAndParameterGradientsAsAddingGives) {
  expect_fresh_writes_match_adding({{"type", "dense"}, {"out_features", 5}}, {3, 37}, 7);
  expect_fresh_writes_match_adding({{"type", "dense"}, {"out_features", 1}}, {1, 8}, 9);
}

// 2x2 windows: exact fits, odd sizes (a row and a column no window reads), widths around the
// four-window block; then overlapping and padded windows, which zero first and scatter.
TEST(FreshGradients, MaxPoolWritesEveryCellAsAddingGives) {
  const json two{{"type", "maxpool2d"}, {"kernel_size", 2}};
  for (const Shape& shape : {Shape{2, 3, 8, 16}, Shape{1, 2, 9, 11}, Shape{2, 1, 6, 6}, Shape{1, 2, 5, 19}, Shape{1, 1, 3, 2}}) {
    expect_fresh_writes_match_adding(two, shape, 11);
  }
  expect_fresh_writes_match_adding({{"type", "maxpool2d"}, {"kernel_size", 3}, {"stride", 2}}, {2, 2, 9, 9}, 13);
  expect_fresh_writes_match_adding({{"type", "maxpool2d"}, {"kernel_size", 2}, {"padding", 1}}, {1, 2, 7, 6}, 15);
}

// Ties: the winner is the first of equal taps, and only it receives the gradient.
TEST(FreshGradients, MaxPoolTiesRouteToTheFirstWinnerOnly) {
  TestLayer t = make_layer({{"type", "maxpool2d"}, {"kernel_size", 2}}, {{1, 1, 2, 10}}, 1);
  std::vector<Tensor> inputs{zeros({1, 1, 2, 10})};
  inputs[0].fill(0.5f);
  t.forward(inputs);
  Tensor grad_output = zeros(shape_of(t.output));
  grad_output.fill(2.0f);
  const Pass written = backward_pass(t, inputs, grad_output, true);
  for (int s = 0; s < 5; ++s) {
    EXPECT_EQ(written.grad_inputs[0].data()[2 * s], 2.0f) << "window " << s;
    EXPECT_EQ(written.grad_inputs[0].data()[2 * s + 1], 0.0f);
    EXPECT_EQ(written.grad_inputs[0].data()[10 + 2 * s], 0.0f);
    EXPECT_EQ(written.grad_inputs[0].data()[10 + 2 * s + 1], 0.0f);
  }
}

// Every edge's value and gradient and every parameter's gradient, as text.
std::string values_and_gradients(const Model& model) {
  json all = json::array();
  for (std::size_t index = 0; index < model.layer_count(); ++index) {
    for (const NamedTensor& named : model.layer(index).tensors()) {
      if (named.role == "output" || named.role == "grad" || named.role == "param.grad") {
        all.push_back({{"layer", index}, {"name", named.name}, {"data", to_vector(*named.tensor)}});
      }
    }
  }
  return all.dump();
}

// The executor: an edge read by two nodes (the residual add's) is zeroed and both add; an edge
// read by one writing node is not zeroed. A step leaves its gradients in every edge and parameter;
// the display pass after it must give what a model built afresh from the same scene gives.
TEST(FreshGradients, ModelGradientsDoNotDependOnWhatTheLastPassLeft) {
  const json scene = {
      {"version", 2},
      {"input", {{"shape", {2, 2, 6, 6}}, {"data", testing::random_values(144, 3)}}},
      {"nodes",
       {{{"id", "c"}, {"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 3}, {"padding", 1}},
        {{"id", "r"}, {"type", "relu"}},
        {{"id", "a"}, {"type", "add"}, {"inputs", {"r", "c"}}},
        {{"id", "p"}, {"type", "maxpool2d"}, {"kernel_size", 2}},
        {{"id", "f"}, {"type", "flatten"}},
        {{"id", "s"}, {"type", "sigmoid"}},
        {{"id", "d"}, {"type", "dense"}, {"out_features", 3}}}},
      {"loss", "cross_entropy"},
      {"target", {1, 2}},
      {"optimizer", {{"type", "sgd"}, {"lr", 0.5}}},
      {"seed", 1}};
  Model model = testing::model_from(scene);
  const std::string before = values_and_gradients(model);
  model.train(2);
  const std::string after = values_and_gradients(model);
  EXPECT_NE(before, after);
  const Model afresh = Model::from_json(model.to_scene_json().dump());
  EXPECT_TRUE(testing::same_json_text(after, values_and_gradients(afresh)));
}

}  // namespace
}  // namespace cnnlens
