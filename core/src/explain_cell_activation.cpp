// Explanations of the activations: element-wise kinds (f and f' through ElementwiseLayer, with the
// piece of a piecewise f and f' in factors), PReLU with its learnable slopes, softmax and
// log_softmax over each sample's features, and dropout (a fixed mask and scale, or the identity).
#include <algorithm>
#include <cmath>

#include "cnnlens/layers/dropout.hpp"
#include "cnnlens/layers/elementwise.hpp"
#include "cnnlens/layers/log_softmax.hpp"
#include "cnnlens/layers/prelu.hpp"
#include "cnnlens/layers/softmax.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {
namespace {

constexpr double kPi = 3.14159265358979323846;

// What an element-wise record says beyond f and f': the kind's settings, which piece of a
// piecewise f the input falls on, and f'(x) as its factors (multiplied) or terms (added).
void describe_piece(const NodeView& node, double x, double y, json& r, bool grad) {
  const std::string type = node.type();
  json factors = json::array(), terms = json::array();
  if (type == "sigmoid") {
    factors = {{{"label", "y"}, {"value", y}}, {{"label", "1-y"}, {"value", 1.0 - y}}};
  } else if (type == "tanh") {
    factors = {{{"label", "1-y^2"}, {"value", 1.0 - y * y}}};
  } else if (type == "relu") {
    r["branch"] = x > 0 ? "positive" : "negative";
  } else if (type == "relu6") {
    r["branch"] = x <= 0 ? "negative" : (x < 6 ? "linear" : "saturated");
  } else if (type == "leaky_relu") {
    const double a = node.spec().number("negative_slope");
    r["branch"] = x > 0 ? "positive" : "negative";
    r["parameters"] = {{"negative_slope", a}};
    if (x <= 0) factors = {{{"label", "negative_slope"}, {"value", a}}};
  } else if (type == "elu") {
    // x <= 0: y = alpha (e^x - 1), f'(x) = alpha e^x
    const double alpha = node.spec().number("alpha");
    r["branch"] = x > 0 ? "positive" : "negative";
    r["parameters"] = {{"alpha", alpha}};
    if (x <= 0) factors = {{{"label", "alpha"}, {"value", alpha}}, {{"label", "e^x"}, {"value", std::exp(x)}}};
  } else if (type == "gelu") {
    const bool tanh_form = node.spec().choice("approximate") == "tanh";
    r["parameters"] = {{"approximate", tanh_form ? "tanh" : "none"}};
    if (tanh_form) {
      // y = x/2 (1 + t), t = tanh(sqrt(2/pi) (x + 0.044715 x^3));
      // f'(x) = (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
      const double k = std::sqrt(2.0 / kPi), t = std::tanh(k * (x + 0.044715 * x * x * x));
      r["t"] = t;
      terms = {{{"label", "(1+t)/2"}, {"value", 0.5 * (1.0 + t)}},
               {{"label", "x/2 (1-t^2) sqrt(2/pi) (1+3*0.044715x^2)"},
                {"value", 0.5 * x * (1.0 - t * t) * k * (1.0 + 3.0 * 0.044715 * x * x)}}};
    } else {
      // y = x Phi(x); f'(x) = Phi(x) + x phi(x), Phi the normal CDF and phi its density
      const double cdf = 0.5 * (1.0 + std::erf(x / std::sqrt(2.0)));
      r["cdf"] = cdf;
      terms = {{{"label", "Phi(x)"}, {"value", cdf}},
               {{"label", "x*phi(x)"}, {"value", x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi)}}};
    }
  }
  if (grad) {
    r["slope_factors"] = factors;
    if (!terms.empty()) r["slope_terms"] = terms;
  }
}

json explain_elementwise(const Context& c, const ElementwiseLayer& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const double x = cell(node.input(), c.sample, c.index);
  const double y = cell(node.output(), c.sample, c.index);
  if (tensor == "output") {
    json r = record(c, "apply", "activation.forward", "output", y);
    r["x"] = x;
    r["x_ref"] = ref_json(c.at("input", c.index));
    describe_piece(node, x, y, r, false);
    r["total"] = layer.value_at(float(x));
    return r;
  }
  // dL/dx = dL/dy * f'(x)
  const double g = cell(node.grad_output(), c.sample, c.index);
  const double slope = layer.slope_at(float(x), float(y));
  json r = record(c, "chain", "activation.grad", "grad_input", cell(node.grad_input(), c.sample, c.index));
  r["x"] = x;
  r["y"] = y;
  r["x_ref"] = ref_json(c.at("input", c.index));
  r["grad_output"] = g;
  r["grad_output_ref"] = ref_json(c.at("grad_output", c.index));
  r["slope"] = slope;
  describe_piece(node, x, y, r, true);
  r["total"] = g * slope;
  return r;
}

json explain_dropout(const Context& c, const Dropout& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const bool train = c.model.scene().mode == Mode::kTrain;
  const bool output = tensor == "output";
  const Tensor& from = output ? node.input() : node.grad_output();
  const double v = cell(from, c.sample, c.index);
  const Ref from_ref = c.at(output ? "input" : "grad_output", c.index);
  if (!train) {
    // Eval mode: y = x, so dL/dx = dL/dy; nothing is dropped or scaled.
    json r = output ? record(c, "copy", "dropout.identity", "output", cell(node.output(), c.sample, c.index))
                    : record(c, "copy", "dropout.identity_grad", "grad_input", cell(node.grad_input(), c.sample, c.index));
    r["source"] = ref_json(from_ref);
    r["p"] = layer.p();
    r["total"] = v;
    return r;
  }
  // Train mode: y = x * mask / (1 - p), the mask fixed for the pass, so y is linear in x and
  // dL/dx = dL/dy * mask / (1 - p): a dropped cell passes nothing back.
  const double mask = cell(layer.mask(), c.sample, c.index);
  const double scale = static_cast<float>(1.0 / (1.0 - layer.p()));  // as the layer applies it, in float
  json r = output ? record(c, "mask", "dropout.forward", "output", cell(node.output(), c.sample, c.index))
                  : record(c, "mask", "dropout.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
  r[output ? "x" : "grad_output"] = v;
  r[output ? "x_ref" : "grad_output_ref"] = ref_json(from_ref);
  r["mask"] = mask;
  r["mask_ref"] = ref_json(c.at("mask", c.index));
  r["p"] = layer.p();
  r["scale"] = scale;
  r["total"] = v * mask * scale;
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

}  // namespace

std::optional<json> explain_activation(const Context& c, const std::string& tensor) {
  const Layer& layer = c.model.node(c.node).layer();
  const bool output = tensor == "output", grad_input = tensor == "grad_input";
  if (const auto* e = dynamic_cast<const ElementwiseLayer*>(&layer); e && (output || grad_input)) {
    return explain_elementwise(c, *e, tensor);
  }
  if (const auto* p = dynamic_cast<const PRelu*>(&layer); p && (output || grad_input || tensor == "weight.grad")) {
    return explain_prelu(c, *p, tensor);
  }
  if (const auto* d = dynamic_cast<const Dropout*>(&layer); d && (output || grad_input)) {
    return explain_dropout(c, *d, tensor);
  }
  if ((dynamic_cast<const Softmax*>(&layer) || dynamic_cast<const LogSoftmax*>(&layer)) && (output || grad_input)) {
    return explain_softmax(c, dynamic_cast<const LogSoftmax*>(&layer) != nullptr, tensor);
  }
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
