// conv_transpose2d: the kind's declaration and the runtime layer; the derivation is in
// conv_transpose2d.hpp. The products run on the conv2d kernels with input and output swapped.
#include "cnnlens/layers/conv_transpose2d.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "cnnlens/kernels/conv.hpp"
#include "cnnlens/kernels/gemm.hpp"
#include "cnnlens/limits.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

Shape output_shape(const NodeSpec& node, const InputShapes& inputs) {
  const Shape& in = inputs[0];
  require_map(node, in);
  require_groups_divide(node, int(in[1]));
  const int outs = node.integer("out_channels");
  const Pair k = node.pair("kernel_size"), s = node.pair("stride"), d = node.pair("dilation");
  const Pair extra = node.pair("output_padding");
  const Padding4 p = node.padding("padding");
  // PyTorch: "output padding must be smaller than either stride or dilation".
  if (extra.h >= std::max(s.h, d.h) || extra.w >= std::max(s.w, d.w)) {
    node.fail("output_padding_too_large", "output_padding",
              {{"output_padding", json::array({extra.h, extra.w})}, {"stride", json::array({s.h, s.w})},
               {"dilation", json::array({d.h, d.w})}},
              "output_padding " + pair_text(extra) + " must be smaller than stride " + pair_text(s) +
                  " or dilation " + pair_text(d) + " in each direction");
  }
  const long long h = (long long)(in[2] - 1) * s.h - p.top - p.bottom + (long long)d.h * (k.h - 1) + extra.h + 1;
  const long long w = (long long)(in[3] - 1) * s.w - p.left - p.right + (long long)d.w * (k.w - 1) + extra.w + 1;
  if (h < 1 || w < 1) {
    node.fail("empty_output", "padding", {{"output", json::array({h, w})}},
              "padding trims the output to " + std::to_string(h) + "x" + std::to_string(w) + ": nothing is left");
  }
  return {in[0], std::size_t(outs), std::size_t(h), std::size_t(w)};
}

// Every input cell scatters into O/G * KH * KW output cells.
std::uint64_t cost(const NodeSpec& node, const InputShapes& inputs, const Shape&) {
  const Pair k = node.pair("kernel_size");
  const std::uint64_t per_group = std::uint64_t(node.integer("out_channels") / node.integer("groups"));
  return std::uint64_t(inputs[0][1]) * inputs[0][2] * inputs[0][3] * per_group * std::uint64_t(k.h) * std::uint64_t(k.w);
}

std::vector<TensorDecl> params(const NodeSpec& node, const InputShapes& inputs) {
  const Pair k = node.pair("kernel_size");
  const std::size_t outs = std::size_t(node.integer("out_channels"));
  const std::size_t per_group = outs / std::size_t(node.integer("groups"));
  // fan_in = shape[1] * KH * KW, as PyTorch's init computes it for this layout.
  return {{"weight", {inputs[0][1], per_group, std::size_t(k.h), std::size_t(k.w)}, Init::kFanIn},
          {"bias", {outs}, Init::kZeros}};
}

std::unique_ptr<Layer> create(const NodeSpec& node, const InputShapes& inputs, const Shape& output,
                              std::vector<Param> params, std::vector<Buffer>) {
  const Shape& in = inputs[0];
  const int groups = node.integer("groups");
  const Padding4 p = node.padding("padding");
  // The conv2d whose input-gradient this is: its input is our output, its output our input.
  const ConvGeometry group{int(output[1]) / groups, int(output[2]), int(output[3]),
                           int(in[1]) / groups,     int(in[2]),     int(in[3]),
                           node.pair("kernel_size"), node.pair("stride"), Pair{p.top, p.left}, node.pair("dilation")};
  auto layer = std::make_unique<ConvTranspose2d>(group, groups, std::move(params[0].value), std::move(params[1].value));
  for (std::size_t k = 0; k < 2; ++k) layer->params()[k].source_name = params[k].source_name;
  return layer;
}

}  // namespace

const LayerKind& conv_transpose2d_kind() {
  static const LayerKind kind = [] {
    const double window = double(limits::kMaxWindow);
    LayerKind k;
    k.type = "conv_transpose2d";
    k.title = "Transposed convolution";
    k.pytorch = "nn.ConvTranspose2d";
    k.onnx = "ConvTranspose";
    k.help_key = "kind.conv_transpose2d";
    k.fields = {
        {"out_channels", FieldType::kInt, nullptr, 1, double(limits::kMaxChannels), {}, "", false},
        {"kernel_size", FieldType::kPair, nullptr, 1, window, {}, "", false},
        {"stride", FieldType::kPair, 1, 1, window, {}, "", false},
        {"padding", FieldType::kPadding, 0, 0, window, {}, "", false},
        {"output_padding", FieldType::kPair, 0, 0, window, {}, "", false},
        {"dilation", FieldType::kPair, 1, 1, window, {}, "", false},
        {"groups", FieldType::kInt, 1, 1, double(limits::kMaxChannels), {}, "", false},
    };
    k.tensor_names = {"weight", "bias"};
    k.output_shape = output_shape;
    k.cost = cost;
    k.params = params;
    k.create = create;
    return k;
  }();
  return kind;
}

ConvTranspose2d::ConvTranspose2d(const ConvGeometry& group_geometry, int groups, Tensor weight, Tensor bias)
    : group_(group_geometry), groups_(groups) {
  Tensor weight_grad = zeros(shape_of(weight));
  Tensor bias_grad = zeros(shape_of(bias));
  params_.push_back({"weight", std::move(weight), std::move(weight_grad), {}, {}, {}, {}});
  params_.push_back({"bias", std::move(bias), std::move(bias_grad), {}, {}, {}, {}});
}

void ConvTranspose2d::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0];
  const ConvGeometry& g = group_;
  const std::size_t outs = std::size_t(g.in_channels), ins = std::size_t(g.out_channels);  // per group
  reshape_to(output, std::array<std::size_t, 4>{n, outs * groups_, std::size_t(g.in_h), std::size_t(g.in_w)});
  const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);  // K, P
  const std::size_t plane = std::size_t(g.in_h) * g.in_w;
  const std::size_t group_in = ins * cells, group_out = outs * plane;
  weight_t_.resize(taps * ins);
  columns_.resize(taps * cells);
  const float* w = params_[0].value.data();
  const float* b = params_[1].value.data();
  for (int grp = 0; grp < groups_; ++grp) {
    const float* wg = w + grp * ins * taps;  // [C/G, K]
    for (std::size_t c = 0; c < ins; ++c) {
      for (std::size_t t = 0; t < taps; ++t) weight_t_[t * ins + c] = wg[c * taps + t];
    }
    for (std::size_t k = 0; k < n; ++k) {
      float* y = output.data() + (k * groups_ + grp) * group_out;
      for (std::size_t o = 0; o < outs; ++o) std::fill(y + o * plane, y + (o + 1) * plane, b[grp * outs + o]);
      const float* xg = x.data() + (k * groups_ + grp) * group_in;
      kernels::gemm_nn(int(taps), int(cells), int(ins), weight_t_.data(), int(ins), xg, int(cells), columns_.data(),
                       int(cells), nullptr, false);
      kernels::col2im_add(g, columns_.data(), y);
    }
  }
}

void ConvTranspose2d::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output,
                               const GradInputs& grad_inputs, const RunContext&) {
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0];
  const ConvGeometry& g = group_;
  const std::size_t outs = std::size_t(g.in_channels), ins = std::size_t(g.out_channels);
  const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
  const std::size_t plane = std::size_t(g.in_h) * g.in_w;
  const std::size_t group_in = ins * cells, group_out = outs * plane;
  columns_.resize(taps * cells);
  Tensor* gx = grad_inputs[0];
  const float* w = params_[0].value.data();
  float* gw = params_[0].grad.data();
  float* gb = params_[1].grad.data();
  for (std::size_t k = 0; k < n; ++k) {
    for (int grp = 0; grp < groups_; ++grp) {
      const float* gy = grad_output.data() + (k * groups_ + grp) * group_out;
      for (std::size_t o = 0; o < outs; ++o) {
        float sum = 0.0f;
        for (std::size_t q = 0; q < plane; ++q) sum += gy[o * plane + q];
        gb[grp * outs + o] += sum;
      }
      // columns[K, P]: the output gradient each (tap, input cell) product landed on.
      kernels::im2col(g, gy, columns_.data());
      const std::size_t at = (k * groups_ + grp) * group_in;
      if (gx != nullptr) {
        kernels::gemm_nn(int(ins), int(cells), int(taps), w + grp * ins * taps, int(taps), columns_.data(), int(cells),
                         gx->data() + at, int(cells), nullptr, true);
      }
      kernels::gemm_nt_accumulate(int(ins), int(taps), int(cells), x.data() + at, int(cells), columns_.data(),
                                  int(cells), gw + grp * ins * taps, int(taps));
    }
  }
}

}  // namespace cnnlens
