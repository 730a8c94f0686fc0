// pad2d: the kind's declaration and the runtime layer; the rule is in pad2d.hpp, the padding
// itself in kernels/pad.cpp (shared with conv2d's padding modes).
#include "cnnlens/layers/pad2d.hpp"

#include <array>

#include "cnnlens/limits.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

Shape output_shape(const NodeSpec& node, const InputShapes& inputs) {
  const Shape& in = inputs[0];
  require_map(node, in);
  const Padding4 p = node.padding("padding");
  const int h = int(in[2]), w = int(in[3]);
  if (node.choice("mode") == "reflect" && (p.top >= h || p.bottom >= h || p.left >= w || p.right >= w)) {
    node.fail("padding_too_large", "padding", {{"input", json::array({h, w})}},
              "reflect padding must be smaller than the input " + std::to_string(h) + "x" + std::to_string(w));
  }
  return {in[0], in[1], in[2] + std::size_t(p.top + p.bottom), in[3] + std::size_t(p.left + p.right)};
}

std::unique_ptr<Layer> create(const NodeSpec& node, const InputShapes&, const Shape&, std::vector<Param>,
                              std::vector<Buffer>) {
  return std::make_unique<Pad2d>(node.padding("padding"), kernels::pad_mode_from(node.choice("mode")));
}

}  // namespace

const LayerKind& pad2d_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "pad2d";
    k.title = "Padding";
    k.pytorch = "nn.ZeroPad2d / nn.ReflectionPad2d / nn.ReplicationPad2d";
    k.onnx = "Pad";
    k.help_key = "kind.pad2d";
    k.fields = {
        {"padding", FieldType::kPadding, nullptr, 0, double(limits::kMaxWindow), {}, "", false},
        {"mode", FieldType::kChoice, "zeros", 0, 0, {"zeros", "reflect", "replicate"}, "", false},
    };
    k.output_shape = output_shape;
    k.cost = output_elements;
    k.create = create;
    return k;
  }();
  return kind;
}

void Pad2d::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& x = *inputs[0];
  const auto& s = x.shape();
  const Padding4& p = padding_;
  const std::size_t oh = s[2] + std::size_t(p.top + p.bottom), ow = s[3] + std::size_t(p.left + p.right);
  reshape_to(output, std::array<std::size_t, 4>{s[0], s[1], oh, ow});
  const std::size_t sample_in = s[1] * s[2] * s[3], sample_out = s[1] * oh * ow;
  for (std::size_t k = 0; k < s[0]; ++k) {
    kernels::pad_map(x.data() + k * sample_in, int(s[1]), int(s[2]), int(s[3]), p.top, p.left, p.bottom, p.right,
                     mode_, output.data() + k * sample_out);
  }
}

void Pad2d::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                     const RunContext&) {
  Tensor* gx = grad_inputs[0];
  if (gx == nullptr) return;
  const auto& s = inputs[0]->shape();
  const Padding4& p = padding_;
  const std::size_t oh = s[2] + std::size_t(p.top + p.bottom), ow = s[3] + std::size_t(p.left + p.right);
  const std::size_t sample_in = s[1] * s[2] * s[3], sample_out = s[1] * oh * ow;
  for (std::size_t k = 0; k < s[0]; ++k) {
    kernels::unpad_map_add(grad_output.data() + k * sample_out, int(s[1]), int(s[2]), int(s[3]), p.top, p.left,
                           p.bottom, p.right, mode_, gx->data() + k * sample_in);
  }
}

}  // namespace cnnlens
