// The older per-cell calls (conv sums, pooled windows, the two conv gradient sums), kept with their
// JSON shapes: thin wrappers over the term collectors of the cell records (explain_cell_conv.cpp,
// explain_cell_pool.cpp), read for the first sample of a batch.
#include "cnnlens/explain.hpp"

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/layers/avgpool2d.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/maxpool2d.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;
using explain_detail::Map3;
using explain_detail::map_of;

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


// One term of a sum as a JSON object. Emplacing the fields is about ten times cheaper than
// nlohmann's nested initializer lists, and a weight gradient has one term per output position.
json term(std::initializer_list<std::pair<const char*, json>> fields) {
  json object(json::value_t::object);
  auto& map = object.get_ref<json::object_t&>();
  for (const auto& [key, value] : fields) map.emplace(key, value);
  return object;
}

// The row-major [C, H, W] index of a cell of the first sample's map, and its value.
std::size_t flat(const Tensor& t, int c, int r, int s) {
  return (std::size_t(c) * axis(t, 2) + std::size_t(r)) * axis(t, 1) + std::size_t(s);
}
float at(const Tensor& t, int c, int r, int s) { return t.data()[flat(t, c, r, s)]; }

// One cell of the first sample: the context the cell records' term collectors read.
explain_detail::Context first_sample(const Model& model, std::size_t node, std::size_t index) {
  return {model, node, 0, index, 1};
}

}  // namespace

json explain_conv_output(const Model& model, std::size_t index, int channel, int row, int col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  const NodeView node = model.layer(index);
  check_cell(node.output(), channel, row, col, "output");
  const ConvGeometry& g = conv.geometry();
  const std::size_t taps = std::size_t(g.kernel.h) * std::size_t(g.kernel.w);
  const int first = (channel / (g.out_channels / conv.groups())) * (g.in_channels / conv.groups());
  const Map3 in = map_of(node.input());
  const explain_detail::SumBuilder sum = explain_detail::conv_output_terms(first_sample(model, index, flat(node.output(), channel, row, col)), conv);
  json terms = json::array();
  for (const explain_detail::Term& t : sum.terms()) {  // a = weight, b = input
    const std::size_t tap = t.a_ref.index % taps;
    const int c = first + int(t.a_ref.index / taps) % (g.in_channels / conv.groups());
    const int i = int(tap) / g.kernel.w, j = int(tap) % g.kernel.w;
    const int r = t.padding ? t.position[0] : in.row(t.b_ref.index), s = t.padding ? t.position[1] : in.col(t.b_ref.index);
    json term_json = term({{"channel", c}, {"row", r}, {"col", s}, {"kernel_row", i}, {"kernel_col", j},
                           {"input", float(t.b)}, {"weight", float(t.a)}, {"padding", t.padding}});
    if (!t.padding && t.outside) term_json["padded_from"] = json::array({t.position[0], t.position[1]});  // a reflected/replicated copy
    terms.push_back(std::move(term_json));
  }
  const float bias = conv.params()[1].value(std::size_t(channel));
  return {{"terms", terms}, {"bias", bias}, {"sum", sum.total(bias)}, {"output", at(node.output(), channel, row, col)}};
}

json explain_pool_output(const Model& model, std::size_t index, int channel, int row, int col) {
  const NodeView node = model.layer(index);
  const auto* max_pool = dynamic_cast<const MaxPool2d*>(&node.layer());
  const auto* avg_pool = dynamic_cast<const AvgPool2d*>(&node.layer());
  if (max_pool == nullptr && avg_pool == nullptr) {
    throw SceneError("wrong_kind", node.spec().place(), {{"wanted", "pooling"}},
                     "layer " + std::to_string(index) + " (" + node.type() + ") is not a pooling layer");
  }
  check_cell(node.output(), channel, row, col, "output");
  const explain_detail::PoolWindow found =
      explain_detail::pool_window(first_sample(model, index, flat(node.output(), channel, row, col)), max_pool, avg_pool);
  const Map3 in = map_of(node.input());
  json window = json::array();
  for (std::size_t k : found.cells) {
    window.push_back(term({{"row", in.row(k)}, {"col", in.col(k)}, {"value", node.input().data()[k]}}));
  }
  json result = {{"kind", max_pool ? "max" : "avg"}, {"window", window}, {"output", at(node.output(), channel, row, col)}};
  if (max_pool) result["winner"] = found.winner;
  if (avg_pool) result["divisor"] = avg_pool->divisor(row, col);
  return result;
}

WeightGradSum conv_weight_grad_sum(const Model& model, std::size_t index, int out_channel, int in_channel,
                                   int kernel_row, int kernel_col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  const NodeView node = model.layer(index);
  explain_detail::require_loss(model, node);
  const ConvGeometry& g = conv.geometry();
  const Tensor& grad = conv.params()[0].grad;
  if (out_channel < 0 || in_channel < 0 || kernel_row < 0 || kernel_col < 0 || out_channel >= g.out_channels ||
      std::size_t(in_channel) >= grad.shape()[1] || kernel_row >= g.kernel.h || kernel_col >= g.kernel.w) {
    throw SceneError("cell_out_of_range", {"", 0, "", "weight"}, json::object(),
                     "weight index is outside the kernel " + shape_to_string(shape_of(grad)));
  }
  const std::size_t weight_index =
      ((std::size_t(out_channel) * grad.shape()[1] + std::size_t(in_channel)) * std::size_t(g.kernel.h) +
       std::size_t(kernel_row)) * std::size_t(g.kernel.w) + std::size_t(kernel_col);
  // The first sample's terms (a = input, b = upstream gradient).
  const explain_detail::SumBuilder sum =
      explain_detail::conv_weight_grad_terms(first_sample(model, index, weight_index), conv, 0, 1);
  const Map3 in = map_of(node.input()), out = map_of(node.output());
  WeightGradSum result;
  result.terms.reserve(sum.size());
  for (const explain_detail::Term& t : sum.terms()) {
    result.terms.push_back({out.row(t.b_ref.index), out.col(t.b_ref.index), in.row(t.a_ref.index), in.col(t.a_ref.index),
                            float(t.a), float(t.b)});
  }
  result.sum = sum.total();
  result.grad = grad.data()[weight_index];
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
  explain_detail::require_loss(model, node);
  check_cell(node.input(), channel, row, col, "input");
  const ConvGeometry& g = conv.geometry();
  const std::size_t taps = std::size_t(g.kernel.h) * std::size_t(g.kernel.w);
  // The first sample's terms (a = weight, b = upstream gradient), in (o, r, s, i, j) order.
  const explain_detail::SumBuilder sum =
      explain_detail::conv_input_grad_terms(first_sample(model, index, flat(node.input(), channel, row, col)), conv);
  const Map3 out = map_of(node.output());
  InputGradSum result;
  result.terms.reserve(sum.size());
  for (const explain_detail::Term& t : sum.terms()) {
    const int tap = int(t.a_ref.index % taps);
    result.terms.push_back({out.channel(t.b_ref.index), out.row(t.b_ref.index), out.col(t.b_ref.index),
                            tap / g.kernel.w, tap % g.kernel.w, float(t.a), float(t.b)});
  }
  result.sum = sum.total();
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
