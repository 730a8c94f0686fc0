// relu: the kind's declaration and its element-wise rule; the derivative is in relu.hpp.
#include "cnnlens/layers/relu.hpp"

#include <cmath>

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

// The slope from y: y > 0 exactly when x > 0 (NaN included: y is 0), and a fused pass leaves
// only y (RunContext::then_relu).
struct ReluRule {
  float value(float x) const { return x > 0.0f ? x : 0.0f; }
  float slope(float, float y) const { return y > 0.0f ? 1.0f : 0.0f; }
};

class Relu final : public Elementwise<ReluRule> {
 public:
  Relu() : Elementwise<ReluRule>(ReluRule{}) {}
  bool is_relu() const override { return true; }
};

}  // namespace

const LayerKind& relu_kind() {
  static const LayerKind kind = []() CNNLENS_COLD {
    LayerKind k = elementwise_kind("relu", "ReLU", "nn.ReLU", "Relu");
    k.kinks = {0.0f};
    k.help_key = "kind.relu";
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Relu>();
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
