// Conv2d and Dense fast paths vs direct double loops of their header formulas, at every blocking remainder.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/scene.hpp"
#include "layer_harness.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

// Double-precision sums of up to a few hundred float products: float32 rounding stays far below.
constexpr double kAbs = 5e-5;
constexpr double kRel = 1e-5;

struct Expected {
  std::vector<double> y, gw, gb, gx;
};

// conv2d.hpp: y[o,r,s] = b[o] + sum w[o,c,i,j] x[c, r*sh - ph + i*dh, s*sw - pw + j*dw] (0 outside);
// dL/dw, dL/db and dL/dx as the sums written there.
Expected direct_conv(const ConvGeometry& g, const std::vector<float>& x, const std::vector<float>& w,
                     const std::vector<float>& b, const std::vector<float>& gy) {
  Expected e;
  e.y.assign(std::size_t(g.out_channels) * g.out_h * g.out_w, 0.0);
  e.gw.assign(w.size(), 0.0);
  e.gb.assign(b.size(), 0.0);
  e.gx.assign(x.size(), 0.0);
  for (int o = 0; o < g.out_channels; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        const std::size_t yi = (std::size_t(o) * g.out_h + r) * g.out_w + s;
        double sum = b[o];
        e.gb[o] += gy[yi];
        for (int c = 0; c < g.in_channels; ++c) {
          for (int i = 0; i < g.kernel.h; ++i) {
            for (int j = 0; j < g.kernel.w; ++j) {
              const int u = g.input_row(r, i), v = g.input_col(s, j);
              if (u < 0 || v < 0 || u >= g.in_h || v >= g.in_w) continue;
              const std::size_t xi = (std::size_t(c) * g.in_h + u) * g.in_w + v;
              const std::size_t wi = ((std::size_t(o) * g.in_channels + c) * g.kernel.h + i) * g.kernel.w + j;
              sum += double(w[wi]) * x[xi];
              e.gw[wi] += double(gy[yi]) * x[xi];
              e.gx[xi] += double(gy[yi]) * w[wi];
            }
          }
        }
        e.y[yi] = sum;
      }
    }
  }
  return e;
}

struct ConvCase {
  std::string name;
  Shape input;
  int out_channels;
  Pair kernel, stride, padding, dilation;
};

void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.name; }

class Conv2dAgainstDirectLoops : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dAgainstDirectLoops, ForwardAndBackwardMatchTheFormulas) {
  const ConvCase& c = GetParam();
  const Shape in = {1, c.input[0], c.input[1], c.input[2]};
  const nlohmann::json node = {{"type", "conv2d"},
                               {"out_channels", c.out_channels},
                               {"kernel_size", {c.kernel.h, c.kernel.w}},
                               {"stride", {c.stride.h, c.stride.w}},
                               {"padding", {c.padding.h, c.padding.w}},
                               {"dilation", {c.dilation.h, c.dilation.w}}};
  auto conv = testing::make_layer(node, {in});
  const Shape out = conv.output_shape;
  const ConvGeometry& g = dynamic_cast<const Conv2d&>(*conv.layer).geometry();
  const Shape w_shape = shape_of(conv.layer->params()[0].value);
  const std::vector<float> x = testing::random_values(element_count(in), 1);
  const std::vector<float> w = testing::random_values(element_count(w_shape), 2);
  const std::vector<float> b = testing::random_values(std::size_t(c.out_channels), 3);
  const std::vector<float> gy = testing::random_values(element_count(out), 4);
  const Expected e = direct_conv(g, x, w, b, gy);
  std::copy(w.begin(), w.end(), conv.layer->params()[0].value.begin());
  std::copy(b.begin(), b.end(), conv.layer->params()[1].value.begin());

  // Run once on another input first, so every buffer is reused rather than fresh.
  const std::vector<Tensor> other = {tensor_from(testing::random_values(x.size(), 9), in)};
  conv.forward(other);
  conv.backward(other, tensor_from(testing::random_values(gy.size(), 10), out));
  conv.layer->zero_grad();

  const std::vector<Tensor> input = {tensor_from(x, in)};
  conv.forward(input);
  ASSERT_EQ(shape_of(conv.output), out);
  EXPECT_TRUE(testing::all_close(to_vector(conv.output), testing::as_floats(e.y), kAbs, kRel)) << "output";
  conv.backward(input, tensor_from(gy, out));
  ASSERT_EQ(shape_of(conv.grad_input()), in);
  EXPECT_TRUE(testing::all_close(to_vector(conv.grad_input()), testing::as_floats(e.gx), kAbs, kRel)) << "grad_input";
  EXPECT_TRUE(testing::all_close(to_vector(conv.layer->params()[0].grad), testing::as_floats(e.gw), kAbs, kRel)) << "weight.grad";
  EXPECT_TRUE(testing::all_close(to_vector(conv.layer->params()[1].grad), testing::as_floats(e.gb), kAbs, kRel)) << "bias.grad";

  // backward() adds into the parameter gradients: a second call doubles them (the harness
  // zeroes the input gradient before each call, as the model's executor does).
  conv.backward(input, tensor_from(gy, out));
  std::vector<double> twice = e.gw;
  for (double& v : twice) v *= 2.0;
  EXPECT_TRUE(testing::all_close(to_vector(conv.layer->params()[0].grad), testing::as_floats(twice), 2 * kAbs, kRel))
      << "weight.grad after two backward calls";
  EXPECT_TRUE(testing::all_close(to_vector(conv.grad_input()), testing::as_floats(e.gx), kAbs, kRel))
      << "grad_input after two backward calls";
}

// O = out channels, K = in * kh * kw taps, P = output cells: sizes below, at and past multiples of 4
// and 8, single rows and columns, one output cell.
INSTANTIATE_TEST_SUITE_P(
    BlockingRemainders, Conv2dAgainstDirectLoops,
    ::testing::Values(ConvCase{"one_cell_one_tap", {1, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0}, {1, 1}},
                      ConvCase{"single_output_cell_K36_O6", {4, 3, 3}, 6, {3, 3}, {1, 1}, {0, 0}, {1, 1}},
                      ConvCase{"K18_O5_P30", {3, 5, 7}, 5, {3, 2}, {1, 1}, {1, 0}, {1, 1}},
                      ConvCase{"K63_O13_P49_strided_padded_dilated", {7, 11, 9}, 13, {3, 3}, {2, 1}, {2, 1}, {1, 2}},
                      ConvCase{"K50_O17_P256", {2, 16, 16}, 17, {5, 5}, {1, 1}, {2, 2}, {1, 1}},
                      ConvCase{"all_multiples_of_4_K16_O4_P16", {16, 4, 4}, 4, {1, 1}, {1, 1}, {0, 0}, {1, 1}},
                      ConvCase{"K8_O8_P64", {2, 8, 8}, 8, {2, 2}, {1, 1}, {0, 0}, {1, 1}},
                      ConvCase{"stride_3_gaps_P9", {3, 9, 9}, 7, {2, 2}, {3, 3}, {0, 0}, {1, 1}},
                      ConvCase{"one_row_output_P1x9", {2, 3, 11}, 3, {3, 3}, {1, 1}, {0, 0}, {1, 1}},
                      ConvCase{"one_column_output_P10x1", {2, 12, 2}, 9, {3, 2}, {1, 1}, {0, 0}, {1, 1}},
                      ConvCase{"padding_wider_than_kernel", {1, 3, 4}, 2, {2, 2}, {1, 2}, {3, 3}, {1, 1}},
                      ConvCase{"rectangular_kernel_1x5_K35_O3", {7, 6, 10}, 3, {1, 5}, {2, 1}, {0, 2}, {1, 1}}),
    [](const ::testing::TestParamInfo<ConvCase>& info) { return info.param.name; });

struct DenseCase {
  std::size_t in, out;
};

void PrintTo(const DenseCase& c, std::ostream* os) { *os << c.in << "_to_" << c.out; }

class DenseAgainstDirectLoops : public ::testing::TestWithParam<DenseCase> {};

// dense.hpp: y = W x + b;  dL/dW = g x^T;  dL/db = g;  dL/dx = W^T g.
TEST_P(DenseAgainstDirectLoops, ForwardAndBackwardMatchTheFormulas) {
  const std::size_t in = GetParam().in, out = GetParam().out;
  const std::vector<float> x = testing::random_values(in, 11), w = testing::random_values(in * out, 12),
                           b = testing::random_values(out, 13), gy = testing::random_values(out, 14);
  std::vector<double> y(out), gw(in * out), gx(in, 0.0);
  for (std::size_t o = 0; o < out; ++o) {
    y[o] = b[o];
    for (std::size_t i = 0; i < in; ++i) {
      y[o] += double(w[o * in + i]) * x[i];
      gw[o * in + i] = double(gy[o]) * x[i];
      gx[i] += double(w[o * in + i]) * gy[o];
    }
  }
  auto dense = testing::make_layer({{"type", "dense"}, {"out_features", out}, {"weight", w}, {"bias", b}}, {{1, in}});
  dense.forward({tensor_from(testing::random_values(in, 19), {1, in})});  // buffers reused below
  const std::vector<Tensor> input = {tensor_from(x, {1, in})};
  dense.forward(input);
  EXPECT_TRUE(testing::all_close(to_vector(dense.output), testing::as_floats(y), kAbs, kRel)) << "output";
  dense.layer->zero_grad();
  dense.backward(input, tensor_from(gy, {1, out}));
  EXPECT_TRUE(testing::all_close(to_vector(dense.grad_input()), testing::as_floats(gx), kAbs, kRel)) << "grad_input";
  EXPECT_TRUE(testing::all_close(to_vector(dense.layer->params()[0].grad), testing::as_floats(gw), kAbs, kRel)) << "weight.grad";
  EXPECT_TRUE(testing::all_close(to_vector(dense.layer->params()[1].grad), gy, kAbs, kRel)) << "bias.grad";
}

INSTANTIATE_TEST_SUITE_P(BlockingRemainders, DenseAgainstDirectLoops,
                         ::testing::Values(DenseCase{1, 1}, DenseCase{3, 2}, DenseCase{4, 4}, DenseCase{8, 8},
                                           DenseCase{37, 19}, DenseCase{64, 32}, DenseCase{5, 130}, DenseCase{130, 3},
                                           DenseCase{257, 9}),
                         [](const ::testing::TestParamInfo<DenseCase>& info) {
                           return std::to_string(info.param.in) + "_to_" + std::to_string(info.param.out);
                         });

}  // namespace
}  // namespace cnnlens
