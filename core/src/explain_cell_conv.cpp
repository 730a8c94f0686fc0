// Explanations of convolutions: conv2d (any groups, any padding mode) as the window's weighted sum
// and its three gradient sums. The term collectors are shared with explain.cpp's older calls.
#include "cnnlens/kernels/pad.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {
namespace {

// Weight index of tap (i, j) of output channel o and in-group channel cc: [O, C/G, KH, KW].
struct ConvIndex {
  const ConvGeometry& g;
  int per_in, per_out;
  std::size_t taps;
  ConvIndex(const Conv2d& conv)
      : g(conv.geometry()), per_in(g.in_channels / conv.groups()), per_out(g.out_channels / conv.groups()),
        taps(std::size_t(g.kernel.h) * std::size_t(g.kernel.w)) {}
  std::size_t weight(int o, int cc, int i, int j) const {
    return (std::size_t(o) * std::size_t(per_in) + std::size_t(cc)) * taps + std::size_t(i * g.kernel.w + j);
  }
};

}  // namespace

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

json explain_conv(const Context& c, const Conv2d& conv, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Map3 out = map_of(node.output());
  if (tensor == "output") {
    const int o = out.channel(c.index);
    json r = record(c, "sum", "conv.forward", "output", cell(node.output(), c.sample, c.index));
    const double bias = conv.params()[1].value.data()[o];
    r["constant"] = {{"value", bias}, {"ref", ref_json(c.param("bias", std::size_t(o)))}};
    conv_output_terms(c, conv).write(r, c.max_terms, bias);
    return r;
  }
  if (tensor == "grad_input") {
    json r = record(c, "sum", "conv.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
    conv_input_grad_terms(c, conv).write(r, c.max_terms);
    return r;
  }
  const std::size_t batch = node.input().shape()[0];
  if (tensor == "weight.grad") {
    json r = record(c, "sum", "conv.weight_grad", "weight.grad", conv.params()[0].grad.data()[c.index], true);
    conv_weight_grad_terms(c, conv, 0, batch).write(r, c.max_terms);
    return r;
  }
  // bias.grad: every upstream gradient of the output channel, every sample
  const int o = int(c.index);
  const Tensor& go = node.grad_output();
  json r = record(c, "sum", "conv.bias_grad", "bias.grad", conv.params()[1].grad.data()[c.index], true);
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

}  // namespace

std::optional<json> explain_convolution(const Context& c, const std::string& tensor) {
  const Layer& layer = c.model.node(c.node).layer();
  const bool known = tensor == "output" || tensor == "grad_input" || tensor == "weight.grad" || tensor == "bias.grad";
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer); conv && known) return explain_conv(c, *conv, tensor);
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
