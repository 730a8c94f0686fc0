// conv2d: the kind's declaration and the runtime layer. Convolution runs through im2col and
// register-blocked matrix products (kernels/conv.hpp), one group at a time; the derivation is in
// conv2d.hpp, the direct-loop form of the same sums in kernels/reference_conv.cpp.
#include "cnnlens/layers/conv2d.hpp"

#include <algorithm>
#include <utility>

#include "cnnlens/kernels/conv.hpp"
#include "cnnlens/kernels/pad.hpp"
#include "cnnlens/limits.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

CNNLENS_COLD long long window_positions(long long padded, int kernel, int stride, int dilation) {
  const long long span = static_cast<long long>(dilation) * (kernel - 1) + 1;
  if (span > padded) return 0;
  return (padded - span) / stride + 1;
}

CNNLENS_COLD Shape conv_output_shape(const NodeSpec& node, const InputShapes& inputs) {
  const Shape& in = inputs[0];
  require_map(node, in);
  require_groups_divide(node, int(in[1]));
  const int outs = node.integer("out_channels");
  const Pair k = node.pair("kernel_size"), s = node.pair("stride"), d = node.pair("dilation");
  const Padding4 p = node.padding("padding");
  const std::string& mode = node.choice("padding_mode");
  const int h = int(in[2]), w = int(in[3]);
  if (mode == "reflect" && (p.top >= h || p.bottom >= h || p.left >= w || p.right >= w)) {
    node.fail("padding_too_large", "padding", {{"input", json::array({h, w})}},
              "reflect padding must be smaller than the input " + std::to_string(h) + "x" + std::to_string(w));
  }
  if (mode == "circular" && (p.top > h || p.bottom > h || p.left > w || p.right > w)) {
    node.fail("padding_too_large", "padding", {{"input", json::array({h, w})}},
              "circular padding can be at most the input " + std::to_string(h) + "x" + std::to_string(w));
  }
  const Pair padded{h + p.top + p.bottom, w + p.left + p.right};
  const Pair span{d.h * (k.h - 1) + 1, d.w * (k.w - 1) + 1};
  if (span.h > padded.h || span.w > padded.w) {
    const bool plain = d.h == 1 && d.w == 1;
    node.fail("kernel_too_large", "kernel_size",
              {{"kernel_size", json::array({k.h, k.w})}, {"span", json::array({span.h, span.w})},
               {"padded", json::array({padded.h, padded.w})}},
              "kernel_size " + pair_text(k) + (plain ? "" : " with dilation " + pair_text(d) + " spans " + pair_text(span) + " and") +
                  " is larger than the padded input " + pair_text(padded));
  }
  return {in[0], std::size_t(outs), std::size_t(window_positions(padded.h, k.h, s.h, d.h)),
          std::size_t(window_positions(padded.w, k.w, s.w, d.w))};
}

CNNLENS_COLD std::uint64_t conv_cost(const NodeSpec& node, const InputShapes& inputs, const Shape& output) {
  const Pair k = node.pair("kernel_size");
  return output_elements(node, inputs, output) * (inputs[0][1] / std::uint64_t(node.integer("groups"))) *
         std::uint64_t(k.h) * std::uint64_t(k.w);
}

CNNLENS_COLD std::vector<TensorDecl> conv_params(const NodeSpec& node, const InputShapes& inputs) {
  const Pair k = node.pair("kernel_size");
  const std::size_t outs = std::size_t(node.integer("out_channels"));
  const std::size_t per_group = inputs[0][1] / std::size_t(node.integer("groups"));
  return {{"weight", {outs, per_group, std::size_t(k.h), std::size_t(k.w)}, Init::kFanIn},
          {"bias", {outs}, Init::kZeros}};
}

CNNLENS_COLD std::unique_ptr<Layer> conv_create(const NodeSpec& node, const InputShapes& inputs, const Shape& output,
                                                std::vector<Param> params, std::vector<Buffer>) {
  const Shape& in = inputs[0];
  const int groups = node.integer("groups");
  const Padding4 p = node.padding("padding");
  const bool zeros = node.choice("padding_mode") == "zeros";
  // Non-zero modes pad into a scratch map first, so the kernels see a larger input and no padding.
  const ConvGeometry group{int(in[1]) / groups,
                           zeros ? int(in[2]) : int(in[2]) + p.top + p.bottom,
                           zeros ? int(in[3]) : int(in[3]) + p.left + p.right,
                           int(output[1]) / groups,
                           int(output[2]),
                           int(output[3]),
                           node.pair("kernel_size"),
                           node.pair("stride"),
                           zeros ? Pair{p.top, p.left} : Pair{0, 0},
                           node.pair("dilation")};
  auto layer = std::make_unique<Conv2d>(group, groups, p, node.choice("padding_mode"), std::move(params[0].value),
                                        std::move(params[1].value));
  for (std::size_t k = 0; k < 2; ++k) layer->params()[k].source_name = params[k].source_name;
  return layer;
}

}  // namespace

const LayerKind& conv2d_kind() {
  static const LayerKind kind = []() CNNLENS_COLD {
    const double window = double(limits::kMaxWindow);
    LayerKind k;
    k.type = "conv2d";
    k.title = "Convolution";
    k.pytorch = "nn.Conv2d";
    k.onnx = "Conv";
    k.help_key = "kind.conv2d";
    k.fields = {
        {"out_channels", FieldType::kInt, nullptr, 1, double(limits::kMaxChannels), {}, "", true},
        {"kernel_size", FieldType::kPair, nullptr, 1, window, {}, "", true},
        {"stride", FieldType::kPair, 1, 1, window, {}, "", true},
        {"padding", FieldType::kPadding, 0, 0, window, {}, "", true},
        {"dilation", FieldType::kPair, 1, 1, window, {}, "", true},
        {"groups", FieldType::kInt, 1, 1, double(limits::kMaxChannels), {}, "", false, true},
        {"padding_mode", FieldType::kChoice, "zeros", 0, 0, {"zeros", "reflect", "replicate", "circular"}, "", false},
    };
    k.tensor_names = {"weight", "bias"};
    k.output_shape = conv_output_shape;
    k.cost = conv_cost;
    k.params = conv_params;
    k.create = conv_create;
    return k;
  }();
  return kind;
}

CNNLENS_COLD Conv2d::Conv2d(const ConvGeometry& group_geometry, int groups, const Padding4& padding,
                            const std::string& padding_mode, Tensor weight, Tensor bias)
    : group_(group_geometry), groups_(groups), padding_(padding), padding_mode_(padding_mode),
      pads_first_(padding_mode != "zeros") {
  full_ = group_;
  full_.in_channels = group_.in_channels * groups;
  full_.out_channels = group_.out_channels * groups;
  full_.padding = {padding.top, padding.left};
  if (pads_first_) {
    full_.in_h = group_.in_h - padding.top - padding.bottom;
    full_.in_w = group_.in_w - padding.left - padding.right;
  }
  Tensor weight_grad = zeros(shape_of(weight));
  Tensor bias_grad = zeros(shape_of(bias));
  params_.push_back({"weight", std::move(weight), std::move(weight_grad), {}, {}, {}, {}});
  params_.push_back({"bias", std::move(bias), std::move(bias_grad), {}, {}, {}, {}});
}

// `x` (one sample's group) with the zero padding written out around it, for the kernels that
// read the input in place; the non-zero modes have padded already (padded_), as has no padding.
Conv2d::PaddedMap Conv2d::with_padding(const float* x) {
  const ConvGeometry& g = group_;
  if (g.padding.h == 0 && g.padding.w == 0) return {x, g.in_h, g.in_w};
  const int h = g.in_h + padding_.top + padding_.bottom, w = g.in_w + padding_.left + padding_.right;
  zero_padded_.resize(std::size_t(g.in_channels) * h * w);
  kernels::pad_map(x, g.in_channels, g.in_h, g.in_w, padding_.top, padding_.left, padding_.bottom, padding_.right,
                   kernels::PadMode::kZeros, zero_padded_.data());
  return {zero_padded_.data(), h, w};
}

void Conv2d::forward(const Inputs& inputs, Tensor& output, const RunContext& context) {
  const Tensor& x = *inputs[0];
  const std::size_t n = x.shape()[0];
  const ConvGeometry& g = group_;
  reshape_to(output, std::array<std::size_t, 4>{n, std::size_t(full_.out_channels), std::size_t(g.out_h), std::size_t(g.out_w)});
  const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
  const std::size_t group_in = std::size_t(g.in_channels) * g.in_h * g.in_w;
  const std::size_t sample_in = group_in * groups_;
  const std::size_t group_out = std::size_t(g.out_channels) * cells;
  const std::size_t weight_group = std::size_t(g.out_channels) * taps;
  const float* source = x.data();
  if (pads_first_) {
    padded_.resize(n * sample_in);
    const std::size_t raw = std::size_t(full_.in_channels) * full_.in_h * full_.in_w;
    for (std::size_t k = 0; k < n; ++k) {
      kernels::pad_map(x.data() + k * raw, full_.in_channels, full_.in_h, full_.in_w, padding_.top, padding_.left,
                       padding_.bottom, padding_.right, kernels::pad_mode_from(padding_mode_),
                       padded_.data() + k * sample_in);
    }
    source = padded_.data();
  }
  const float* w = params_[0].value.data();
  const float* b = params_[1].value.data();
  // The input is read in place (the same sums, no columns) unless a backward pass follows that
  // can use sample 0's columns, which fit one tile.
  const bool keep_columns = context.backward_follows && kernels::conv_columns_in_one_tile(g);
  columns_hold_sample_0_ = false;
  if (!keep_columns && kernels::conv_forward_reads_input(g)) {
    packed_weights_.resize(weight_group);
    tap_offsets_.resize(taps);
    for (std::size_t k = 0; k < n; ++k) {
      for (int grp = 0; grp < groups_; ++grp) {
        const PaddedMap xp = with_padding(source + k * sample_in + grp * group_in);
        kernels::conv2d_forward_from_input(g, xp.data, xp.h, xp.w, w + grp * weight_group, b + grp * g.out_channels,
                                           output.data() + (k * groups_ + grp) * group_out, packed_weights_.data(),
                                           tap_offsets_.data(), context.then_relu);
      }
    }
    return;
  }
  // One sample's columns at a time (a whole batch's, tens of MB for 32 samples of 64x64, would
  // stream through memory); conv2d_forward tiles them further.
  columns_.resize(groups_ * taps * cells);  // no-op after the first call
  // Last sample first: when a sample's columns fit in one tile, forward leaves sample 0's whole
  // for backward, so a one-sample step (streaming training, the page) makes them once.
  for (std::size_t k = n; k-- > 0;) {
    for (int grp = 0; grp < groups_; ++grp) {
      kernels::conv2d_forward(g, source + k * sample_in + grp * group_in, w + grp * weight_group, b + grp * g.out_channels,
                              output.data() + (k * groups_ + grp) * group_out, columns_.data() + grp * taps * cells,
                              context.then_relu);
    }
  }
  columns_hold_sample_0_ = kernels::conv_columns_in_one_tile(g);
}

// Walks the samples in order (so the weight gradient sums them in order). The weight gradient
// reads the input's rows in place where the kernels allow it (a stride of 1 along rows), with
// zero padding written out around one sample at a time; else it reads im2col columns, made again
// for each sample unless forward() left sample 0's whole, and then those are used.
void Conv2d::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                      const RunContext&) {
  const std::size_t n = inputs[0]->shape()[0];
  const ConvGeometry& g = group_;
  const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
  const std::size_t group_in = std::size_t(g.in_channels) * g.in_h * g.in_w;
  const std::size_t sample_in = group_in * groups_;
  const std::size_t group_out = std::size_t(g.out_channels) * cells;
  const std::size_t weight_group = std::size_t(g.out_channels) * taps;
  weight_t_.resize(taps * std::size_t(g.out_channels));
  grad_columns_.resize(taps * cells);
  Tensor* gx = grad_inputs[0];
  float* grad_source = nullptr;
  if (gx != nullptr) {
    if (pads_first_) {
      grad_padded_.assign(n * sample_in, 0.0f);
      grad_source = grad_padded_.data();
    } else {
      grad_source = gx->data();
    }
  }
  const float* source = pads_first_ ? padded_.data() : inputs[0]->data();
  const bool sample_0_made = columns_hold_sample_0_;  // by forward(), just before
  const bool reads_input = kernels::conv_weight_grad_reads_input(g);
  if (!reads_input) columns_.resize(groups_ * taps * cells);  // else only sample 0's, left by forward()
  const float* w = params_[0].value.data();
  float* gw = params_[0].grad.data();
  float* gb = params_[1].grad.data();
  for (std::size_t k = 0; k < n; ++k) {
    for (int grp = 0; grp < groups_; ++grp) {
      const float* x = source + k * sample_in + grp * group_in;
      const float* gy = grad_output.data() + (k * groups_ + grp) * group_out;
      const bool from_columns = !reads_input || (k == 0 && sample_0_made);
      // columns_ is sized only where columns are used (it stays empty when every pass reads in place)
      float* columns = from_columns ? columns_.data() + grp * taps * cells : nullptr;
      if (!from_columns) {
        const PaddedMap xp = with_padding(x);
        kernels::conv2d_weight_grad_from_input(g, xp.data, xp.h, xp.w, gy, gw + grp * weight_group);
      } else if (k > 0 || !sample_0_made) {
        kernels::im2col(g, x, columns);
      }
      kernels::conv2d_backward(g, columns, w + grp * weight_group, gy,
                               gw + grp * weight_group, gb + grp * g.out_channels,
                               grad_source ? grad_source + k * sample_in + grp * group_in : nullptr, weight_t_.data(),
                               grad_columns_.data());
    }
  }
  if (gx != nullptr && pads_first_) {
    const std::size_t raw = std::size_t(full_.in_channels) * full_.in_h * full_.in_w;
    for (std::size_t k = 0; k < n; ++k) {
      kernels::unpad_map_add(grad_padded_.data() + k * sample_in, full_.in_channels, full_.in_h, full_.in_w,
                             padding_.top, padding_.left, padding_.bottom, padding_.right,
                             kernels::pad_mode_from(padding_mode_), gx->data() + k * raw);
    }
  }
}

}  // namespace cnnlens
