// Central differences in float32 with a relative step; the error floor keeps tiny gradients
// from reporting huge relative errors.
#include "cnnlens/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace cnnlens {
namespace {

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
    const float step = 1e-2f * std::max(1.0f, std::fabs(original));
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
  for (std::size_t index = 0; index < model.layer_count(); ++index) {
    const NodeSpec& spec = model.scene().nodes[index];
    for (Param& p : model.mutable_layer(index).params()) {
      const std::vector<float> analytic = to_vector(p.grad);
      results.push_back(row(int(index), spec.id, spec.type, p.name, check_tensor(model, p.value, analytic, max_elements_per_tensor)));
    }
  }
  const std::vector<float> input_grad = to_vector(model.grad_input());
  results.push_back(row(-1, "input", "input", "input", check_tensor(model, model.mutable_input(), input_grad, max_elements_per_tensor)));
  model.refresh();
  return {{"results", results}};
}

}  // namespace cnnlens
