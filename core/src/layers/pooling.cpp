// The pooling window geometry both pooling kinds share; the rule is in pooling.hpp.
#include "cnnlens/layers/pooling.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

long long pooled_length(long long size, int before, int after, int kernel, int stride, int dilation, bool ceil_mode) {
  const long long span = static_cast<long long>(dilation) * (kernel - 1) + 1;
  const long long room = size + before + after - span;
  if (room < 0) return 0;
  long long out = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= size + before) --out;
  return out;
}

}  // namespace

Shape pool_output_shape(const NodeSpec& node, const InputShapes& inputs, bool has_dilation) {
  const Shape& in = inputs[0];
  require_map(node, in);
  const Pair k = node.pair("kernel_size"), s = node.pair("stride");
  const Pair d = has_dilation ? node.pair("dilation") : Pair{1, 1};
  const Padding4 p = node.padding("padding");
  const bool ceil_mode = node.flag("ceil_mode");
  const int h = int(in[2]), w = int(in[3]);
  const Pair span{d.h * (k.h - 1) + 1, d.w * (k.w - 1) + 1};
  // PyTorch's rule: padding at most half the window, so every window holds an input cell.
  if (p.top * 2 > span.h || p.bottom * 2 > span.h || p.left * 2 > span.w || p.right * 2 > span.w) {
    node.fail("padding_too_large", "padding", {{"span", json::array({span.h, span.w})}},
              "padding can be at most half of the window " + pair_text(span));
  }
  const Pair padded{h + p.top + p.bottom, w + p.left + p.right};
  if (span.h > padded.h || span.w > padded.w) {
    const bool padded_text = p.top || p.left || p.bottom || p.right;
    node.fail("kernel_too_large", "kernel_size",
              {{"kernel_size", json::array({k.h, k.w})}, {"padded", json::array({padded.h, padded.w})}},
              "kernel_size " + pair_text(k) + (d.h == 1 && d.w == 1 ? "" : " with dilation " + pair_text(d)) +
                  " is larger than the" + (padded_text ? " padded" : "") + " input " + pair_text(padded));
  }
  return {in[0], in[1], std::size_t(pooled_length(h, p.top, p.bottom, k.h, s.h, d.h, ceil_mode)),
          std::size_t(pooled_length(w, p.left, p.right, k.w, s.w, d.w, ceil_mode))};
}

PoolGeometry pool_geometry(const NodeSpec& node, const Shape& in, const Shape& out, bool has_dilation) {
  return {int(in[1]),
          int(in[2]),
          int(in[3]),
          int(out[2]),
          int(out[3]),
          node.pair("kernel_size"),
          node.pair("stride"),
          node.padding("padding"),
          has_dilation ? node.pair("dilation") : Pair{1, 1}};
}

std::uint64_t pool_cost(const NodeSpec& node, const InputShapes& inputs, const Shape& output) {
  const Pair k = node.pair("kernel_size");
  return output_elements(node, inputs, output) * std::uint64_t(k.h) * std::uint64_t(k.w);
}

}  // namespace cnnlens
