// gelu: the kind's declaration and its element-wise rule; the derivatives are in gelu.hpp.
#include "cnnlens/layers/gelu.hpp"

#include <cmath>

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

constexpr float kSqrtHalf = 0.70710678118654752f;      // 1 / sqrt 2
constexpr float kInvSqrt2Pi = 0.39894228040143268f;    // 1 / sqrt(2 pi)
constexpr float kSqrt2OverPi = 0.79788456080286536f;   // sqrt(2 / pi)
constexpr float kCubic = 0.044715f;

struct GeluRule {
  bool tanh_form;
  float value(float x) const {
    if (tanh_form) return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x)));
    return 0.5f * x * (1.0f + std::erf(x * kSqrtHalf));
  }
  float slope(float x, float) const {
    if (tanh_form) {
      const float t = std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x));
      return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kCubic * x * x);
    }
    return 0.5f * (1.0f + std::erf(x * kSqrtHalf)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
  }
};

}  // namespace

const LayerKind& gelu_kind() {
  static const LayerKind kind = [] {
    LayerKind k = elementwise_kind("gelu", "GELU", "nn.GELU", "Gelu");
    k.help_key = "kind.gelu";
    k.fields = {{"approximate", FieldType::kChoice, "none", 0, 0, {"none", "tanh"}, "", false}};
    k.create = [](const NodeSpec& node, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Elementwise<GeluRule>>(GeluRule{node.choice("approximate") == "tanh"});
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
