// leaky_relu: the kind's declaration and its element-wise rule; the derivative is in leaky_relu.hpp.
#include "cnnlens/layers/leaky_relu.hpp"

#include <cmath>

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

struct LeakyReluRule {
  float a;
  float value(float x) const { return x > 0.0f ? x : a * x; }
  float slope(float x, float) const { return x > 0.0f ? 1.0f : a; }
};

}  // namespace

const LayerKind& leaky_relu_kind() {
  static const LayerKind kind = [] {
    LayerKind k = elementwise_kind("leaky_relu", "Leaky ReLU", "nn.LeakyReLU", "LeakyRelu");
    k.kinks = {0.0f};
    k.help_key = "kind.leaky_relu";
    k.fields = {{"negative_slope", FieldType::kNumber, 0.01, -1e6, 1e6, {}, "", true}};
    k.create = [](const NodeSpec& node, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Elementwise<LeakyReluRule>>(LeakyReluRule{static_cast<float>(node.number("negative_slope"))});
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
