// Cell-level arithmetic for the explanations; indexing mirrors the layer loops exactly so the
// written-out sums add up to the numbers the layers produced. Batched tensors are explained for
// their first sample.
#include "cnnlens/explain.hpp"

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/kernels/pad.hpp"
#include "cnnlens/layers/avgpool2d.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/maxpool2d.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

template <typename LayerType>
const LayerType& layer_as(const Model& model, std::size_t index, const char* wanted) {
  const NodeView node = model.layer(index);
  const auto* typed = dynamic_cast<const LayerType*>(&node.layer());
  if (typed == nullptr) {
    throw SceneError("wrong_kind", node.spec().place(), {{"wanted", wanted}},
                     "layer " + std::to_string(index) + " (" + node.type() + ") is not a " + wanted + " layer");
  }
  return *typed;
}

// The last three axes [C, H, W] of a map, whether or not a batch axis leads.
std::size_t axis(const Tensor& t, int from_end) { return t.shape()[t.dimension() - std::size_t(from_end)]; }

void check_cell(const Tensor& t, int channel, int row, int col, const char* what) {
  if (t.dimension() < 3 || channel < 0 || row < 0 || col < 0 || std::size_t(channel) >= axis(t, 3) ||
      std::size_t(row) >= axis(t, 2) || std::size_t(col) >= axis(t, 1)) {
    const Shape s = shape_of(t);
    throw SceneError("cell_out_of_range", {"", 0, "", what}, {{"cell", {channel, row, col}}},
                     std::string(what) + " cell (" + std::to_string(channel) + ", " + std::to_string(row) + ", " +
                         std::to_string(col) + ") is outside " + shape_to_string(Shape(s.end() - 3, s.end())));
  }
}

// Cell (c, r, s) of the first sample.
float at(const Tensor& t, int c, int r, int s) {
  return t.data()[(std::size_t(c) * axis(t, 2) + std::size_t(r)) * axis(t, 1) + std::size_t(s)];
}

// One term of a sum as a JSON object. Emplacing the fields is about ten times cheaper than
// nlohmann's nested initializer lists, and a weight gradient has one term per output position.
json term(std::initializer_list<std::pair<const char*, json>> fields) {
  json object(json::value_t::object);
  auto& map = object.get_ref<json::object_t&>();
  for (const auto& [key, value] : fields) map.emplace(key, value);
  return object;
}

}  // namespace

// The input channels output channel o reads (its group), and the weight index of channel c in it.
struct GroupSpan {
  int first, count;
};
GroupSpan group_of_output(const Conv2d& conv, int o) {
  const ConvGeometry& g = conv.geometry();
  const int per_in = g.in_channels / conv.groups(), per_out = g.out_channels / conv.groups();
  return {(o / per_out) * per_in, per_in};
}

// The source cell a (possibly padded) position reads under the layer's padding mode; -1: zero padding.
int source(const Conv2d& conv, int i, int size) {
  return kernels::pad_source(i, size, kernels::pad_mode_from(conv.padding_mode()));
}

json explain_conv_output(const Model& model, std::size_t index, int channel, int row, int col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  const NodeView node = model.layer(index);
  check_cell(node.output(), channel, row, col, "output");
  const ConvGeometry& g = conv.geometry();
  const Tensor& w = conv.params()[0].value;
  const GroupSpan span = group_of_output(conv, channel);
  json terms = json::array();
  double sum = conv.params()[1].value(std::size_t(channel));
  for (int c = span.first; c < span.first + span.count; ++c) {
    for (int i = 0; i < g.kernel.h; ++i) {
      for (int j = 0; j < g.kernel.w; ++j) {
        const int u = g.input_row(row, i), v = g.input_col(col, j);
        const int su = source(conv, u, g.in_h), sv = source(conv, v, g.in_w);
        const bool padding = su < 0 || sv < 0;
        const float x = padding ? 0.0f : at(node.input(), c, su, sv);
        const float weight = w(std::size_t(channel), std::size_t(c - span.first), std::size_t(i), std::size_t(j));
        sum += double(x) * weight;
        json t = term({{"channel", c}, {"row", padding ? u : su}, {"col", padding ? v : sv}, {"kernel_row", i},
                       {"kernel_col", j}, {"input", x}, {"weight", weight}, {"padding", padding}});
        if (!padding && (su != u || sv != v)) t["padded_from"] = json::array({u, v});  // a reflected/replicated copy
        terms.push_back(std::move(t));
      }
    }
  }
  return {{"terms", terms},
          {"bias", conv.params()[1].value(std::size_t(channel))},
          {"sum", sum},
          {"output", at(node.output(), channel, row, col)}};
}

json explain_pool_output(const Model& model, std::size_t index, int channel, int row, int col) {
  const NodeView node = model.layer(index);
  const auto* max_pool = dynamic_cast<const MaxPool2d*>(&node.layer());
  const auto* avg_pool = dynamic_cast<const AvgPool2d*>(&node.layer());
  if (max_pool == nullptr && avg_pool == nullptr) {
    throw SceneError("wrong_kind", node.spec().place(), {{"wanted", "pooling"}},
                     "layer " + std::to_string(index) + " (" + node.type() + ") is not a pooling layer");
  }
  const PoolGeometry& g = max_pool ? max_pool->geometry() : avg_pool->geometry();
  check_cell(node.output(), channel, row, col, "output");
  json window = json::array();
  int winner = -1;
  const int winning_index = max_pool ? int(at(max_pool->argmax(), channel, row, col)) : -1;
  for (int i = 0; i < g.kernel.h; ++i) {
    for (int j = 0; j < g.kernel.w; ++j) {
      const int u = g.input_row(row, i), v = g.input_col(col, j);
      if (u < 0 || v < 0 || u >= g.in_h || v >= g.in_w) continue;  // padding: never wins, adds nothing
      if ((channel * g.in_h + u) * g.in_w + v == winning_index) winner = int(window.size());
      window.push_back(term({{"row", u}, {"col", v}, {"value", at(node.input(), channel, u, v)}}));
    }
  }
  json result = {{"kind", max_pool ? "max" : "avg"}, {"window", window}, {"output", at(node.output(), channel, row, col)}};
  if (max_pool) result["winner"] = winner;
  if (avg_pool) result["divisor"] = avg_pool->divisor(row, col);
  return result;
}

WeightGradSum conv_weight_grad_sum(const Model& model, std::size_t index, int out_channel, int in_channel,
                                   int kernel_row, int kernel_col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  const NodeView node = model.layer(index);
  const ConvGeometry& g = conv.geometry();
  const Tensor& grad = conv.params()[0].grad;
  if (out_channel < 0 || in_channel < 0 || kernel_row < 0 || kernel_col < 0 || out_channel >= g.out_channels ||
      std::size_t(in_channel) >= grad.shape()[1] || kernel_row >= g.kernel.h || kernel_col >= g.kernel.w) {
    throw SceneError("cell_out_of_range", {"", 0, "", "weight"}, json::object(),
                     "weight index is outside the kernel " + shape_to_string(shape_of(grad)));
  }
  const int channel = group_of_output(conv, out_channel).first + in_channel;  // the input channel it reads
  WeightGradSum result;
  result.terms.reserve(std::size_t(g.out_h) * std::size_t(g.out_w));
  for (int r = 0; r < g.out_h; ++r) {
    for (int s = 0; s < g.out_w; ++s) {
      const int u = source(conv, g.input_row(r, kernel_row), g.in_h), v = source(conv, g.input_col(s, kernel_col), g.in_w);
      if (u < 0 || v < 0) continue;  // zero padding contributes 0
      const float x = at(node.input(), channel, u, v);
      const float upstream = at(node.grad_output(), out_channel, r, s);
      result.sum += double(x) * upstream;
      result.terms.push_back({r, s, u, v, x, upstream});
    }
  }
  result.grad = grad(std::size_t(out_channel), std::size_t(in_channel), std::size_t(kernel_row), std::size_t(kernel_col));
  return result;
}

json explain_conv_weight_grad(const Model& model, std::size_t index, int out_channel, int in_channel, int kernel_row,
                              int kernel_col) {
  const WeightGradSum w = conv_weight_grad_sum(model, index, out_channel, in_channel, kernel_row, kernel_col);
  json terms = json::array();
  for (const WeightGradTerm& t : w.terms) {
    terms.push_back(term({{"row", t.row}, {"col", t.col}, {"input_row", t.input_row}, {"input_col", t.input_col},
                          {"input", t.input}, {"grad_output", t.grad_output}}));
  }
  return {{"terms", terms}, {"sum", w.sum}, {"grad", w.grad}};
}

InputGradSum conv_input_grad_sum(const Model& model, std::size_t index, int channel, int row, int col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  const NodeView node = model.layer(index);
  check_cell(node.input(), channel, row, col, "input");
  const ConvGeometry& g = conv.geometry();
  const Tensor& w = conv.params()[0].value;
  const int per_in = g.in_channels / conv.groups(), per_out = g.out_channels / conv.groups();
  const int group = channel / per_in;
  InputGradSum result;
  for (int o = group * per_out; o < (group + 1) * per_out; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        for (int i = 0; i < g.kernel.h; ++i) {
          for (int j = 0; j < g.kernel.w; ++j) {
            // Every padded position that copies (row, col) passes its gradient back to it.
            if (source(conv, g.input_row(r, i), g.in_h) != row || source(conv, g.input_col(s, j), g.in_w) != col) continue;
            const float weight = w(std::size_t(o), std::size_t(channel - group * per_in), std::size_t(i), std::size_t(j));
            const float upstream = at(node.grad_output(), o, r, s);
            result.sum += double(weight) * upstream;
            result.terms.push_back({o, r, s, i, j, weight, upstream});
          }
        }
      }
    }
  }
  result.grad = at(node.grad_input(), channel, row, col);
  return result;
}

json explain_conv_input_grad(const Model& model, std::size_t index, int channel, int row, int col) {
  const InputGradSum g = conv_input_grad_sum(model, index, channel, row, col);
  json terms = json::array();
  for (const InputGradTerm& t : g.terms) {
    terms.push_back(term({{"out_channel", t.out_channel}, {"row", t.row}, {"col", t.col}, {"kernel_row", t.kernel_row},
                          {"kernel_col", t.kernel_col}, {"weight", t.weight}, {"grad_output", t.grad_output}}));
  }
  return {{"terms", terms}, {"sum", g.sum}, {"grad", g.grad}};
}

}  // namespace cnnlens
