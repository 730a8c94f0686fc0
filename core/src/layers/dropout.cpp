// dropout: the kind's declaration and the runtime layer; the rule is in dropout.hpp.
#include "cnnlens/layers/dropout.hpp"

#include <algorithm>
#include <utility>

#include "cnnlens/random.hpp"

namespace cnnlens {
namespace {

// splitmix64's finaliser (Steele, Lea, Flood 2014): a bijective mix of 64 bits.
std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::uint32_t dropout_mask_seed(std::uint32_t seed, std::uint64_t step, std::uint64_t node_index) {
  const std::uint64_t h = splitmix64(splitmix64(splitmix64(seed) ^ step) ^ node_index);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

const LayerKind& dropout_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "dropout";
    k.title = "Dropout";
    k.pytorch = "nn.Dropout";
    k.onnx = "Dropout";
    k.help_key = "kind.dropout";
    k.fields = {{"p", FieldType::kNumber, 0.5, 0.0, 1.0, {}, "", false}};
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) {
      const double p = node.number("p");
      if (p >= 1.0) {
        node.fail("out_of_range", "p", {{"value", p}, {"min", 0}, {"max", 1}, {"max_open", true}},
                  "p must be at least 0 and less than 1 (p = 1 would drop every value), got " + nlohmann::json(p).dump());
      }
      return inputs[0];
    };
    k.buffers = [](const NodeSpec&, const InputShapes& inputs) -> std::vector<TensorDecl> {
      return {{"mask", inputs[0], Init::kOnes, 0.0f, BufferRole::kMask, false}};
    };
    k.create = [](const NodeSpec& node, const InputShapes&, const Shape&, std::vector<Param>,
                  std::vector<Buffer> buffers) -> std::unique_ptr<Layer> {
      return std::make_unique<Dropout>(node.number("p"), std::move(buffers));
    };
    k.mixes_samples_in_training = true;  // one mask for the whole batch, drawn from its step
    return k;
  }();
  return kind;
}

Dropout::Dropout(double p, std::vector<Buffer> buffers) : p_(p) { buffers_ = std::move(buffers); }

void Dropout::forward(const Inputs& inputs, Tensor& output, const RunContext& context) {
  const Tensor& x = *inputs[0];
  reshape_to(output, x.shape());
  Tensor& mask = buffers_[0].value;
  reshape_to(mask, x.shape());
  if (!context.training) {
    scale_ = 1.0f;
    mask.fill(1.0f);
    std::copy(x.begin(), x.end(), output.begin());
    return;
  }
  scale_ = static_cast<float>(1.0 / (1.0 - p_));
  Random random(dropout_mask_seed(context.seed, context.step, context.node_index));
  const float* in = x.data();
  float* out = output.data();
  float* keep = mask.data();
  for (std::size_t k = 0, n = x.size(); k < n; ++k) {
    keep[k] = double(random.uniform01()) >= p_ ? 1.0f : 0.0f;
    out[k] = in[k] * keep[k] * scale_;
  }
}

void Dropout::backward(const Inputs&, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                       const RunContext&) {
  if (grad_inputs[0] == nullptr) return;
  const float* g = grad_output.data();
  const float* keep = buffers_[0].value.data();
  float* gx = grad_inputs[0]->data();
  for (std::size_t k = 0, n = grad_output.size(); k < n; ++k) gx[k] += g[k] * keep[k] * scale_;
}

}  // namespace cnnlens
