// prelu: the kind's declaration and the runtime layer; the derivation is in prelu.hpp.
#include "cnnlens/layers/prelu.hpp"

#include <utility>

#include "cnnlens/limits.hpp"

namespace cnnlens {
namespace {

Shape output_shape(const NodeSpec& node, const InputShapes& inputs) {
  const Shape& in = inputs[0];
  if (in.size() != 2) require_map(node, in);
  const int slopes = node.integer("num_parameters"), channels = int(in[1]);
  if (slopes != 1 && slopes != channels) {
    node.fail("parameters_mismatch", "num_parameters", {{"num_parameters", slopes}, {"channels", channels}},
              "num_parameters " + std::to_string(slopes) + " must be 1 or the input's " + std::to_string(channels) +
                  " channels");
  }
  return in;
}

std::vector<TensorDecl> params(const NodeSpec& node, const InputShapes&) {
  TensorDecl weight{"weight", {std::size_t(node.integer("num_parameters"))}, Init::kConstant};
  weight.constant = 0.25f;
  return {weight};
}

std::unique_ptr<Layer> create(const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param> params,
                              std::vector<Buffer>) {
  auto layer = std::make_unique<PRelu>(std::move(params[0].value));
  layer->params()[0].source_name = params[0].source_name;
  return layer;
}

// For cell k of an input shaped `shape`: its slope's index. Cells of one channel are `inner`
// apart in blocks (inner = H*W for maps, 1 for vectors).
struct Channels {
  std::size_t inner, channels, slopes;
  std::size_t of(std::size_t k) const { return slopes == 1 ? 0 : (k / inner) % channels; }
};

Channels channels_of(const Tensor& x, std::size_t slopes) {
  std::size_t inner = 1;
  for (std::size_t d = 2; d < x.dimension(); ++d) inner *= x.shape()[d];
  return {inner, x.shape()[1], slopes};
}

}  // namespace

const LayerKind& prelu_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "prelu";
    k.title = "PReLU";
    k.pytorch = "nn.PReLU";
    k.onnx = "PRelu";
    k.help_key = "kind.prelu";
    k.elementwise = true;
    k.kinks = {0.0f};
    k.fields = {{"num_parameters", FieldType::kInt, 1, 1, double(limits::kMaxChannels), {}, "", false}};
    k.tensor_names = {"weight"};
    k.output_shape = output_shape;
    k.params = params;
    k.create = create;
    return k;
  }();
  return kind;
}

PRelu::PRelu(Tensor weight) {
  Tensor grad = zeros(shape_of(weight));
  params_.push_back({"weight", std::move(weight), std::move(grad), {}, {}, {}, {}});
}

void PRelu::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  reshape_to(output, x.shape());
  const Channels ch = channels_of(x, params_[0].value.size());
  const float* a = params_[0].value.data();
  const float* in = x.data();
  float* out = output.data();
  for (std::size_t k = 0, n = x.size(); k < n; ++k) out[k] = in[k] > 0.0f ? in[k] : a[ch.of(k)] * in[k];
}

void PRelu::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                     const RunContext&) {
  const Tensor& x = *inputs[0];
  const Channels ch = channels_of(x, params_[0].value.size());
  const float* a = params_[0].value.data();
  float* ga = params_[0].grad.data();
  const float* in = x.data();
  const float* g = grad_output.data();
  float* gx = grad_inputs[0] != nullptr ? grad_inputs[0]->data() : nullptr;
  for (std::size_t k = 0, n = x.size(); k < n; ++k) {
    const std::size_t c = ch.of(k);
    if (in[k] > 0.0f) {
      if (gx != nullptr) gx[k] += g[k];
    } else {
      if (gx != nullptr) gx[k] += g[k] * a[c];
      ga[c] += g[k] * in[k];
    }
  }
}

}  // namespace cnnlens
