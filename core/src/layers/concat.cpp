// concat: the kind's declaration and the runtime layer; the rule is in concat.hpp.
#include "cnnlens/layers/concat.hpp"

#include <algorithm>

namespace cnnlens {
namespace {

Shape sample_of(const Shape& batch_first) { return Shape(batch_first.begin() + 1, batch_first.end()); }

std::string input_name(const NodeSpec& node, std::size_t k) {
  return "input " + std::to_string(k + 1) + (k < node.inputs.size() ? " (\"" + node.inputs[k] + "\")" : "");
}

Shape concat_output_shape(const NodeSpec& node, const InputShapes& inputs) {
  Shape out = inputs[0];
  for (std::size_t k = 1; k < inputs.size(); ++k) {
    const Shape& in = inputs[k];
    bool fits = in.size() == out.size();
    for (std::size_t d = 0; fits && d < in.size(); ++d) fits = d == 1 || in[d] == out[d];
    if (!fits) {
      const Shape first = sample_of(inputs[0]), other = sample_of(in);
      node.fail("shape_mismatch", "inputs", {{"input", k}, {"shape", other}, {"expected", first}, {"axis", 1}},
                "joins inputs along the channel axis, so all other sizes must match, but " + input_name(node, k) +
                    " is " + shape_to_string(other) + " and " + input_name(node, 0) + " is " + shape_to_string(first));
    }
    out[1] += in[1];
  }
  return out;
}

// Elements of one sample's block of each input: C_i * H * W (or F_i).
std::size_t block(const Tensor& t) { return t.size() / t.shape()[0]; }

}  // namespace

const LayerKind& concat_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "concat";
    k.title = "Concatenate";
    k.pytorch = "torch.cat";
    k.onnx = "Concat";
    k.help_key = "kind.concat";
    k.min_inputs = 2;
    k.max_inputs = -1;
    k.output_shape = concat_output_shape;
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param>, std::vector<Buffer>) -> std::unique_ptr<Layer> {
      return std::make_unique<Concat>();
    };
    return k;
  }();
  return kind;
}

void Concat::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  Shape shape(inputs[0]->shape().begin(), inputs[0]->shape().end());
  for (std::size_t k = 1; k < inputs.size(); ++k) shape[1] += inputs[k]->shape()[1];
  reshape_to(output, shape);
  const std::size_t n = shape[0], sample = output.size() / n;
  std::size_t offset = 0;
  for (const Tensor* x : inputs) {
    const std::size_t size = block(*x);
    for (std::size_t s = 0; s < n; ++s) std::copy_n(x->data() + s * size, size, output.data() + s * sample + offset);
    offset += size;
  }
}

void Concat::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                      const RunContext&) {
  const std::size_t n = grad_output.shape()[0], sample = grad_output.size() / n;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::size_t size = block(*inputs[k]);
    if (Tensor* gx = grad_inputs[k]) {
      for (std::size_t s = 0; s < n; ++s) {
        const float* g = grad_output.data() + s * sample + offset;
        float* dst = gx->data() + s * size;
        for (std::size_t i = 0; i < size; ++i) dst[i] += g[i];
      }
    }
    offset += size;
  }
}

}  // namespace cnnlens
