// sigmoid: the kind's declaration and its element-wise rule; the derivative is in sigmoid.hpp.
#include "cnnlens/layers/sigmoid.hpp"

#include <cmath>

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

struct SigmoidRule {
  float value(float x) const { return 1.0f / (1.0f + std::exp(-x)); }
  float slope(float, float y) const { return y * (1.0f - y); }
};

}  // namespace

const LayerKind& sigmoid_kind() {
  static const LayerKind kind = [] {
    LayerKind k = elementwise_kind("sigmoid", "Sigmoid", "nn.Sigmoid", "Sigmoid");
    k.help_key = "kind.sigmoid";
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Elementwise<SigmoidRule>>(SigmoidRule{});
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
