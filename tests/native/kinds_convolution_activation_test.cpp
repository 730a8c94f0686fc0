// The convolution and activation kinds of version-2 scenes (conv_transpose2d, pad2d, elu, gelu,
// relu6, prelu, log_softmax): per-element finite differences through the harness, hand-computed
// cases, direct loops of the header formulas, and the structured errors of their shape rules.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/registry.hpp"
#include "layer_harness.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;
using testing::all_close;
using testing::check_layer_gradients;
using testing::kLinear;
using testing::kSmooth;
using testing::make_layer;
using testing::random_tensor;

// Building the node must fail with SceneError `code` naming `field`.
void expect_kind_error(const json& node, const InputShapes& shapes, const std::string& code, const std::string& field,
                       int line = __builtin_LINE()) {
  testing::expect_scene_error([&] { make_layer(node, shapes); }, code, field, {}, __FILE__, line);
}

// parse_node with an id, as make_layer gives one.
NodeSpec parse(json node) {
  node["id"] = "n";
  return parse_node(node);
}

// Parsing the node must fail with SceneError naming `field`.
void expect_field_error(const json& node, const std::string& field, int line = __builtin_LINE()) {
  testing::expect_scene_error([&] { parse(node); }, {}, field, {}, __FILE__, line);
}

// Runs forward on one input and backward with `grad_output`; returns the input gradient.
std::vector<float> run(testing::TestLayer& t, const Tensor& x, const std::vector<float>& grad_output) {
  t.forward({x});
  t.layer->zero_grad();
  t.backward({x}, tensor_from(grad_output, shape_of(t.output)));
  return to_vector(t.grad_input());
}

Tensor values_away_from_zero(const Shape& shape, std::uint32_t seed, float margin, float high) {
  return tensor_from(testing::values_away_from_zero(element_count(shape), seed, margin, high), shape);
}

// ---------------------------------------------------------------- conv_transpose2d

json transpose_node(int out, json kernel, json stride, json padding = 0, json output_padding = 0, json dilation = 1,
                    int groups = 1) {
  return {{"type", "conv_transpose2d"}, {"out_channels", out},   {"kernel_size", kernel},
          {"stride", stride},           {"padding", padding},    {"output_padding", output_padding},
          {"dilation", dilation},       {"groups", groups}};
}

TEST(ConvTranspose2d, OneByTwoByTwoInputWithStride2TilesTheKernelScaledByEachInput) {
  json node = transpose_node(1, 2, 2);
  node["weight"] = {1, 10, 100, 1000};
  node["bias"] = {0.5};
  auto t = make_layer(node, {{1, 1, 2, 2}});
  // H' = (2 - 1) * 2 + 1 * (2 - 1) + 0 + 1 = 4
  ASSERT_EQ(t.output_shape, (Shape{1, 1, 4, 4}));
  t.forward({tensor_from({1, 2, 3, 4}, {1, 1, 2, 2})});
  EXPECT_TRUE(all_close(to_vector(t.output), {1.5f,   10.5f,   2.5f,   20.5f,    //
                                              100.5f, 1000.5f, 200.5f, 2000.5f,  //
                                              3.5f,   30.5f,   4.5f,   40.5f,    //
                                              300.5f, 3000.5f, 400.5f, 4000.5f},
                        0.0, 0.0));
}

TEST(ConvTranspose2d, OverlappingTapsAddAndPaddingTrimsTheOutput) {
  // A 1x2 input [1, 2] and a 1x2 kernel of ones at stride 1: [1, 1+2, 2].
  json node = transpose_node(1, {1, 2}, 1);
  node["weight"] = {1, 1};
  node["bias"] = {0};
  auto full = make_layer(node, {{1, 1, 1, 2}});
  full.forward({tensor_from({1, 2}, {1, 1, 1, 2})});
  EXPECT_TRUE(all_close(to_vector(full.output), {1, 3, 2}, 0.0, 0.0));
  // Left padding 1 trims the first column: [3, 2].
  node["padding"] = {0, 1, 0, 0};
  auto trimmed = make_layer(node, {{1, 1, 1, 2}});
  trimmed.forward({tensor_from({1, 2}, {1, 1, 1, 2})});
  EXPECT_TRUE(all_close(to_vector(trimmed.output), {3, 2}, 0.0, 0.0));
}

TEST(ConvTranspose2d, OutputPaddingAddsCellsNoTapReaches) {
  // Stride 2 spreads [1, 2] to [1, 0, 2]; output_padding 1 adds one more column: [1, 0, 2, 0] (+ bias).
  json node = transpose_node(1, 1, {1, 2}, 0, {0, 1});
  node["weight"] = {1};
  node["bias"] = {0.25};
  auto t = make_layer(node, {{1, 1, 1, 2}});
  ASSERT_EQ(t.output_shape, (Shape{1, 1, 1, 4}));
  t.forward({tensor_from({1, 2}, {1, 1, 1, 2})});
  EXPECT_TRUE(all_close(to_vector(t.output), {1.25f, 0.25f, 2.25f, 0.25f}, 0.0, 0.0));
}

TEST(ConvTranspose2d, OutputSizeFollowsPyTorchsFormula) {
  // H' = (H-1)*sh - top - bottom + dh*(kh-1) + oph + 1
  for (int h : {1, 3, 5}) {
    for (int stride : {1, 2, 3}) {
      for (int dilation : {1, 2}) {
        for (int extra = 0; extra < std::max(stride, dilation); ++extra) {
          const json node = transpose_node(2, {3, 2}, {stride, 1}, {1, 0, 0, 1}, {extra, 0}, {dilation, 1});
          auto t = make_layer(node, {{1, 1, std::size_t(h), 4}});
          const int expected_h = (h - 1) * stride - 1 - 0 + dilation * 2 + extra + 1;
          const int expected_w = 3 * 1 - 0 - 1 + 1 * 1 + 0 + 1;
          EXPECT_EQ(t.output_shape, (Shape{1, 2, std::size_t(expected_h), std::size_t(expected_w)})) << node.dump();
        }
      }
    }
  }
}

// Direct double loops of conv_transpose2d.hpp's scatter formula and its three gradients.
struct Direct {
  std::vector<double> y, gx, gw, gb;
};

Direct direct_transpose(const Shape& in, const Shape& out, int groups, Pair k, Pair s, Padding4 p, Pair d,
                        const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                        const std::vector<float>& gy) {
  const int n = int(in[0]), c_in = int(in[1]), h = int(in[2]), wd = int(in[3]);
  const int c_out = int(out[1]), oh = int(out[2]), ow = int(out[3]);
  const int cg = c_in / groups, og = c_out / groups;
  Direct e;
  e.y.assign(element_count(out), 0.0);
  e.gx.assign(x.size(), 0.0);
  e.gw.assign(w.size(), 0.0);
  e.gb.assign(b.size(), 0.0);
  for (int m = 0; m < n; ++m) {
    for (int o = 0; o < c_out; ++o) {
      for (int q = 0; q < oh * ow; ++q) {
        const std::size_t yi = (std::size_t(m) * c_out + o) * oh * ow + q;
        e.y[yi] += b[o];
        e.gb[o] += gy[yi];
      }
    }
    for (int c = 0; c < c_in; ++c) {
      const int grp = c / cg;
      for (int u = 0; u < h; ++u) {
        for (int v = 0; v < wd; ++v) {
          const std::size_t xi = ((std::size_t(m) * c_in + c) * h + u) * wd + v;
          for (int o2 = 0; o2 < og; ++o2) {
            const int o = grp * og + o2;
            for (int i = 0; i < k.h; ++i) {
              for (int j = 0; j < k.w; ++j) {
                const int r = u * s.h - p.top + i * d.h, q = v * s.w - p.left + j * d.w;
                if (r < 0 || r >= oh || q < 0 || q >= ow) continue;
                const std::size_t yi = ((std::size_t(m) * c_out + o) * oh + r) * ow + q;
                const std::size_t wi = ((std::size_t(c) * og + o2) * k.h + i) * k.w + j;
                e.y[yi] += double(x[xi]) * w[wi];
                e.gx[xi] += double(gy[yi]) * w[wi];
                e.gw[wi] += double(gy[yi]) * x[xi];
              }
            }
          }
        }
      }
    }
  }
  return e;
}

TEST(ConvTranspose2d, MatchesDirectLoopsWithStridePaddingOutputPaddingDilationAndGroups) {
  struct Case {
    Shape in;
    int out, groups;
    Pair k, s;
    Padding4 p;
    Pair extra, d;
  };
  const std::vector<Case> cases = {
      {{2, 4, 3, 4}, 6, 2, {3, 2}, {2, 2}, {1, 0, 2, 1}, {1, 1}, {2, 1}},
      {{1, 3, 4, 3}, 2, 1, {2, 3}, {1, 3}, {0, 2, 1, 0}, {2, 2}, {3, 1}},
      {{3, 2, 5, 5}, 2, 2, {3, 3}, {3, 2}, {2, 2, 2, 2}, {0, 1}, {1, 1}},
      {{2, 5, 7, 6}, 7, 1, {4, 3}, {2, 1}, {1, 1, 1, 1}, {1, 0}, {1, 2}},  // K and P at blocking remainders
  };
  std::uint32_t seed = 300;
  for (const Case& c : cases) {
    const json node = transpose_node(c.out, {c.k.h, c.k.w}, {c.s.h, c.s.w}, {c.p.top, c.p.left, c.p.bottom, c.p.right},
                                     {c.extra.h, c.extra.w}, {c.d.h, c.d.w}, c.groups);
    SCOPED_TRACE(node.dump());
    auto t = make_layer(node, {c.in}, ++seed);
    const Tensor x = random_tensor(c.in, ++seed);
    const std::vector<float> gy = testing::random_values(element_count(t.output_shape), ++seed);
    const std::vector<float> gx = run(t, x, gy);
    const Direct e = direct_transpose(c.in, t.output_shape, c.groups, c.k, c.s, c.p, c.d, to_vector(x),
                                      to_vector(t.layer->params()[0].value), to_vector(t.layer->params()[1].value), gy);
    EXPECT_TRUE(all_close(to_vector(t.output), testing::as_floats(e.y), 5e-5, 1e-5)) << "y";
    EXPECT_TRUE(all_close(gx, testing::as_floats(e.gx), 5e-5, 1e-5)) << "dL/dx";
    EXPECT_TRUE(all_close(to_vector(t.layer->params()[0].grad), testing::as_floats(e.gw), 5e-5, 1e-5)) << "dL/dw";
    EXPECT_TRUE(all_close(to_vector(t.layer->params()[1].grad), testing::as_floats(e.gb), 5e-5, 1e-5)) << "dL/db";
  }
}

TEST(ConvTranspose2d, IsTheInputGradientOfAConv2dWithTheSameWeights) {
  // conv2d from [N, O, H', W'] to [N, C, H, W] with weight [C, O/G, kh, kw]: its backward with
  // grad_output x gives, as dL/d(its input), exactly conv_transpose2d(x) without the bias.
  const Shape in = {2, 4, 3, 4};
  json transpose = transpose_node(6, {3, 2}, 2, {1, 0, 2, 1}, 1, 1, 2);
  transpose["bias"] = std::vector<float>(6, 0.0f);
  auto t = make_layer(transpose, {in}, 401);
  const Tensor x = random_tensor(in, 402);
  t.forward({x});
  json conv = {{"type", "conv2d"}, {"out_channels", 4},          {"kernel_size", {3, 2}},
               {"stride", 2},      {"padding", {1, 0, 2, 1}},    {"groups", 2},
               {"weight", to_vector(t.layer->params()[0].value)}};
  auto c = make_layer(conv, {t.output_shape}, 403);
  ASSERT_EQ(c.output_shape, in);
  const Tensor y = random_tensor(t.output_shape, 404);
  c.forward({y});
  c.backward({y}, x);
  EXPECT_TRUE(all_close(to_vector(c.grad_input()), to_vector(t.output), 1e-5, 1e-5));
}

TEST(ConvTranspose2dGradient, Stride2FourSidedPaddingOutputPaddingDilationGroupsBatch2) {
  const Shape in = {2, 4, 3, 4};
  auto t = make_layer(transpose_node(6, {3, 2}, 2, {1, 0, 2, 1}, 1, {2, 1}, 2), {in}, 11);
  // H' = 2*2 - 1 - 2 + 2*2 + 1 + 1 = 7,  W' = 3*2 - 0 - 1 + 1*1 + 1 + 1 = 8
  ASSERT_EQ(t.output_shape, (Shape{2, 6, 7, 8}));
  ASSERT_EQ(shape_of(t.layer->params()[0].value), (Shape{4, 3, 3, 2}));
  check_layer_gradients(t, {random_tensor(in, 12)}, 0.1, kLinear);
}

TEST(ConvTranspose2dGradient, OutputPaddingAllowedByDilationAndStrideLargerThanKernel) {
  const Shape in = {1, 2, 4, 3};
  auto dilated = make_layer(transpose_node(3, 2, 1, 0, 2, 3), {in}, 13);
  ASSERT_EQ(dilated.output_shape, (Shape{1, 3, 9, 8}));  // 3 + 3 + 2 + 1, 2 + 3 + 2 + 1
  check_layer_gradients(dilated, {random_tensor(in, 14)}, 0.1, kLinear);
  auto gapped = make_layer(transpose_node(2, 2, 3, {0, 1}, {2, 0}), {in}, 15);
  check_layer_gradients(gapped, {random_tensor(in, 16)}, 0.1, kLinear);
}

TEST(ConvTranspose2dKind, DeclaresPyTorchsWeightLayoutAndFanInInit) {
  const NodeSpec node = parse(transpose_node(6, {3, 2}, 2, 0, 0, 1, 3));
  const std::vector<TensorDecl> params = node.kind->params(node, {{1, 9, 4, 4}});
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "weight");
  EXPECT_EQ(params[0].shape, (Shape{9, 2, 3, 2}));  // [in, out/groups, kh, kw]
  EXPECT_EQ(params[0].init, Init::kFanIn);
  EXPECT_EQ(params[1].shape, (Shape{6}));
  EXPECT_EQ(params[1].init, Init::kZeros);
}

TEST(ConvTranspose2dErrors, OutputPaddingMustBeSmallerThanStrideOrDilation) {
  expect_kind_error(transpose_node(2, 3, 2, 0, 2), {{1, 1, 4, 4}}, "output_padding_too_large", "output_padding");
  expect_kind_error(transpose_node(2, 3, 1, 0, {0, 1}), {{1, 1, 4, 4}}, "output_padding_too_large", "output_padding");
  expect_kind_error(transpose_node(2, 3, {1, 2}, 0, {0, 2}, {1, 2}), {{1, 1, 4, 4}}, "output_padding_too_large",
                    "output_padding");
  EXPECT_NO_THROW(make_layer(transpose_node(2, 3, {1, 2}, 0, {0, 1}, {1, 2}), {{1, 1, 4, 4}}));
  EXPECT_NO_THROW(make_layer(transpose_node(2, 3, 1, 0, 1, 2), {{1, 1, 4, 4}}));
}

TEST(ConvTranspose2dErrors, GroupsMismatchPaddingThatLeavesNothingAndAVectorInput) {
  expect_kind_error(transpose_node(4, 3, 1, 0, 0, 1, 2), {{1, 3, 4, 4}}, "groups_mismatch", "groups");
  expect_kind_error(transpose_node(3, 3, 1, 0, 0, 1, 2), {{1, 4, 4, 4}}, "groups_mismatch", "groups");
  // H' = 0 - 2 - 1 + 2 + 0 + 1 = 0
  expect_kind_error(transpose_node(1, 3, 1, {2, 0, 1, 0}), {{1, 1, 1, 4}}, "empty_output", "padding");
  expect_kind_error(transpose_node(1, 3, 1), {{1, 8}}, "needs_map", "inputs");
}

// ---------------------------------------------------------------- pad2d

json pad_node(json padding, const char* mode) { return {{"type", "pad2d"}, {"padding", padding}, {"mode", mode}}; }

TEST(Pad2d, EachModeOnATwoByThreeMap) {
  const Tensor x = tensor_from({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3});
  const json padding = {1, 2, 0, 1};  // top, left, bottom, right
  const std::vector<float> ones(18, 1.0f);
  struct Case {
    const char* mode;
    std::vector<float> y, gx;
  };
  const std::vector<Case> cases = {
      {"zeros", {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0}, {1, 1, 1, 1, 1, 1}},
      // rows from [1, 0, 1], columns from [2, 1, 0, 1, 2, 1]: the edge is not repeated
      {"reflect", {6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}, {1, 3, 2, 2, 6, 4}},
      // rows from [0, 0, 1], columns from [0, 0, 0, 1, 2, 2]
      {"replicate", {1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6}, {6, 2, 4, 3, 1, 2}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mode);
    auto t = make_layer(pad_node(padding, c.mode), {{1, 1, 2, 3}});
    ASSERT_EQ(t.output_shape, (Shape{1, 1, 3, 6}));
    const std::vector<float> gx = run(t, x, ones);
    EXPECT_TRUE(all_close(to_vector(t.output), c.y, 0.0, 0.0));
    EXPECT_TRUE(all_close(gx, c.gx, 0.0, 0.0)) << "every copy passes its gradient back to its source";
  }
}

TEST(Pad2dGradient, EveryModeFourSidedBatch2) {
  const Shape in = {2, 3, 4, 5};
  for (const char* mode : {"zeros", "reflect", "replicate"}) {
    SCOPED_TRACE(mode);
    auto t = make_layer(pad_node({2, 1, 3, 4}, mode), {in});
    ASSERT_EQ(t.output_shape, (Shape{2, 3, 9, 10}));
    check_layer_gradients(t, {random_tensor(in, 21)}, 0.1, kLinear);
  }
}

TEST(Pad2dErrors, ReflectNeedsEachPadSmallerThanTheInput) {
  expect_kind_error(pad_node({2, 0, 0, 0}, "reflect"), {{1, 1, 2, 5}}, "padding_too_large", "padding");
  expect_kind_error(pad_node({0, 0, 0, 3}, "reflect"), {{1, 1, 4, 3}}, "padding_too_large", "padding");
  EXPECT_NO_THROW(make_layer(pad_node({1, 2, 1, 2}, "reflect"), {{1, 1, 2, 3}}));
  EXPECT_NO_THROW(make_layer(pad_node(5, "replicate"), {{1, 1, 1, 1}}));
  expect_kind_error(pad_node(1, "zeros"), {{1, 8}}, "needs_map", "inputs");
}

TEST(Pad2dKind, PaddingIsRequiredAndModeDefaultsToZeros) {
  expect_field_error({{"type", "pad2d"}}, "padding");
  const NodeSpec node = parse({{"type", "pad2d"}, {"padding", {1, 2}}});
  EXPECT_EQ(node.choice("mode"), "zeros");
  EXPECT_EQ(node.padding("padding"), (Padding4{1, 2, 1, 2}));
}

// ---------------------------------------------------------------- elu

TEST(Elu, ValuesAndSlopesByHand) {
  json node = {{"type", "elu"}, {"alpha", 0.5}};
  auto t = make_layer(node, {{1, 4}});
  const std::vector<float> gx = run(t, tensor_from({-1, 0, 2, -2}, {1, 4}), {1, 1, 1, 1});
  EXPECT_TRUE(all_close(to_vector(t.output), {-0.31606028f, 0.0f, 2.0f, -0.43233236f}, 1e-7, 1e-6));
  // alpha e^x for x <= 0 (alpha at 0, as PyTorch), 1 above.
  EXPECT_TRUE(all_close(gx, {0.18393972f, 0.5f, 1.0f, 0.06766764f}, 1e-7, 1e-6));
  auto plain = make_layer({{"type", "elu"}}, {{1, 1}});
  plain.forward({tensor_from({-1}, {1, 1})});
  EXPECT_NEAR(plain.output(0, 0), -0.63212056f, 1e-7);  // alpha defaults to 1
}

TEST(EluGradient, Batch2AwayFromTheKink) {
  const Shape in = {2, 3, 2, 2};
  auto t = make_layer({{"type", "elu"}, {"alpha", 0.7}}, {in});
  check_layer_gradients(t, {values_away_from_zero(in, 31, 0.1f, 2.0f)}, 1e-2, kSmooth);
}

// ---------------------------------------------------------------- gelu

TEST(Gelu, ErfAndTanhFormsByHand) {
  const Tensor x = tensor_from({1, -1, 0}, {1, 3});
  auto exact = make_layer({{"type", "gelu"}}, {{1, 3}});
  std::vector<float> gx = run(exact, x, {1, 1, 1});
  EXPECT_TRUE(all_close(to_vector(exact.output), {0.8413447f, -0.1586553f, 0.0f}, 1e-7, 1e-6));
  EXPECT_TRUE(all_close(gx, {1.0833155f, -0.0833155f, 0.5f}, 1e-7, 1e-6));
  auto tanh_form = make_layer({{"type", "gelu"}, {"approximate", "tanh"}}, {{1, 3}});
  gx = run(tanh_form, x, {1, 1, 1});
  EXPECT_TRUE(all_close(to_vector(tanh_form.output), {0.8411920f, -0.1588080f, 0.0f}, 1e-7, 1e-6));
  EXPECT_TRUE(all_close(gx, {1.0829641f, -0.0829641f, 0.5f}, 1e-7, 1e-6));
}

TEST(GeluGradient, BothApproximationsBatch2) {
  const Shape in = {2, 2, 3, 3};
  for (const char* approximate : {"none", "tanh"}) {
    SCOPED_TRACE(approximate);
    auto t = make_layer({{"type", "gelu"}, {"approximate", approximate}}, {in});
    check_layer_gradients(t, {random_tensor(in, 41, -3.0f, 3.0f)}, 1e-2, kSmooth);
  }
}

TEST(GeluKind, RejectsAnUnknownApproximation) {
  expect_field_error({{"type", "gelu"}, {"approximate", "sigmoid"}}, "approximate");
  EXPECT_EQ(parse({{"type", "gelu"}}).choice("approximate"), "none");
}

// ---------------------------------------------------------------- relu6

TEST(Relu6, ClampsAndHasSlopeOneOnlyInsideTheOpenInterval) {
  auto t = make_layer({{"type", "relu6"}}, {{1, 6}});
  const std::vector<float> gx = run(t, tensor_from({-1, 0, 3, 6, 7, 5.99f}, {1, 6}), {1, 1, 1, 1, 1, 1});
  EXPECT_TRUE(all_close(to_vector(t.output), {0, 0, 3, 6, 6, 5.99f}, 0.0, 0.0));
  EXPECT_TRUE(all_close(gx, {0, 0, 1, 0, 0, 1}, 0.0, 0.0));  // 0 at 0 and at 6, as PyTorch's hardtanh
}

TEST(Relu6Gradient, Batch2AwayFromZeroAndSix) {
  const Shape in = {2, 3, 3, 3};
  std::vector<float> values = testing::random_values(element_count(in), 51, -3.0f, 9.0f);
  for (float& v : values) {
    if (std::fabs(v) < 0.1f) v += 0.3f;
    if (std::fabs(v - 6.0f) < 0.1f) v += 0.3f;
  }
  auto t = make_layer({{"type", "relu6"}}, {in});
  check_layer_gradients(t, {tensor_from(values, in)}, 1e-2, kLinear);
}

// ---------------------------------------------------------------- prelu

TEST(Prelu, PerChannelSlopesByHand) {
  json node = {{"type", "prelu"}, {"num_parameters", 2}, {"weight", {0.25, 0.5}}};
  auto t = make_layer(node, {{1, 2, 1, 2}});
  // channel 0: [-1, 2], channel 1: [3, -4]
  const std::vector<float> gx = run(t, tensor_from({-1, 2, 3, -4}, {1, 2, 1, 2}), {1, 2, 3, 4});
  EXPECT_TRUE(all_close(to_vector(t.output), {-0.25f, 2.0f, 3.0f, -2.0f}, 0.0, 0.0));
  EXPECT_TRUE(all_close(gx, {0.25f, 2.0f, 3.0f, 2.0f}, 0.0, 0.0));
  // dL/da_c = sum of g*x over the channel's cells with x <= 0.
  EXPECT_TRUE(all_close(to_vector(t.layer->params()[0].grad), {-1.0f, -16.0f}, 0.0, 0.0));
}

TEST(PreluGradient, PerChannelOnMapsSharedOnMapsAndPerFeatureOnVectors) {
  const Shape maps = {2, 3, 2, 3};
  auto per_channel = make_layer({{"type", "prelu"}, {"num_parameters", 3}}, {maps}, 61);
  check_layer_gradients(per_channel, {values_away_from_zero(maps, 62, 0.1f, 1.0f)}, 1e-2, kLinear);
  auto shared = make_layer({{"type", "prelu"}}, {maps}, 63);
  ASSERT_EQ(shape_of(shared.layer->params()[0].value), (Shape{1}));
  check_layer_gradients(shared, {values_away_from_zero(maps, 64, 0.1f, 1.0f)}, 1e-2, kLinear);
  const Shape vectors = {4, 5};
  auto per_feature = make_layer({{"type", "prelu"}, {"num_parameters", 5}}, {vectors}, 65);
  check_layer_gradients(per_feature, {values_away_from_zero(vectors, 66, 0.1f, 1.0f)}, 1e-2, kLinear);
}

TEST(PreluKind, WeightStartsAtAQuarter) {
  const NodeSpec node = parse({{"type", "prelu"}, {"num_parameters", 4}});
  const std::vector<TensorDecl> params = node.kind->params(node, {{1, 4, 2, 2}});
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].shape, (Shape{4}));
  EXPECT_EQ(params[0].init, Init::kConstant);
  EXPECT_EQ(params[0].constant, 0.25f);
}

TEST(PreluErrors, NumParametersMustBeOneOrTheChannelCount) {
  expect_kind_error({{"type", "prelu"}, {"num_parameters", 3}}, {{1, 2, 4, 4}}, "parameters_mismatch", "num_parameters");
  expect_kind_error({{"type", "prelu"}, {"num_parameters", 4}}, {{2, 5}}, "parameters_mismatch", "num_parameters");
  EXPECT_NO_THROW(make_layer({{"type", "prelu"}, {"num_parameters", 2}}, {{1, 2, 4, 4}}));
}

// ---------------------------------------------------------------- log_softmax

TEST(LogSoftmax, RowsByHandAndFarFromZero) {
  auto t = make_layer({{"type", "log_softmax"}}, {{2, 3}});
  const Tensor x = tensor_from({1, 2, 3, 1000, 0, -1000}, {2, 3});
  const std::vector<float> gx = run(t, x, {1, 0, 0, 0, 0, 0});
  // logsumexp(1, 2, 3) = 3.4076059; the second row's max dominates without overflow.
  EXPECT_TRUE(all_close(to_vector(t.output), {-2.4076059f, -1.4076059f, -0.4076059f, 0.0f, -1000.0f, -2000.0f}, 1e-6, 1e-6));
  // g - softmax * sum(g): softmax(1, 2, 3) = 0.0900306, 0.2447285, 0.6652410.
  EXPECT_TRUE(all_close(gx, {1.0f - 0.0900306f, -0.2447285f, -0.6652410f, 0, 0, 0}, 1e-6, 1e-6));
}

TEST(LogSoftmax, EveryRowSumsToOneAfterExp) {
  const Shape in = {4, 7};
  auto t = make_layer({{"type", "log_softmax"}}, {in});
  t.forward({random_tensor(in, 71, -5.0f, 5.0f)});
  for (std::size_t row = 0; row < 4; ++row) {
    double total = 0.0;
    for (std::size_t i = 0; i < 7; ++i) total += std::exp(double(t.output(row, i)));
    EXPECT_NEAR(total, 1.0, 1e-6) << "row " << row;
  }
}

TEST(LogSoftmaxGradient, Batch3) {
  const Shape in = {3, 5};
  auto t = make_layer({{"type", "log_softmax"}}, {in});
  check_layer_gradients(t, {random_tensor(in, 72, -2.0f, 2.0f)}, 1e-2, kSmooth);
}

TEST(LogSoftmaxErrors, NeedsAVector) {
  expect_kind_error({{"type", "log_softmax"}}, {{1, 2, 3, 3}}, "needs_vector", "inputs");
}

// ---------------------------------------------------------------- every kind in a scene

TEST(KindsConvolutionActivation, RegisteredWithTitlesNamesAndHelpKeys) {
  for (const char* type : {"conv_transpose2d", "pad2d", "elu", "gelu", "relu6", "prelu", "log_softmax"}) {
    SCOPED_TRACE(type);
    const LayerKind* kind = find_kind(type);
    ASSERT_NE(kind, nullptr);
    EXPECT_NE(std::string(kind->title), "");
    EXPECT_NE(std::string(kind->pytorch), "");
    EXPECT_NE(std::string(kind->onnx), "");
    EXPECT_EQ(std::string(kind->help_key), std::string("kind.") + type);
  }
}

// A version-2 scene through the model: validation, initialisation (prelu at 0.25), training
// steps, and the scene written back reads in again to the same outputs and gradients.
TEST(KindsConvolutionActivation, RunInAVersion2SceneAndRoundTrip) {
  const json scene = {
      {"version", 2},
      {"input", {{"shape", {2, 2, 3, 3}}, {"data", testing::random_values(36, 81)}}},
      {"nodes",
       {{{"id", "up"}, {"type", "conv_transpose2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"stride", 2},
         {"padding", {1, 1, 0, 0}}, {"output_padding", 1}, {"groups", 2}},
        {{"id", "act"}, {"type", "prelu"}, {"num_parameters", 4}},
        {{"id", "pad"}, {"type", "pad2d"}, {"padding", {1, 0, 0, 1}}, {"mode", "reflect"}},
        {{"id", "e"}, {"type", "elu"}, {"alpha", 0.5}},
        {{"id", "g"}, {"type", "gelu"}, {"approximate", "tanh"}},
        {{"id", "r6"}, {"type", "relu6"}},
        {{"id", "flat"}, {"type", "flatten"}},
        {{"id", "fc"}, {"type", "dense"}, {"out_features", 3}},
        {{"id", "logp"}, {"type", "log_softmax"}}}},
      {"loss", "mse"},
      {"target", {testing::random_values(3, 82), testing::random_values(3, 83)}},
      {"seed", 5}};
  Model model = testing::model_from(scene);
  // [2, 2, 3, 3] -> H' = 2*2 - 1 - 0 + 2 + 1 + 1 = 7 -> padded 8x8.
  EXPECT_EQ(shape_of(model.node("up").output()), (Shape{2, 4, 7, 7}));
  EXPECT_EQ(shape_of(model.node("pad").output()), (Shape{2, 4, 8, 8}));
  EXPECT_TRUE(all_close(to_vector(model.node("act").params()[0].value), {0.25f, 0.25f, 0.25f, 0.25f}, 0.0, 0.0));
  const std::vector<float> losses = model.train(3);
  ASSERT_EQ(losses.size(), 3u);
  for (float loss : losses) EXPECT_TRUE(std::isfinite(loss));
  const json written = model.to_scene_json();
  EXPECT_EQ(written.at("nodes")[0].at("output_padding"), 1);
  EXPECT_EQ(written.at("nodes")[2].at("mode"), "reflect");
  Model again = Model::from_json(written.dump());
  EXPECT_TRUE(all_close(to_vector(again.output()), to_vector(model.output()), 0.0, 0.0));
  EXPECT_TRUE(all_close(to_vector(again.node("act").params()[0].grad), to_vector(model.node("act").params()[0].grad), 0.0, 0.0));
  EXPECT_EQ(again.loss(), model.loss());
}

}  // namespace
}  // namespace cnnlens
