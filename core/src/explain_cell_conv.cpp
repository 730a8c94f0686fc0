// Explanations of convolutions: conv2d (any groups, any padding mode) as the window's weighted sum
// and its three gradient sums; conv_transpose2d as the scatter read backwards (which input cells
// times which weights landed on an output cell) and its gradient sums. The conv2d term collectors
// are shared with explain.cpp's older calls.
#include "cnnlens/kernels/pad.hpp"
#include "cnnlens/layers/conv_transpose2d.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {
namespace {

// Weight index of tap (i, j) of output channel o and in-group channel cc: [O, C/G, KH, KW].
struct ConvIndex {
  const ConvGeometry& g;
  int per_in, per_out;
  std::size_t taps;
  explicit ConvIndex(const Conv2d& conv)
      : g(conv.geometry()), per_in(g.in_channels / conv.groups()), per_out(g.out_channels / conv.groups()),
        taps(std::size_t(g.kernel.h) * std::size_t(g.kernel.w)) {}
  std::size_t weight(int o, int cc, int i, int j) const {
    return (std::size_t(o) * std::size_t(per_in) + std::size_t(cc)) * taps + std::size_t(i * g.kernel.w + j);
  }
};

}  // namespace

// y[o, r, s] = b[o] + sum over the group's channels and taps of w[o, c', i, j] * xp[c, r*sh + i*dh - top, ...],
// xp the input seen through the padding mode.
SumBuilder conv_output_terms(const Context& c, const Conv2d& conv) {
  const NodeView node = c.model.node(c.node);
  const ConvIndex ix(conv);
  const ConvGeometry& g = ix.g;
  const kernels::PadMode mode = kernels::pad_mode_from(conv.padding_mode());
  const Tensor& x = node.input();
  const Tensor& w = conv.params()[0].value;
  const Map3 in = map_of(x), out = map_of(node.output());
  const int o = out.channel(c.index), row = out.row(c.index), col = out.col(c.index);
  const int first = (o / ix.per_out) * ix.per_in;
  SumBuilder sum(std::size_t(ix.per_in) * ix.taps);
  for (int cc = 0; cc < ix.per_in; ++cc) {
    for (int i = 0; i < g.kernel.h; ++i) {
      for (int j = 0; j < g.kernel.w; ++j) {
        const int u = g.input_row(row, i), v = g.input_col(col, j);
        const int su = kernels::pad_source(u, g.in_h, mode), sv = kernels::pad_source(v, g.in_w, mode);
        const std::size_t wk = ix.weight(o, cc, i, j);
        Term& t = (su < 0 || sv < 0) ? sum.add(w.data()[wk], c.param("weight", wk), 0.0, {}, true)
                                     : sum.add(w.data()[wk], c.param("weight", wk), cell(x, c.sample, in.at(first + cc, su, sv)),
                                               c.at("input", in.at(first + cc, su, sv)));
        if (u < 0 || v < 0 || u >= g.in_h || v >= g.in_w) t.place_outside(u, v);  // zero padding or a copied cell
      }
    }
  }
  return sum;
}

// y is linear in x: dL/dx[c, u, v] = sum over every (o, r, s, i, j) whose tap read (u, v), directly
// or through a padded copy of it, of w[o, c', i, j] * g[o, r, s].
SumBuilder conv_input_grad_terms(const Context& c, const Conv2d& conv) {
  const NodeView node = c.model.node(c.node);
  const ConvIndex ix(conv);
  const ConvGeometry& g = ix.g;
  const kernels::PadMode mode = kernels::pad_mode_from(conv.padding_mode());
  const Tensor& w = conv.params()[0].value;
  const Tensor& go = node.grad_output();
  const Map3 in = map_of(node.input()), out = map_of(node.output());
  const int ch = in.channel(c.index), u = in.row(c.index), v = in.col(c.index);
  const int group = ch / ix.per_in;
  SumBuilder sum;
  for (int o = group * ix.per_out; o < (group + 1) * ix.per_out; ++o) {
    for (int row = 0; row < out.h; ++row) {
      for (int col = 0; col < out.w; ++col) {
        for (int i = 0; i < g.kernel.h; ++i) {
          const int pu = g.input_row(row, i);
          if (kernels::pad_source(pu, g.in_h, mode) != u) continue;
          for (int j = 0; j < g.kernel.w; ++j) {
            // Every padded position that copies (u, v) passes its gradient back to it.
            const int pv = g.input_col(col, j);
            if (kernels::pad_source(pv, g.in_w, mode) != v) continue;
            const std::size_t wk = ix.weight(o, ch - group * ix.per_in, i, j), k = out.at(o, row, col);
            Term& t = sum.add(w.data()[wk], c.param("weight", wk), cell(go, c.sample, k), c.at("grad_output", k));
            if (pu != u || pv != v) t.place_outside(pu, pv);  // a copy of (u, v) in the padding
          }
        }
      }
    }
  }
  return sum;
}

// dy[o, r, s]/dw[o, c', i, j] is the input cell the tap read there: dL/dw = sum over samples and
// output cells of xp[n, c, r*sh + i*dh - top, ...] * g[n, o, r, s] (zero padding adds nothing).
SumBuilder conv_weight_grad_terms(const Context& c, const Conv2d& conv, std::size_t first, std::size_t last) {
  const NodeView node = c.model.node(c.node);
  const ConvIndex ix(conv);
  const ConvGeometry& g = ix.g;
  const kernels::PadMode mode = kernels::pad_mode_from(conv.padding_mode());
  const Tensor& x = node.input();
  const Tensor& go = node.grad_output();
  const Map3 in = map_of(x), out = map_of(node.output());
  const int o = int(c.index / (std::size_t(ix.per_in) * ix.taps));
  const int cc = int(c.index / ix.taps) % ix.per_in;
  const int i = int(c.index % ix.taps) / g.kernel.w, j = int(c.index % ix.taps) % g.kernel.w;
  const int ch = (o / ix.per_out) * ix.per_in + cc;
  SumBuilder sum((last - first) * std::size_t(out.h * out.w));
  for (std::size_t n = first; n < last; ++n) {
    for (int row = 0; row < out.h; ++row) {
      for (int col = 0; col < out.w; ++col) {
        const int u = g.input_row(row, i), v = g.input_col(col, j);
        const int su = kernels::pad_source(u, g.in_h, mode), sv = kernels::pad_source(v, g.in_w, mode);
        if (su < 0 || sv < 0) continue;  // zero padding contributes nothing
        const std::size_t k = in.at(ch, su, sv), ko = out.at(o, row, col);
        Term& t = sum.add(cell(x, n, k), c.at("input", n, k), cell(go, n, ko), c.at("grad_output", n, ko));
        if (su != u || sv != v) t.place_outside(u, v);  // a copy of the cell in the padding
      }
    }
  }
  return sum;
}

namespace {

// Which channels a group joins: output channels [out_first, +out_count) read input channels
// [in_first, +in_count). groups == in_channels is a depthwise convolution (one channel each).
json group_json(int group, int groups, int per_in, int per_out, int in_channels) {
  return {{"index", group},
          {"groups", groups},
          {"input_channels", json::array({group * per_in, per_in})},
          {"output_channels", json::array({group * per_out, per_out})},
          {"depthwise", groups > 1 && groups == in_channels}};
}

json explain_conv(const Context& c, const Conv2d& conv, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const ConvIndex ix(conv);
  const Map3 in = map_of(node.input()), out = map_of(node.output());
  auto annotate = [&](json& r, int group) {
    r["group"] = group_json(group, conv.groups(), ix.per_in, ix.per_out, ix.g.in_channels);
    r["padding_mode"] = conv.padding_mode();
  };
  if (tensor == "output") {
    const int o = out.channel(c.index);
    json r = record(c, "sum", "conv.forward", "output", cell(node.output(), c.sample, c.index));
    annotate(r, o / ix.per_out);
    const double bias = conv.params()[1].value.data()[o];
    r["constant"] = {{"value", bias}, {"ref", ref_json(c.param("bias", std::size_t(o)))}};
    conv_output_terms(c, conv).write(r, c.max_terms, bias);
    return r;
  }
  if (tensor == "grad_input") {
    json r = record(c, "sum", "conv.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
    annotate(r, in.channel(c.index) / ix.per_in);
    conv_input_grad_terms(c, conv).write(r, c.max_terms);
    return r;
  }
  const std::size_t batch = node.input().shape()[0];
  if (tensor == "weight.grad") {
    json r = record(c, "sum", "conv.weight_grad", "weight.grad", conv.params()[0].grad.data()[c.index], true);
    annotate(r, int(c.index / (std::size_t(ix.per_in) * ix.taps)) / ix.per_out);
    conv_weight_grad_terms(c, conv, 0, batch).write(r, c.max_terms);
    return r;
  }
  // bias.grad: every upstream gradient of the output channel, every sample
  const int o = int(c.index);
  const Tensor& go = node.grad_output();
  json r = record(c, "sum", "conv.bias_grad", "bias.grad", conv.params()[1].grad.data()[c.index], true);
  annotate(r, o / ix.per_out);
  SumBuilder sum(batch * std::size_t(out.h * out.w));
  for (std::size_t n = 0; n < batch; ++n) {
    for (int row = 0; row < out.h; ++row) {
      for (int col = 0; col < out.w; ++col) {
        const std::size_t ko = out.at(o, row, col);
        sum.add(cell(go, n, ko), c.at("grad_output", n, ko), 1.0, {});
      }
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

// ------------------------------------------------------------------ conv_transpose2d
// Input x [N, C, H, W], output y [N, O, H', W'], weight [C, O/G, KH, KW]. Input cell (u, v) meets
// tap (i, j) at output cell (u*sh - top + i*dh, v*sw - left + j*dw); cells landing outside are dropped.

struct Transpose {
  Pair kernel, stride, dilation;
  int top, left, groups, per_in, per_out;  // per group: C/G input channels, O/G output channels
  Map3 in, out;
  std::size_t weight(int c, int o_local, int i, int j) const {
    return ((std::size_t(c) * std::size_t(per_out) + std::size_t(o_local)) * std::size_t(kernel.h) + std::size_t(i)) *
               std::size_t(kernel.w) + std::size_t(j);
  }
  int out_row(int u, int i) const { return u * stride.h - top + i * dilation.h; }
  int out_col(int v, int j) const { return v * stride.w - left + j * dilation.w; }
};

Transpose transpose_of(const NodeView& node) {
  const NodeSpec& spec = node.spec();
  const Padding4 p = spec.padding("padding");
  Transpose t{spec.pair("kernel_size"), spec.pair("stride"), spec.pair("dilation"), p.top, p.left, spec.integer("groups"), 0, 0,
              map_of(node.input()), map_of(node.output())};
  t.per_in = t.in.c / t.groups;
  t.per_out = t.out.c / t.groups;
  return t;
}

json explain_transpose(const Context& c, const ConvTranspose2d& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Transpose t = transpose_of(node);
  const Tensor& x = node.input();
  const Tensor& w = layer.params()[0].value;
  const Tensor& go = node.grad_output();
  auto annotate = [&](json& r, int group) { r["group"] = group_json(group, t.groups, t.per_in, t.per_out, t.in.c); };
  if (tensor == "output") {
    // y[o, r, s] = b[o] + sum over the group's input channels c and taps (i, j) whose scatter lands
    // here: u = (r + top - i*dh) / sh, v = (s + left - j*dw) / sw, exact and inside the input.
    const int o = t.out.channel(c.index), row = t.out.row(c.index), col = t.out.col(c.index);
    const int group = o / t.per_out;
    json r = record(c, "sum", "conv_transpose.forward", "output", cell(node.output(), c.sample, c.index));
    annotate(r, group);
    SumBuilder sum;
    for (int ch = group * t.per_in; ch < (group + 1) * t.per_in; ++ch) {
      for (int i = 0; i < t.kernel.h; ++i) {
        const int du = row + t.top - i * t.dilation.h;
        if (du < 0 || du % t.stride.h != 0 || du / t.stride.h >= t.in.h) continue;
        for (int j = 0; j < t.kernel.w; ++j) {
          const int dv = col + t.left - j * t.dilation.w;
          if (dv < 0 || dv % t.stride.w != 0 || dv / t.stride.w >= t.in.w) continue;
          const std::size_t k = t.in.at(ch, du / t.stride.h, dv / t.stride.w), wk = t.weight(ch, o - group * t.per_out, i, j);
          sum.add(cell(x, c.sample, k), c.at("input", k), w.data()[wk], c.param("weight", wk));
        }
      }
    }
    const double bias = layer.params()[1].value.data()[o];
    r["constant"] = {{"value", bias}, {"ref", ref_json(c.param("bias", std::size_t(o)))}};
    sum.write(r, c.max_terms, bias);
    return r;
  }
  if (tensor == "grad_input") {
    // x[c, u, v] was scattered into y[o, r(u, i), s(v, j)] times w[c, o', i, j], so
    // dL/dx[c, u, v] = sum over o' and the taps that landed inside of w[c, o', i, j] * g[o, r, s].
    const int ch = t.in.channel(c.index), u = t.in.row(c.index), v = t.in.col(c.index);
    const int group = ch / t.per_in;
    json r = record(c, "sum", "conv_transpose.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
    annotate(r, group);
    SumBuilder sum;
    for (int ol = 0; ol < t.per_out; ++ol) {
      for (int i = 0; i < t.kernel.h; ++i) {
        const int row = t.out_row(u, i);
        if (row < 0 || row >= t.out.h) continue;
        for (int j = 0; j < t.kernel.w; ++j) {
          const int col = t.out_col(v, j);
          if (col < 0 || col >= t.out.w) continue;
          const std::size_t wk = t.weight(ch, ol, i, j), k = t.out.at(group * t.per_out + ol, row, col);
          sum.add(w.data()[wk], c.param("weight", wk), cell(go, c.sample, k), c.at("grad_output", k));
        }
      }
    }
    sum.write(r, c.max_terms);
    return r;
  }
  const std::size_t batch = x.shape()[0];
  if (tensor == "weight.grad") {
    // dL/dw[c, o', i, j] = sum over samples and input cells of x[n, c, u, v] * g[n, o, r(u, i), s(v, j)]
    const std::size_t taps = std::size_t(t.kernel.h) * std::size_t(t.kernel.w);
    const int ch = int(c.index / (std::size_t(t.per_out) * taps)), ol = int(c.index / taps) % t.per_out;
    const int i = int(c.index % taps) / t.kernel.w, j = int(c.index % taps) % t.kernel.w;
    const int o = (ch / t.per_in) * t.per_out + ol;
    json r = record(c, "sum", "conv_transpose.weight_grad", "weight.grad", layer.params()[0].grad.data()[c.index], true);
    annotate(r, ch / t.per_in);
    SumBuilder sum(batch * std::size_t(t.in.h * t.in.w));
    for (std::size_t n = 0; n < batch; ++n) {
      for (int u = 0; u < t.in.h; ++u) {
        const int row = t.out_row(u, i);
        if (row < 0 || row >= t.out.h) continue;  // landed outside: dropped, no gradient
        for (int v = 0; v < t.in.w; ++v) {
          const int col = t.out_col(v, j);
          if (col < 0 || col >= t.out.w) continue;
          const std::size_t k = t.in.at(ch, u, v), ko = t.out.at(o, row, col);
          sum.add(cell(x, n, k), c.at("input", n, k), cell(go, n, ko), c.at("grad_output", n, ko));
        }
      }
    }
    sum.write(r, c.max_terms);
    return r;
  }
  // bias.grad: dL/db[o] = every upstream gradient of output channel o, every sample
  const int o = int(c.index);
  json r = record(c, "sum", "conv_transpose.bias_grad", "bias.grad", layer.params()[1].grad.data()[c.index], true);
  annotate(r, o / t.per_out);
  SumBuilder sum(batch * std::size_t(t.out.h * t.out.w));
  for (std::size_t n = 0; n < batch; ++n) {
    for (int row = 0; row < t.out.h; ++row) {
      for (int col = 0; col < t.out.w; ++col) {
        const std::size_t ko = t.out.at(o, row, col);
        sum.add(cell(go, n, ko), c.at("grad_output", n, ko), 1.0, {});
      }
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

}  // namespace

std::optional<json> explain_convolution(const Context& c, const std::string& tensor) {
  const Layer& layer = c.model.node(c.node).layer();
  const bool known = tensor == "output" || tensor == "grad_input" || tensor == "weight.grad" || tensor == "bias.grad";
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer); conv && known) return explain_conv(c, *conv, tensor);
  if (const auto* t = dynamic_cast<const ConvTranspose2d*>(&layer); t && known) return explain_transpose(c, *t, tensor);
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
