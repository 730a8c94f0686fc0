// Cell-level arithmetic for the explanations; indexing mirrors the layer loops exactly so the
// written-out sums add up to the numbers the layers produced.
#include "cnnlens/explain.hpp"

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/pool2d.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

template <typename LayerType>
const LayerType& layer_as(const Model& model, std::size_t index, const char* wanted) {
  const Layer& layer = model.layer(index);
  const auto* typed = dynamic_cast<const LayerType*>(&layer);
  if (typed == nullptr) {
    throw SceneError("layer " + std::to_string(index) + " (" + layer.type() + ") is not a " + wanted + " layer");
  }
  return *typed;
}

void check_cell(const Tensor& t, int channel, int row, int col, const char* what) {
  const auto& s = t.shape();
  if (channel < 0 || row < 0 || col < 0 || std::size_t(channel) >= s[0] || std::size_t(row) >= s[1] ||
      std::size_t(col) >= s[2]) {
    throw SceneError(std::string(what) + " cell (" + std::to_string(channel) + ", " + std::to_string(row) + ", " +
                     std::to_string(col) + ") is outside " + shape_to_string(shape_of(t)));
  }
}

float at(const Tensor& t, int a, int b, int c) { return t(std::size_t(a), std::size_t(b), std::size_t(c)); }

// One term of a sum as a JSON object. Emplacing the fields is about ten times cheaper than
// nlohmann's nested initializer lists, and a weight gradient has one term per output position.
json term(std::initializer_list<std::pair<const char*, json>> fields) {
  json object(json::value_t::object);
  auto& map = object.get_ref<json::object_t&>();
  for (const auto& [key, value] : fields) map.emplace(key, value);
  return object;
}

}  // namespace

json explain_conv_output(const Model& model, std::size_t index, int channel, int row, int col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  check_cell(conv.output(), channel, row, col, "output");
  const ConvGeometry& g = conv.geometry();
  const Tensor& w = conv.params()[0].value;
  json terms = json::array();
  double sum = conv.params()[1].value(std::size_t(channel));
  for (int c = 0; c < g.in_channels; ++c) {
    for (int i = 0; i < g.kernel.h; ++i) {
      for (int j = 0; j < g.kernel.w; ++j) {
        const int u = g.input_row(row, i), v = g.input_col(col, j);
        const bool padding = u < 0 || v < 0 || u >= g.in_h || v >= g.in_w;
        const float x = padding ? 0.0f : at(conv.input(), c, u, v);
        const float weight = w(std::size_t(channel), std::size_t(c), std::size_t(i), std::size_t(j));
        sum += double(x) * weight;
        terms.push_back(term({{"channel", c}, {"row", u}, {"col", v}, {"kernel_row", i}, {"kernel_col", j},
                         {"input", x}, {"weight", weight}, {"padding", padding}}));
      }
    }
  }
  return {{"terms", terms},
          {"bias", conv.params()[1].value(std::size_t(channel))},
          {"sum", sum},
          {"output", at(conv.output(), channel, row, col)}};
}

json explain_pool_output(const Model& model, std::size_t index, int channel, int row, int col) {
  const Layer& layer = model.layer(index);
  const auto* max_pool = dynamic_cast<const MaxPool2d*>(&layer);
  const auto* avg_pool = dynamic_cast<const AvgPool2d*>(&layer);
  if (max_pool == nullptr && avg_pool == nullptr) {
    throw SceneError("layer " + std::to_string(index) + " (" + layer.type() + ") is not a pooling layer");
  }
  const PoolGeometry& g = max_pool ? max_pool->geometry() : avg_pool->geometry();
  check_cell(layer.output(), channel, row, col, "output");
  json window = json::array();
  int winner = -1;
  const int winning_index = max_pool ? int(at(max_pool->argmax(), channel, row, col)) : -1;
  for (int i = 0; i < g.kernel.h; ++i) {
    for (int j = 0; j < g.kernel.w; ++j) {
      const int u = row * g.stride.h + i, v = col * g.stride.w + j;
      if ((channel * g.in_h + u) * g.in_w + v == winning_index) winner = int(window.size());
      window.push_back(term({{"row", u}, {"col", v}, {"value", at(layer.input(), channel, u, v)}}));
    }
  }
  json result = {{"kind", max_pool ? "max" : "avg"}, {"window", window}, {"output", at(layer.output(), channel, row, col)}};
  if (max_pool) result["winner"] = winner;
  return result;
}

WeightGradSum conv_weight_grad_sum(const Model& model, std::size_t index, int out_channel, int in_channel,
                                   int kernel_row, int kernel_col) {
  const Conv2d& conv = layer_as<Conv2d>(model, index, "conv2d");
  const ConvGeometry& g = conv.geometry();
  const Tensor& grad = conv.params()[0].grad;
  if (out_channel < 0 || in_channel < 0 || kernel_row < 0 || kernel_col < 0 || out_channel >= g.out_channels ||
      in_channel >= g.in_channels || kernel_row >= g.kernel.h || kernel_col >= g.kernel.w) {
    throw SceneError("weight index is outside the kernel " + shape_to_string(shape_of(grad)));
  }
  WeightGradSum result;
  result.terms.reserve(std::size_t(g.out_h) * std::size_t(g.out_w));
  for (int r = 0; r < g.out_h; ++r) {
    for (int s = 0; s < g.out_w; ++s) {
      const int u = g.input_row(r, kernel_row), v = g.input_col(s, kernel_col);
      if (u < 0 || v < 0 || u >= g.in_h || v >= g.in_w) continue;  // padding contributes 0
      const float x = at(conv.input(), in_channel, u, v);
      const float upstream = at(conv.grad_output(), out_channel, r, s);
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
  check_cell(conv.input(), channel, row, col, "input");
  const ConvGeometry& g = conv.geometry();
  const Tensor& w = conv.params()[0].value;
  InputGradSum result;
  for (int o = 0; o < g.out_channels; ++o) {
    for (int r = 0; r < g.out_h; ++r) {
      for (int s = 0; s < g.out_w; ++s) {
        for (int i = 0; i < g.kernel.h; ++i) {
          for (int j = 0; j < g.kernel.w; ++j) {
            if (g.input_row(r, i) != row || g.input_col(s, j) != col) continue;
            const float weight = w(std::size_t(o), std::size_t(channel), std::size_t(i), std::size_t(j));
            const float upstream = at(conv.grad_output(), o, r, s);
            result.sum += double(weight) * upstream;
            result.terms.push_back({o, r, s, i, j, weight, upstream});
          }
        }
      }
    }
  }
  result.grad = at(conv.grad_input(), channel, row, col);
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
