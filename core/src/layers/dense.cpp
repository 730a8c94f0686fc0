// dense: the kind's declaration and the runtime layer; the derivation is in dense.hpp. Four weight rows at a time with f32x4
// accumulators (kernels/simd.hpp); the backward pass reads each weight row once for both
// dL/dW and dL/dx.
#include "cnnlens/layers/dense.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "cnnlens/kernels/simd.hpp"
#include "cnnlens/limits.hpp"

namespace cnnlens {

using namespace kernels;

namespace {

// y[o] = b[o] + W[o, :] . x for `rows` (1..4) consecutive rows.
template <int R>
void dot_rows(const float* w, const float* x, int ins, const float* b, float* y) {
  f32x4 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = splat4(0.0f);
  int i = 0;
  for (; i + 4 <= ins; i += 4) {
    const f32x4 xv = load4(x + i);
    for (int r = 0; r < R; ++r) acc[r] = madd4(acc[r], load4(w + r * ins + i), xv);
  }
  for (int r = 0; r < R; ++r) {
    float sum = sum4(acc[r]);
    for (int t = i; t < ins; ++t) sum += w[r * ins + t] * x[t];
    y[r] = b[r] + sum;
  }
}

}  // namespace

const LayerKind& dense_kind() {
  static const LayerKind kind = []() CNNLENS_COLD {
    LayerKind k;
    k.type = "dense";
    k.title = "Dense";
    k.pytorch = "nn.Linear";
    k.onnx = "Gemm";
    k.help_key = "kind.dense";
    k.fields = {{"out_features", FieldType::kInt, nullptr, 1, double(limits::kMaxTensorElements), {}, "", true}};
    k.tensor_names = {"weight", "bias"};
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) CNNLENS_COLD {
      require_vector(node, inputs[0]);
      return Shape{inputs[0][0], std::size_t(node.integer("out_features"))};
    };
    k.cost = [](const NodeSpec&, const InputShapes& inputs, const Shape& output) -> std::uint64_t {
      return std::uint64_t(inputs[0][1]) * output[1];
    };
    k.params = [](const NodeSpec& node, const InputShapes& inputs) CNNLENS_COLD -> std::vector<TensorDecl> {
      const std::size_t outs = std::size_t(node.integer("out_features"));
      return {{"weight", {outs, inputs[0][1]}, Init::kFanIn}, {"bias", {outs}, Init::kZeros}};
    };
    k.create = [](const NodeSpec&, const InputShapes&, const Shape&, std::vector<Param> params,
                  std::vector<Buffer>) CNNLENS_COLD -> std::unique_ptr<Layer> {
      auto layer = std::make_unique<Dense>(std::move(params[0].value), std::move(params[1].value));
      for (std::size_t i = 0; i < 2; ++i) layer->params()[i].source_name = params[i].source_name;
      return layer;
    };
    return k;
  }();
  return kind;
}

CNNLENS_COLD Dense::Dense(Tensor weight, Tensor bias) {
  Tensor weight_grad = zeros(shape_of(weight));
  Tensor bias_grad = zeros(shape_of(bias));
  params_.push_back({"weight", std::move(weight), std::move(weight_grad), {}, {}, {}, {}});
  params_.push_back({"bias", std::move(bias), std::move(bias_grad), {}, {}, {}, {}});
}

void Dense::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const Tensor& input = *inputs[0];
  const Tensor& w = params_[0].value;
  const std::size_t n = input.shape()[0];
  const int outs = static_cast<int>(w.shape()[0]), ins = static_cast<int>(w.shape()[1]);
  reshape_to(output, std::array<std::size_t, 2>{n, std::size_t(outs)});
  const float* wd = w.data();
  const float* b = params_[1].value.data();
  for (std::size_t k = 0; k < n; ++k) {
    const float* x = input.data() + k * ins;
    float* y = output.data() + k * outs;
    int o = 0;
    for (; o + 4 <= outs; o += 4) dot_rows<4>(wd + o * ins, x, ins, b + o, y + o);
    for (; o < outs; ++o) dot_rows<1>(wd + o * ins, x, ins, b + o, y + o);
  }
}

namespace {

// One output row of one sample: dL/dW[o, :] (+)= dy[o] * x and, with an input gradient wanted,
// dL/dx += W[o, :] * dy[o], reading each weight row once for both. WriteRow: start from zero (a
// fresh gradient, RunContext) instead of loading; 0 + term is the same bits as adding into zeros.
template <bool WriteRow, bool WantInput>
void backward_row(const float* row, const float* x, float upstream, int ins, float* grad_row, float* gx) {
  const f32x4 g = splat4(upstream), zero = splat4(0.0f);
  int i = 0;
  for (; i + 4 <= ins; i += 4) {
    store4(grad_row + i, madd4(WriteRow ? zero : load4(grad_row + i), g, load4(x + i)));
    if (WantInput) store4(gx + i, madd4(load4(gx + i), load4(row + i), g));
  }
  for (; i < ins; ++i) {
    grad_row[i] = (WriteRow ? 0.0f : grad_row[i]) + upstream * x[i];
    if (WantInput) gx[i] += row[i] * upstream;
  }
}

}  // namespace

// Fresh gradients: the first sample writes dL/dW and dL/db; a fresh dL/dx is zeroed per sample
// (a tenth of dL/dW's size, not worth more code).
void Dense::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                     const RunContext& context) {
  const Tensor& w = params_[0].value;
  const std::size_t n = inputs[0]->shape()[0];
  const int outs = static_cast<int>(w.shape()[0]), ins = static_cast<int>(w.shape()[1]);
  const float* wd = w.data();
  float* gw = params_[0].grad.data();
  float* gb = params_[1].grad.data();
  Tensor* grad_input = grad_inputs[0];
  for (std::size_t k = 0; k < n; ++k) {
    const float* x = inputs[0]->data() + k * ins;
    const float* gy = grad_output.data() + k * outs;
    float* gx = grad_input ? grad_input->data() + k * ins : nullptr;
    if (gx != nullptr && (context.fresh_grad_inputs & 1u)) zero_floats(gx, ins);
    const bool write_params = context.fresh_param_grads && k == 0;
    for (int o = 0; o < outs; ++o) {
      const float upstream = gy[o];
      gb[o] = (write_params ? 0.0f : gb[o]) + upstream;
      const float* row = wd + o * ins;
      float* grad_row = gw + o * ins;
      if (gx == nullptr) {
        if (write_params) backward_row<true, false>(row, x, upstream, ins, grad_row, gx);
        else backward_row<false, false>(row, x, upstream, ins, grad_row, gx);
      } else {
        if (write_params) backward_row<true, true>(row, x, upstream, ins, grad_row, gx);
        else backward_row<false, true>(row, x, upstream, ins, grad_row, gx);
      }
    }
  }
}

}  // namespace cnnlens
