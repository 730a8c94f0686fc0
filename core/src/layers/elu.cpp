// elu: the kind's declaration and its element-wise rule; the derivative is in elu.hpp.
#include "cnnlens/layers/elu.hpp"

#include <cmath>

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

struct EluRule {
  float alpha;
  float value(float x) const { return x > 0.0f ? x : alpha * std::expm1(x); }
  float slope(float x, float) const { return x > 0.0f ? 1.0f : alpha * std::exp(x); }
};

}  // namespace

const LayerKind& elu_kind() {
  static const LayerKind kind = [] {
    LayerKind k = elementwise_kind("elu", "ELU", "nn.ELU", "Elu");
    k.help_key = "kind.elu";
    k.fields = {{"alpha", FieldType::kNumber, 1.0, -1e6, 1e6, {}, "", false}};
    k.create = [](const NodeSpec& node, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Elementwise<EluRule>>(EluRule{static_cast<float>(node.number("alpha"))});
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
