// Cell-by-cell explanations as typed records (explain_cell.hpp). Indexing mirrors each layer's own
// loops, so the written-out sums reproduce the numbers the layers produced.
#include "cnnlens/explain_cell.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/kernels/pad.hpp"
#include "cnnlens/layers/avgpool2d.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/dense.hpp"
#include "cnnlens/layers/elementwise.hpp"
#include "cnnlens/layers/flatten.hpp"
#include "cnnlens/layers/log_softmax.hpp"
#include "cnnlens/layers/maxpool2d.hpp"
#include "cnnlens/layers/prelu.hpp"
#include "cnnlens/layers/softmax.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

constexpr int kNoRef = -2;  // a term factor with no cell behind it (a constant, zero padding)

// A cell of a node-local tensor; sample -1 for parameters. `tensor` points at a string literal.
struct Ref {
  int node = kNoRef;
  const char* tensor = "";
  long sample = -1;
  std::size_t index = 0;
};

json ref_json(const Ref& r) {
  json object(json::value_t::object);
  auto& map = object.get_ref<json::object_t&>();
  map.emplace("node", r.node);
  map.emplace("tensor", r.tensor);
  if (r.sample >= 0) map.emplace("sample", r.sample);
  map.emplace("index", r.index);
  return object;
}

struct Term {
  double a, b, product;
  Ref a_ref, b_ref;
  bool padding = false;
};

// Collects every term of one sum, then writes the record's sum fields: non-zero products first
// (the largest `max_terms` when there are more, kept in their natural order), zero terms shown
// only when the whole sum fits, the rest counted.
class SumBuilder {
 public:
  explicit SumBuilder(std::size_t reserve = 0) { terms_.reserve(reserve); }
  void add(double a, const Ref& a_ref, double b, const Ref& b_ref, bool padding = false) {
    terms_.push_back({a, b, a * b, a_ref, b_ref, padding});
  }
  std::size_t size() const { return terms_.size(); }

  void write(json& record, std::size_t max_terms, double constant = 0.0) const {
    std::vector<std::size_t> nonzero, zero;
    double total = constant;
    for (std::size_t k = 0; k < terms_.size(); ++k) {
      total += terms_[k].product;
      (terms_[k].product != 0.0 ? nonzero : zero).push_back(k);
    }
    std::vector<std::size_t> shown;
    double omitted_sum = 0.0;
    std::size_t omitted = 0;
    if (nonzero.size() > max_terms) {
      std::vector<std::size_t> order = nonzero;
      std::nth_element(order.begin(), order.begin() + long(max_terms), order.end(), [&](std::size_t x, std::size_t y) {
        return std::fabs(terms_[x].product) > std::fabs(terms_[y].product);
      });
      shown.assign(order.begin(), order.begin() + long(max_terms));
      std::sort(shown.begin(), shown.end());
      for (auto it = order.begin() + long(max_terms); it != order.end(); ++it) omitted_sum += terms_[*it].product;
      omitted = nonzero.size() - max_terms;
    } else {
      shown = nonzero;
      if (terms_.size() <= max_terms) shown.insert(shown.end(), zero.begin(), zero.end());
    }
    json list = json::array();
    double shown_total = constant;
    for (std::size_t k : shown) {
      const Term& t = terms_[k];
      shown_total += t.product;
      json object(json::value_t::object);
      auto& map = object.get_ref<json::object_t&>();
      map.emplace("a", t.a);
      map.emplace("b", t.b);
      map.emplace("product", t.product);
      if (t.a_ref.node != kNoRef) map.emplace("a_ref", ref_json(t.a_ref));
      if (t.b_ref.node != kNoRef) map.emplace("b_ref", ref_json(t.b_ref));
      if (t.padding) map.emplace("padding", true);
      list.push_back(std::move(object));
    }
    const std::size_t shown_zero = shown.size() - std::min(shown.size(), nonzero.size() - omitted);
    record["terms"] = std::move(list);
    record["term_count"] = terms_.size();
    record["zero_terms"] = zero.size();
    record["omitted_zero_terms"] = zero.size() - shown_zero;
    record["omitted_terms"] = omitted;
    record["omitted_sum"] = omitted_sum;
    record["shown_total"] = shown_total;
    record["total"] = total;
  }

 private:
  std::vector<Term> terms_;
};

// Per-sample view of a batch-first tensor.
std::size_t sample_size(const Tensor& t) { return t.dimension() == 0 || t.shape()[0] == 0 ? 0 : t.size() / t.shape()[0]; }

float cell(const Tensor& t, std::size_t sample, std::size_t index) { return t.data()[sample * sample_size(t) + index]; }

// [C, H, W] sizes of a batch-first map.
struct Map3 {
  int c, h, w;
  std::size_t at(int ch, int r, int s) const { return (std::size_t(ch) * std::size_t(h) + std::size_t(r)) * std::size_t(w) + std::size_t(s); }
};
Map3 map_of(const Tensor& t) {
  return {int(t.shape()[1]), int(t.shape()[2]), int(t.shape()[3])};
}

struct Context {
  const Model& model;
  std::size_t node;
  std::size_t sample;
  std::size_t index;
  std::size_t max_terms;
  int n() const { return int(node); }
  Ref at(const char* tensor, std::size_t i) const { return {int(node), tensor, long(sample), i}; }
  Ref param(const char* tensor, std::size_t i) const { return {int(node), tensor, -1, i}; }
};

json record(const Context& c, const char* kind, const std::string& formula, const char* tensor, double value,
            bool is_param = false) {
  json r(json::value_t::object);
  r["kind"] = kind;
  r["formula"] = formula;
  r["cell"] = ref_json(is_param ? c.param(tensor, c.index) : c.at(tensor, c.index));
  r["type"] = c.model.node(c.node).type();
  r["node_id"] = c.model.node(c.node).id();
  r["value"] = value;
  return r;
}

[[noreturn]] void fail_tensor(const NodeView& node, const std::string& tensor) {
  throw SceneError("unknown_tensor", node.spec().place(), {{"tensor", tensor}},
                   "node " + node.id() + " (" + node.type() + ") has no tensor \"" + tensor + "\" to explain");
}

// ------------------------------------------------------------------ loss

json explain_loss(const Context& c) {
  const Model& model = c.model;
  const NodeView last = model.node(c.node);
  const Tensor& y = last.output();
  const Tensor& g = model.loss_grad();
  const std::size_t f = sample_size(y), n = y.shape()[0];
  const double value = cell(g, c.sample, c.index);
  const double out = cell(y, c.sample, c.index);
  const double target = cell(model.target(), c.sample, c.index);
  if (model.scene().loss == LossKind::kMse) {
    json r = record(c, "loss", "loss.mse", "grad_output", value);
    r["y"] = out;
    r["y_ref"] = ref_json(c.at("output", c.index));
    r["target"] = target;
    r["features"] = f;
    r["batch"] = n;
    r["total"] = 2.0 * (out - target) / double(f * n);
    return r;
  }
  // cross_entropy: (softmax(z)_i - onehot_i) / N, the softmax from the logits as the loss took it.
  const float* z = y.data() + c.sample * f;
  const double m = *std::max_element(z, z + f);
  double denominator = 0.0;
  for (std::size_t k = 0; k < f; ++k) denominator += std::exp(double(z[k]) - m);
  const double p = std::exp(out - m) / denominator;
  json r = record(c, "loss", "loss.cross_entropy", "grad_output", value);
  r["y"] = out;
  r["y_ref"] = ref_json(c.at("output", c.index));
  r["softmax"] = p;
  r["target"] = target;  // the one-hot entry: 1 for the true class
  r["batch"] = n;
  r["total"] = (p - target) / double(n);
  return r;
}

// ------------------------------------------------------------------ element-wise activations

json explain_elementwise(const Context& c, const ElementwiseLayer& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const std::string type = node.type();
  const double x = cell(node.input(), c.sample, c.index);
  const double y = cell(node.output(), c.sample, c.index);
  if (tensor == "output") {
    json r = record(c, "apply", "activation.forward", "output", y);
    r["x"] = x;
    r["x_ref"] = ref_json(c.at("input", c.index));
    r["total"] = layer.value_at(float(x));
    return r;
  }
  const double g = cell(node.grad_output(), c.sample, c.index);
  const double slope = layer.slope_at(float(x), float(y));
  json r = record(c, "chain", "activation.grad", "grad_input", cell(node.grad_input(), c.sample, c.index));
  r["x"] = x;
  r["y"] = y;
  r["x_ref"] = ref_json(c.at("input", c.index));
  r["grad_output"] = g;
  r["grad_output_ref"] = ref_json(c.at("grad_output", c.index));
  r["slope"] = slope;
  // f'(x) written with its own factors where the kind has a short form.
  json factors = json::array();
  if (type == "sigmoid") factors = {{{"label", "y"}, {"value", y}}, {{"label", "1-y"}, {"value", 1.0 - y}}};
  else if (type == "tanh") factors = {{{"label", "1-y^2"}, {"value", 1.0 - y * y}}};
  r["slope_factors"] = factors;
  r["total"] = g * slope;
  return r;
}

json explain_prelu(const Context& c, const PRelu& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const std::size_t slopes = layer.params()[0].value.size();
  std::size_t inner = 1;
  for (std::size_t d = 2; d < x.dimension(); ++d) inner *= x.shape()[d];
  const std::size_t channels = x.shape()[1];
  const float* a = layer.params()[0].value.data();
  if (tensor == "weight.grad") {
    // dL/da_c = sum over the cells of channel c (every sample) with x <= 0 of g * x
    const Tensor& g = node.grad_output();
    json r = record(c, "sum", "prelu.weight_grad", "weight.grad", layer.params()[0].grad.data()[c.index], true);
    SumBuilder sum;
    const std::size_t per = sample_size(x);
    for (std::size_t n = 0; n < x.shape()[0]; ++n) {
      for (std::size_t k = 0; k < per; ++k) {
        if ((slopes == 1 ? 0 : (k / inner) % channels) != c.index) continue;
        const float xv = x.data()[n * per + k];
        if (xv > 0.0f) continue;
        sum.add(g.data()[n * per + k], {c.n(), "grad_output", long(n), k}, xv, {c.n(), "input", long(n), k});
      }
    }
    sum.write(r, c.max_terms);
    return r;
  }
  const double xv = cell(x, c.sample, c.index);
  const double slope_value = a[slopes == 1 ? 0 : (c.index / inner) % channels];
  const Ref slope_ref = c.param("weight", slopes == 1 ? 0 : (c.index / inner) % channels);
  if (tensor == "output") {
    json r = record(c, "apply", "activation.forward", "output", cell(node.output(), c.sample, c.index));
    r["x"] = xv;
    r["x_ref"] = ref_json(c.at("input", c.index));
    r["parameter"] = slope_value;
    r["parameter_ref"] = ref_json(slope_ref);
    r["total"] = xv > 0 ? xv : slope_value * xv;
    return r;
  }
  const double g = cell(node.grad_output(), c.sample, c.index);
  const double slope = xv > 0 ? 1.0 : slope_value;
  json r = record(c, "chain", "activation.grad", "grad_input", cell(node.grad_input(), c.sample, c.index));
  r["x"] = xv;
  r["y"] = cell(node.output(), c.sample, c.index);
  r["x_ref"] = ref_json(c.at("input", c.index));
  r["grad_output"] = g;
  r["grad_output_ref"] = ref_json(c.at("grad_output", c.index));
  r["slope"] = slope;
  r["slope_factors"] = json::array();
  if (xv <= 0) r["slope_ref"] = ref_json(slope_ref);
  r["total"] = g * slope;
  return r;
}

// ------------------------------------------------------------------ softmax, log_softmax

json explain_softmax(const Context& c, bool log_form, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const Tensor& y = node.output();
  const std::size_t f = sample_size(x);
  const float* xs = x.data() + c.sample * f;
  const float* ys = y.data() + c.sample * f;
  const char* prefix = log_form ? "log_softmax" : "softmax";
  if (tensor == "output") {
    const double m = *std::max_element(xs, xs + f);
    double denominator = 0.0;
    for (std::size_t k = 0; k < f; ++k) denominator += std::exp(double(xs[k]) - m);
    json r = record(c, "softmax", std::string(prefix) + ".forward", "output", ys[c.index]);
    r["x"] = xs[c.index];
    r["x_ref"] = ref_json(c.at("input", c.index));
    r["max"] = m;
    r["exp"] = std::exp(double(xs[c.index]) - m);
    r["denominator"] = denominator;
    r["total"] = log_form ? double(xs[c.index]) - m - std::log(denominator) : std::exp(double(xs[c.index]) - m) / denominator;
    return r;
  }
  // softmax:     dL/dx_i = y_i (g_i - sum_j g_j y_j)
  // log_softmax: dL/dx_i = g_i - softmax_i sum_j g_j
  const float* gs = node.grad_output().data() + c.sample * f;
  json r = record(c, "softmax", std::string(prefix) + ".grad", "grad_input", cell(node.grad_input(), c.sample, c.index));
  SumBuilder sum(f);
  for (std::size_t j = 0; j < f; ++j) {
    if (log_form) sum.add(gs[j], c.at("grad_output", j), 1.0, {});
    else sum.add(gs[j], c.at("grad_output", j), ys[j], c.at("output", j));
  }
  sum.write(r, c.max_terms);
  const double inner = r["total"].get<double>();
  const double yi = log_form ? std::exp(double(ys[c.index])) : double(ys[c.index]);
  r["inner_sum"] = inner;
  r["grad_output"] = gs[c.index];
  r["grad_output_ref"] = ref_json(c.at("grad_output", c.index));
  r["y"] = yi;  // softmax_i (read back as e^y for log_softmax)
  r["y_ref"] = ref_json(c.at("output", c.index));
  r["total"] = log_form ? gs[c.index] - yi * inner : yi * (gs[c.index] - inner);
  return r;
}

// ------------------------------------------------------------------ dense

json explain_dense(const Context& c, const Dense& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const Tensor& w = layer.params()[0].value;
  const std::size_t outs = w.shape()[0], ins = w.shape()[1], batch = x.shape()[0];
  if (tensor == "output") {
    const std::size_t j = c.index;
    json r = record(c, "sum", "dense.forward", "output", cell(node.output(), c.sample, j));
    SumBuilder sum(ins);
    for (std::size_t i = 0; i < ins; ++i) {
      sum.add(w.data()[j * ins + i], c.param("weight", j * ins + i), cell(x, c.sample, i), c.at("input", i));
    }
    const double bias = layer.params()[1].value.data()[j];
    r["constant"] = {{"value", bias}, {"ref", ref_json(c.param("bias", j))}};
    sum.write(r, c.max_terms, bias);
    return r;
  }
  if (tensor == "grad_input") {
    const std::size_t i = c.index;
    json r = record(c, "sum", "dense.grad_input", "grad_input", cell(node.grad_input(), c.sample, i));
    SumBuilder sum(outs);
    for (std::size_t j = 0; j < outs; ++j) {
      sum.add(w.data()[j * ins + i], c.param("weight", j * ins + i), cell(node.grad_output(), c.sample, j),
              c.at("grad_output", j));
    }
    sum.write(r, c.max_terms);
    return r;
  }
  const Tensor& g = node.grad_output();
  if (tensor == "weight.grad") {
    const std::size_t j = c.index / ins, i = c.index % ins;
    json r = record(c, "sum", "dense.weight_grad", "weight.grad", layer.params()[0].grad.data()[c.index], true);
    SumBuilder sum(batch);
    for (std::size_t n = 0; n < batch; ++n) {
      sum.add(cell(x, n, i), {c.n(), "input", long(n), i}, cell(g, n, j), {c.n(), "grad_output", long(n), j});
    }
    sum.write(r, c.max_terms);
    return r;
  }
  // bias.grad: sum over the batch of dL/dz_j
  json r = record(c, "sum", "dense.bias_grad", "bias.grad", layer.params()[1].grad.data()[c.index], true);
  SumBuilder sum(batch);
  for (std::size_t n = 0; n < batch; ++n) sum.add(cell(g, n, c.index), {c.n(), "grad_output", long(n), c.index}, 1.0, {});
  sum.write(r, c.max_terms);
  return r;
}

// ------------------------------------------------------------------ flatten

json explain_flatten(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const bool grad = tensor == "grad_input";
  json r = grad ? record(c, "copy", "flatten.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index))
                : record(c, "copy", "flatten.forward", "output", cell(node.output(), c.sample, c.index));
  r["source"] = ref_json(grad ? c.at("grad_output", c.index) : c.at("input", c.index));
  r["total"] = grad ? cell(node.grad_output(), c.sample, c.index) : cell(x, c.sample, c.index);
  if (x.dimension() == 4) {  // the map cell, as (channel, row, col)
    const Map3 m = map_of(x);
    const int k = int(c.index);
    r["map_cell"] = {k / (m.h * m.w), (k / m.w) % m.h, k % m.w};
  }
  return r;
}

// ------------------------------------------------------------------ pooling

json explain_pool(const Context& c, const MaxPool2d* max_pool, const AvgPool2d* avg_pool, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const PoolGeometry& g = max_pool ? max_pool->geometry() : avg_pool->geometry();
  const Tensor& x = node.input();
  const Map3 in = map_of(x), out = map_of(node.output());
  if (tensor == "output") {
    const int ch = int(c.index) / (out.h * out.w), row = (int(c.index) / out.w) % out.h, col = int(c.index) % out.w;
    json r = record(c, max_pool ? "max" : "sum", max_pool ? "maxpool.forward" : "avgpool.forward", "output",
                    cell(node.output(), c.sample, c.index));
    SumBuilder sum;
    json window = json::array();
    int winner = -1;
    const int winning = max_pool ? int(cell(max_pool->argmax(), c.sample, c.index)) : -1;
    const double divisor = avg_pool ? avg_pool->divisor(row, col) : 1.0;
    for (int i = 0; i < g.kernel.h; ++i) {
      for (int j = 0; j < g.kernel.w; ++j) {
        const int u = g.input_row(row, i), v = g.input_col(col, j);
        if (u < 0 || v < 0 || u >= g.in_h || v >= g.in_w) continue;
        const std::size_t k = in.at(ch, u, v);
        if (int(k) == winning) winner = int(window.size());
        window.push_back({{"ref", ref_json(c.at("input", k))}, {"value", cell(x, c.sample, k)}});
        sum.add(cell(x, c.sample, k), c.at("input", k), 1.0 / divisor, {});
      }
    }
    r["window"] = window;
    if (max_pool) {
      r["winner"] = winner;
      r["total"] = winner >= 0 ? window[std::size_t(winner)]["value"].get<double>() : 0.0;
    } else {
      r["divisor"] = divisor;
      sum.write(r, c.max_terms);
    }
    return r;
  }
  // grad_input (u, v): every window that contains the cell passes back its share.
  const int ch = int(c.index) / (in.h * in.w), u = (int(c.index) / in.w) % in.h, v = int(c.index) % in.w;
  json r = record(c, max_pool ? "route" : "share", max_pool ? "maxpool.grad_input" : "avgpool.grad_input", "grad_input",
                  cell(node.grad_input(), c.sample, c.index));
  SumBuilder sum;
  const Tensor& go = node.grad_output();
  for (int row = 0; row < out.h; ++row) {
    for (int i = 0; i < g.kernel.h; ++i) {
      if (g.input_row(row, i) != u) continue;
      for (int col = 0; col < out.w; ++col) {
        for (int j = 0; j < g.kernel.w; ++j) {
          if (g.input_col(col, j) != v) continue;
          const std::size_t o = out.at(ch, row, col);
          if (max_pool) {
            const std::size_t won = std::size_t(cell(max_pool->argmax(), c.sample, o));
            // a = the window's upstream gradient, b = 1 when this cell won it (b_ref: the winner)
            sum.add(cell(go, c.sample, o), c.at("grad_output", o), won == c.index ? 1.0 : 0.0, c.at("input", won));
          } else {
            sum.add(cell(go, c.sample, o), c.at("grad_output", o), 1.0 / avg_pool->divisor(row, col), {});
          }
        }
      }
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

// ------------------------------------------------------------------ conv2d

json explain_conv(const Context& c, const Conv2d& conv, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const ConvGeometry& g = conv.geometry();
  const kernels::PadMode mode = kernels::pad_mode_from(conv.padding_mode());
  const Tensor& x = node.input();
  const Tensor& w = conv.params()[0].value;
  const Map3 in = map_of(x), out = map_of(node.output());
  const int per_in = g.in_channels / conv.groups(), per_out = g.out_channels / conv.groups();
  const std::size_t kernel_size = std::size_t(g.kernel.h) * std::size_t(g.kernel.w);
  auto w_index = [&](int o, int cc, int i, int j) {
    return (std::size_t(o) * std::size_t(per_in) + std::size_t(cc)) * kernel_size + std::size_t(i * g.kernel.w + j);
  };
  if (tensor == "output") {
    const int o = int(c.index) / (out.h * out.w), row = (int(c.index) / out.w) % out.h, col = int(c.index) % out.w;
    json r = record(c, "sum", "conv.forward", "output", cell(node.output(), c.sample, c.index));
    SumBuilder sum(std::size_t(per_in) * kernel_size);
    const int first = (o / per_out) * per_in;
    for (int cc = 0; cc < per_in; ++cc) {
      for (int i = 0; i < g.kernel.h; ++i) {
        for (int j = 0; j < g.kernel.w; ++j) {
          const int su = kernels::pad_source(g.input_row(row, i), g.in_h, mode);
          const int sv = kernels::pad_source(g.input_col(col, j), g.in_w, mode);
          const std::size_t wk = w_index(o, cc, i, j);
          if (su < 0 || sv < 0) {
            sum.add(w.data()[wk], c.param("weight", wk), 0.0, {}, true);
          } else {
            const std::size_t k = in.at(first + cc, su, sv);
            sum.add(w.data()[wk], c.param("weight", wk), cell(x, c.sample, k), c.at("input", k));
          }
        }
      }
    }
    const double bias = conv.params()[1].value.data()[o];
    r["constant"] = {{"value", bias}, {"ref", ref_json(c.param("bias", std::size_t(o)))}};
    sum.write(r, c.max_terms, bias);
    return r;
  }
  const Tensor& go = node.grad_output();
  if (tensor == "grad_input") {
    const int ch = int(c.index) / (in.h * in.w), u = (int(c.index) / in.w) % in.h, v = int(c.index) % in.w;
    const int group = ch / per_in;
    json r = record(c, "sum", "conv.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
    SumBuilder sum;
    for (int o = group * per_out; o < (group + 1) * per_out; ++o) {
      for (int row = 0; row < out.h; ++row) {
        for (int i = 0; i < g.kernel.h; ++i) {
          if (kernels::pad_source(g.input_row(row, i), g.in_h, mode) != u) continue;
          for (int col = 0; col < out.w; ++col) {
            for (int j = 0; j < g.kernel.w; ++j) {
              if (kernels::pad_source(g.input_col(col, j), g.in_w, mode) != v) continue;
              const std::size_t wk = w_index(o, ch - group * per_in, i, j), k = out.at(o, row, col);
              sum.add(w.data()[wk], c.param("weight", wk), cell(go, c.sample, k), c.at("grad_output", k));
            }
          }
        }
      }
    }
    sum.write(r, c.max_terms);
    return r;
  }
  const std::size_t batch = x.shape()[0];
  if (tensor == "weight.grad") {
    const int o = int(c.index / (std::size_t(per_in) * kernel_size));
    const int cc = int(c.index / kernel_size) % per_in;
    const int i = int(c.index % kernel_size) / g.kernel.w, j = int(c.index % kernel_size) % g.kernel.w;
    const int ch = (o / per_out) * per_in + cc;
    json r = record(c, "sum", "conv.weight_grad", "weight.grad", conv.params()[0].grad.data()[c.index], true);
    SumBuilder sum(batch * std::size_t(out.h * out.w));
    for (std::size_t n = 0; n < batch; ++n) {
      for (int row = 0; row < out.h; ++row) {
        for (int col = 0; col < out.w; ++col) {
          const int su = kernels::pad_source(g.input_row(row, i), g.in_h, mode);
          const int sv = kernels::pad_source(g.input_col(col, j), g.in_w, mode);
          if (su < 0 || sv < 0) continue;  // zero padding contributes nothing
          const std::size_t k = in.at(ch, su, sv), ko = out.at(o, row, col);
          sum.add(cell(x, n, k), {c.n(), "input", long(n), k}, cell(go, n, ko), {c.n(), "grad_output", long(n), ko});
        }
      }
    }
    sum.write(r, c.max_terms);
    return r;
  }
  // bias.grad: every upstream gradient of the output channel, every sample
  const int o = int(c.index);
  json r = record(c, "sum", "conv.bias_grad", "bias.grad", conv.params()[1].grad.data()[c.index], true);
  SumBuilder sum(batch * std::size_t(out.h * out.w));
  for (std::size_t n = 0; n < batch; ++n) {
    for (int row = 0; row < out.h; ++row) {
      for (int col = 0; col < out.w; ++col) {
        const std::size_t ko = out.at(o, row, col);
        sum.add(cell(go, n, ko), {c.n(), "grad_output", long(n), ko}, 1.0, {});
      }
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

// ------------------------------------------------------------------ dispatch

std::size_t tensor_size(const Model& model, std::size_t node_index, const std::string& tensor, bool& is_param) {
  const NodeView node = model.node(node_index);
  for (const NamedTensor& t : node.tensors()) {
    if (t.name != tensor) continue;
    is_param = t.role != "input" && t.role != "output" && t.role != "grad" && t.role != "routing" && t.role != "mask" &&
               t.role != "batch";
    return is_param ? t.tensor->size() : sample_size(*t.tensor);
  }
  fail_tensor(node, tensor);
}

json explain_node(const Context& c, const std::string& tensor);

// dL/d(output of node k) is what the nodes reading it sent back: the loss for the last node, the
// one reader's grad_input record, or each reader's share when several read it.
json explain_grad_output(const Context& c) {
  const Model& model = c.model;
  if (c.node + 1 == model.node_count()) return explain_loss(c);
  std::vector<std::pair<std::size_t, std::size_t>> readers;  // (node, input slot)
  for (std::size_t k = c.node + 1; k < model.node_count(); ++k) {
    const std::vector<int>& ins = model.node_inputs(k);
    for (std::size_t s = 0; s < ins.size(); ++s) {
      if (ins[s] == int(c.node)) readers.push_back({k, s});
    }
  }
  if (readers.size() == 1 && readers[0].second == 0) {
    json r = explain_node({model, readers[0].first, c.sample, c.index, c.max_terms}, "grad_input");
    r["same_as"] = r["cell"];
    r["cell"] = ref_json(c.at("grad_output", c.index));
    return r;
  }
  json r = record(c, "readers", "edge.readers", "grad_output", cell(model.node(c.node).grad_output(), c.sample, c.index));
  json list = json::array();
  for (const auto& [k, slot] : readers) {
    list.push_back({{"node", k}, {"node_id", model.node(k).id()}, {"slot", slot}});
  }
  r["readers"] = list;
  return r;
}

json explain_node(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  if (tensor == "grad_output") return explain_grad_output(c);
  if (tensor == "input") {
    const int edge = c.model.node_inputs(c.node).at(0);
    if (edge < 0) {
      json r = record(c, "value", "input.value", "input", cell(node.input(), c.sample, c.index));
      return r;
    }
    json r = explain_node({c.model, std::size_t(edge), c.sample, c.index, c.max_terms}, "output");
    r["same_as"] = r["cell"];
    r["cell"] = ref_json(c.at("input", c.index));
    return r;
  }
  const Layer& layer = node.layer();
  const bool output = tensor == "output", grad_input = tensor == "grad_input";
  if (const auto* e = dynamic_cast<const ElementwiseLayer*>(&layer); e && (output || grad_input)) {
    return explain_elementwise(c, *e, tensor);
  }
  if (const auto* p = dynamic_cast<const PRelu*>(&layer); p && (output || grad_input || tensor == "weight.grad")) {
    return explain_prelu(c, *p, tensor);
  }
  if ((dynamic_cast<const Softmax*>(&layer) || dynamic_cast<const LogSoftmax*>(&layer)) && (output || grad_input)) {
    return explain_softmax(c, dynamic_cast<const LogSoftmax*>(&layer) != nullptr, tensor);
  }
  if (const auto* d = dynamic_cast<const Dense*>(&layer);
      d && (output || grad_input || tensor == "weight.grad" || tensor == "bias.grad")) {
    return explain_dense(c, *d, tensor);
  }
  if (dynamic_cast<const Flatten*>(&layer) && (output || grad_input)) return explain_flatten(c, tensor);
  const auto* max_pool = dynamic_cast<const MaxPool2d*>(&layer);
  const auto* avg_pool = dynamic_cast<const AvgPool2d*>(&layer);
  if ((max_pool || avg_pool) && (output || grad_input)) return explain_pool(c, max_pool, avg_pool, tensor);
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer);
      conv && (output || grad_input || tensor == "weight.grad" || tensor == "bias.grad")) {
    return explain_conv(c, *conv, tensor);
  }
  // A parameter's value, or a kind this file does not write out yet: the number alone.
  for (const NamedTensor& t : node.tensors()) {
    if (t.name != tensor) continue;
    const bool per_sample = t.role == "input" || t.role == "output" || t.role == "grad" || t.role == "routing" ||
                            t.role == "mask" || t.role == "batch";
    return record(c, "value", "value", tensor.c_str(),
                  per_sample ? cell(*t.tensor, c.sample, c.index) : t.tensor->data()[c.index], !per_sample);
  }
  fail_tensor(node, tensor);
}

}  // namespace

json explain_cell(const Model& model, std::size_t node_index, const std::string& tensor, std::size_t sample,
                  std::size_t index, std::size_t max_terms) {
  model.ensure_fresh();
  const NodeView node = model.node(node_index);  // throws for a bad index
  if (tensor == "grad_output" || tensor == "grad_input" || tensor.find(".grad") != std::string::npos) {
    if (!model.has_loss()) {
      throw SceneError("no_loss", node.spec().place(), json::object(), "the scene has no loss, so no gradients to explain");
    }
  }
  bool is_param = false;
  const std::size_t size = tensor_size(model, node_index, tensor, is_param);
  const std::size_t samples = model.input().shape()[0];
  if (index >= size || (!is_param && sample >= samples)) {
    throw SceneError("cell_out_of_range", node.spec().place(), {{"tensor", tensor}, {"index", index}, {"sample", sample}},
                     "cell " + std::to_string(index) + " of sample " + std::to_string(sample) + " is outside " +
                         tensor + " of node " + node.id());
  }
  return explain_node({model, node_index, is_param ? 0 : sample, index, std::max<std::size_t>(max_terms, 1)}, tensor);
}

}  // namespace cnnlens
