// Grid evaluation of the loss over two parameters. Only forward passes run; the two values are
// put back and the model refreshed, so the caller's state is unchanged.
#include "cnnlens/landscape.hpp"

#include <cmath>

#include "cnnlens/error.hpp"

namespace cnnlens {
namespace {

float& element(Model& model, const ParamRef& ref) {
  Param* p = model.mutable_layer(ref.layer).find_param(ref.name);
  if (p == nullptr) {
    throw SceneError("layer " + std::to_string(ref.layer) + " (" + model.scene().nodes[ref.layer].type +
                     ") has no parameter \"" + ref.name + "\"");
  }
  if (ref.index >= p->value.size()) {
    throw SceneError(ref.name + " element " + std::to_string(ref.index) + " is out of range (it has " +
                     std::to_string(p->value.size()) + ")");
  }
  return p->value.data()[ref.index];
}

std::vector<float> axis(float centre, float half_width, int resolution) {
  std::vector<float> values(static_cast<std::size_t>(resolution));
  for (int k = 0; k < resolution; ++k) {
    values[std::size_t(k)] = centre - half_width + 2.0f * half_width * float(k) / float(resolution - 1);
  }
  return values;
}

}  // namespace

Landscape loss_landscape(Model& model, const ParamRef& a, const ParamRef& b, float half_width, int resolution) {
  if (resolution < 2 || resolution > 201) throw SceneError("landscape resolution must be between 2 and 201");
  if (!std::isfinite(half_width) || half_width <= 0.0f || half_width > 1000.0f) {
    throw SceneError("landscape half width must be a number in (0, 1000]");
  }
  float& value_a = element(model, a);
  float& value_b = element(model, b);
  if (&value_a == &value_b) throw SceneError("choose two different parameters for the landscape");
  const float original_a = value_a, original_b = value_b;

  Landscape result;
  result.a_values = axis(original_a, half_width, resolution);
  result.b_values = axis(original_b, half_width, resolution);
  result.loss.reserve(std::size_t(resolution) * std::size_t(resolution));
  float best = INFINITY;
  for (int r = 0; r < resolution; ++r) {
    value_b = result.b_values[std::size_t(r)];
    for (int c = 0; c < resolution; ++c) {
      value_a = result.a_values[std::size_t(c)];
      const float loss = model.evaluate_loss();
      if (loss < best) {
        best = loss;
        result.min_row = std::size_t(r);
        result.min_col = std::size_t(c);
      }
      result.loss.push_back(loss);
    }
  }
  value_a = original_a;
  value_b = original_b;
  model.refresh();
  return result;
}

}  // namespace cnnlens
