// relu6: the kind's declaration and its element-wise rule; the derivative is in relu6.hpp.
#include "cnnlens/layers/relu6.hpp"

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

struct Relu6Rule {
  float value(float x) const { return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f; }
  float slope(float x, float) const { return x > 0.0f && x < 6.0f ? 1.0f : 0.0f; }
};

}  // namespace

const LayerKind& relu6_kind() {
  static const LayerKind kind = [] {
    LayerKind k = elementwise_kind("relu6", "ReLU6", "nn.ReLU6", "Clip");
    k.kinks = {0.0f, 6.0f};
    k.help_key = "kind.relu6";
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Elementwise<Relu6Rule>>(Relu6Rule{});
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
