// Central differences in float32 with a relative step; the error floor keeps tiny gradients
// from reporting huge relative errors.
#include "cnnlens/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <vector>
#include <nlohmann/json.hpp>

#include "cnnlens/layers/global_maxpool2d.hpp"
#include "cnnlens/layers/maxpool2d.hpp"

namespace cnnlens {
namespace {

constexpr float kRelativeStep = 1e-2f;  // the finite-difference step, relative to max(1, |value|)
constexpr double kLargeError = 1e-2;    // relative error the page marks as a warning
constexpr std::size_t kMaxCauses = 8;   // causes listed per row (the rest counted)

// A place where the loss has a kink, so central differences across it are wrong: a max-pool window
// (or a globally max-pooled channel) whose top two inputs are within the step of each other, or an input within the step of a
// ReLU-like kink, in both cases with a non-zero upstream gradient.
struct Cause {
  std::size_t node;
  nlohmann::json data;
};

nlohmann::json cell_ref(std::size_t node, const char* tensor, std::size_t sample, std::size_t index) {
  return {{"node", node}, {"tensor", tensor}, {"sample", sample}, {"index", index}};
}

float tolerance(float value) { return 2.0f * kRelativeStep * std::max(1.0f, std::fabs(value)); }

std::vector<Cause> find_kinks(const Model& model) {
  std::vector<Cause> causes;
  for (std::size_t k = 0; k < model.node_count(); ++k) {
    const NodeView node = model.node(k);
    const Tensor& x = node.input();
    const Tensor& g = node.grad_output();
    const std::size_t samples = x.shape()[0];
    if (const auto* pool = dynamic_cast<const MaxPool2d*>(&node.layer())) {
      const PoolGeometry& geo = pool->geometry();
      const std::size_t in_per = x.size() / samples, out_per = g.size() / samples;
      for (std::size_t n = 0; n < samples; ++n) {
        for (std::size_t o = 0; o < out_per; ++o) {
          if (g.data()[n * out_per + o] == 0.0f) continue;
          const int ch = int(o) / (geo.out_h * geo.out_w), r = (int(o) / geo.out_w) % geo.out_h, s = int(o) % geo.out_w;
          std::vector<std::size_t> cells;
          float top = -INFINITY;
          for (int i = 0; i < geo.kernel.h; ++i) {
            for (int j = 0; j < geo.kernel.w; ++j) {
              const int u = geo.input_row(r, i), v = geo.input_col(s, j);
              if (u < 0 || v < 0 || u >= geo.in_h || v >= geo.in_w) continue;
              const std::size_t c = (std::size_t(ch) * std::size_t(geo.in_h) + std::size_t(u)) * std::size_t(geo.in_w) + std::size_t(v);
              cells.push_back(c);
              top = std::max(top, x.data()[n * in_per + c]);
            }
          }
          nlohmann::json near = nlohmann::json::array();
          for (std::size_t c : cells) {
            if (top - x.data()[n * in_per + c] <= tolerance(top)) near.push_back(cell_ref(k, "input", n, c));
          }
          if (near.size() < 2) continue;
          causes.push_back({k, {{"kind", "maxpool_tie"}, {"node", k}, {"node_id", node.id()}, {"type", node.type()},
                                {"output", cell_ref(k, "output", n, o)}, {"cells", near}, {"value", top},
                                {"input_height", geo.in_h}, {"input_width", geo.in_w}}});
        }
      }
    }
    if (dynamic_cast<const GlobalMaxPool2d*>(&node.layer()) != nullptr) {
      // The whole channel is the window: a tie among its top values.
      const std::size_t channels = x.shape()[1], h = x.shape()[2], w = x.shape()[3], cells = h * w;
      for (std::size_t n = 0; n < samples; ++n) {
        for (std::size_t ch = 0; ch < channels; ++ch) {
          if (g.data()[n * channels + ch] == 0.0f) continue;
          const float* xs = x.data() + (n * channels + ch) * cells;
          const float top = *std::max_element(xs, xs + cells);
          nlohmann::json near = nlohmann::json::array();
          for (std::size_t i = 0; i < cells; ++i) {
            if (top - xs[i] <= tolerance(top)) near.push_back(cell_ref(k, "input", n, ch * cells + i));
          }
          if (near.size() < 2) continue;
          causes.push_back({k, {{"kind", "maxpool_tie"}, {"node", k}, {"node_id", node.id()}, {"type", node.type()},
                                {"output", cell_ref(k, "output", n, ch)}, {"cells", near}, {"value", top},
                                {"input_height", h}, {"input_width", w}}});
        }
      }
    }
    const std::vector<float>& kinks = node.spec().kind->kinks;
    if (kinks.empty()) continue;
    for (std::size_t c = 0; c < x.size(); ++c) {
      if (g.data()[c] == 0.0f) continue;
      for (float kink : kinks) {
        if (std::fabs(x.data()[c] - kink) > tolerance(kink)) continue;
        const std::size_t per = x.size() / samples;
        causes.push_back({k, {{"kind", "kink"}, {"node", k}, {"node_id", node.id()}, {"type", node.type()},
                              {"cell", cell_ref(k, "input", c / per, c % per)}, {"input", x.data()[c]}, {"kink", kink}}});
      }
    }
  }
  return causes;
}

// Causes downstream of (or at) node `from`: those a perturbation there passes through.
void add_causes(nlohmann::json& row, const std::vector<Cause>& causes, std::size_t from) {
  if (row.at("max_rel_error").get<double>() < kLargeError) return;
  nlohmann::json list = nlohmann::json::array();
  std::size_t total = 0;
  for (const Cause& c : causes) {
    if (c.node < from) continue;
    if (list.size() < kMaxCauses) list.push_back(c.data);
    ++total;
  }
  row["causes"] = list;
  row["causes_total"] = total;
}

struct Errors {
  std::size_t checked = 0;
  double max_abs = 0.0;
  double max_rel = 0.0;
};

// Perturbs selected elements of `values` and compares with `analytic` (a copy taken beforehand).
Errors check_tensor(Model& model, Tensor& values, const std::vector<float>& analytic, std::size_t max_elements) {
  Errors errors;
  const std::size_t n = values.size();
  const std::size_t count = std::min(n, max_elements);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t index = count == n ? k : k * n / count;
    float& value = values.data()[index];
    const float original = value;
    const float step = kRelativeStep * std::max(1.0f, std::fabs(original));
    value = original + step;
    const double loss_plus = model.evaluate_loss();
    value = original - step;
    const double loss_minus = model.evaluate_loss();
    value = original;
    const double numeric = (loss_plus - loss_minus) / (2.0 * step);
    const double abs_error = std::fabs(numeric - analytic[index]);
    const double scale = std::max({std::fabs(numeric), std::fabs(double(analytic[index])), 1e-3});
    errors.max_abs = std::max(errors.max_abs, abs_error);
    errors.max_rel = std::max(errors.max_rel, abs_error / scale);
    ++errors.checked;
  }
  return errors;
}

nlohmann::json row(int layer, const std::string& node, const std::string& type, const std::string& tensor, const Errors& e) {
  return {{"layer", layer}, {"node", node}, {"type", type}, {"tensor", tensor}, {"checked", e.checked},
          {"max_abs_error", e.max_abs}, {"max_rel_error", e.max_rel}};
}

}  // namespace

nlohmann::json gradient_check(Model& model, std::size_t max_elements_per_tensor) {
  model.refresh();
  nlohmann::json results = nlohmann::json::array();
  if (!model.has_loss()) return {{"results", results}};
  const std::vector<Cause> causes = find_kinks(model);
  for (std::size_t index = 0; index < model.layer_count(); ++index) {
    const NodeSpec& spec = model.scene().nodes[index];
    for (Param& p : model.mutable_layer(index).params()) {
      const std::vector<float> analytic = to_vector(p.grad);
      results.push_back(row(int(index), spec.id, spec.type, p.name, check_tensor(model, p.value, analytic, max_elements_per_tensor)));
      add_causes(results.back(), causes, index);
    }
  }
  const std::vector<float> input_grad = to_vector(model.grad_input());
  results.push_back(row(-1, "input", "input", "input", check_tensor(model, model.mutable_input(), input_grad, max_elements_per_tensor)));
  add_causes(results.back(), causes, 0);
  model.refresh();
  return {{"results", results}};
}

}  // namespace cnnlens
