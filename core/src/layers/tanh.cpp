// tanh: the kind's declaration and its element-wise rule; the derivative is in tanh.hpp.
#include "cnnlens/layers/tanh.hpp"

#include <cmath>

#include "cnnlens/layers/elementwise.hpp"

namespace cnnlens {
namespace {

struct TanhRule {
  float value(float x) const { return std::tanh(x); }
  float slope(float, float y) const { return 1.0f - y * y; }
};

}  // namespace

const LayerKind& tanh_kind() {
  static const LayerKind kind = [] {
    LayerKind k = elementwise_kind("tanh", "Tanh", "nn.Tanh", "Tanh");
    k.help_key = "kind.tanh";
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Elementwise<TanhRule>>(TanhRule{});
    };
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
