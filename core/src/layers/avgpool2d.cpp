// avgpool2d: the kind's declaration and the runtime layer; the rule is in avgpool2d.hpp.
#include "cnnlens/layers/avgpool2d.hpp"

#include <algorithm>
#include <array>

#include "cnnlens/limits.hpp"

namespace cnnlens {
namespace {

std::unique_ptr<Layer> create(const NodeSpec& node, const InputShapes& inputs, const Shape& output, std::vector<Param>,
                              std::vector<Buffer>) {
  return std::make_unique<AvgPool2d>(pool_geometry(node, inputs[0], output, false), node.flag("count_include_pad"));
}

}  // namespace

const LayerKind& avgpool2d_kind() {
  static const LayerKind kind = [] {
    const double window = double(limits::kMaxWindow);
    LayerKind k;
    k.type = "avgpool2d";
    k.title = "Average pooling";
    k.pytorch = "nn.AvgPool2d";
    k.onnx = "AveragePool";
    k.help_key = "kind.avgpool2d";
    k.fields = {
        {"kernel_size", FieldType::kPair, nullptr, 1, window, {}, "", true},
        {"stride", FieldType::kPair, nullptr, 1, window, {}, "kernel_size", true},
        {"padding", FieldType::kPadding, 0, 0, window, {}, "", false},
        {"ceil_mode", FieldType::kBool, false, 0, 0, {}, "", false},
        {"count_include_pad", FieldType::kBool, true, 0, 0, {}, "", false},
    };
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) { return pool_output_shape(node, inputs, false); };
    k.cost = pool_cost;
    k.create = create;
    return k;
  }();
  return kind;
}

// PyTorch's divisor: the window clipped to [-top, H + bottom) counts padding; clipped to [0, H) does not.
AvgPool2d::AvgPool2d(const PoolGeometry& g, bool count_include_pad) : geometry_(g) {
  divisors_.resize(std::size_t(g.out_h) * g.out_w);
  for (int r = 0; r < g.out_h; ++r) {
    for (int s = 0; s < g.out_w; ++s) {
      int h0 = r * g.stride.h - g.padding.top, w0 = s * g.stride.w - g.padding.left;
      int h1 = std::min(h0 + g.kernel.h, g.in_h + g.padding.bottom), w1 = std::min(w0 + g.kernel.w, g.in_w + g.padding.right);
      int count = (h1 - h0) * (w1 - w0);
      if (!count_include_pad) count = (std::min(h1, g.in_h) - std::max(h0, 0)) * (std::min(w1, g.in_w) - std::max(w0, 0));
      divisors_[std::size_t(r * g.out_w + s)] = static_cast<float>(count);
    }
  }
}

void AvgPool2d::forward(const Inputs& inputs, Tensor& output, const RunContext&) {
  const PoolGeometry& g = geometry_;
  const Tensor& input = *inputs[0];
  const std::size_t n = input.shape()[0];
  reshape_to(output, std::array<std::size_t, 4>{n, std::size_t(g.channels), std::size_t(g.out_h), std::size_t(g.out_w)});
  const std::size_t sample_in = std::size_t(g.channels) * g.in_h * g.in_w;
  for (std::size_t k = 0; k < n * std::size_t(g.channels); ++k) {
    const float* x = input.data() + k * (sample_in / g.channels);
    float* y = output.data() + k * std::size_t(g.out_h) * g.out_w;
    for (int r = 0; r < g.out_h; ++r) {
      const PoolGeometry::Taps rows = g.row_taps(r);
      for (int s = 0; s < g.out_w; ++s) {
        const PoolGeometry::Taps cols = g.col_taps(s);
        float sum = 0.0f;
        for (int i = rows.first; i < rows.last; ++i) {
          const int u = g.input_row(r, i);
          for (int j = cols.first; j < cols.last; ++j) sum += x[u * g.in_w + g.input_col(s, j)];
        }
        y[r * g.out_w + s] = sum / divisor(r, s);
      }
    }
  }
}

void AvgPool2d::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                         const RunContext&) {
  Tensor* gx = grad_inputs[0];
  if (gx == nullptr) return;
  const PoolGeometry& g = geometry_;
  const std::size_t planes = inputs[0]->shape()[0] * std::size_t(g.channels);
  for (std::size_t k = 0; k < planes; ++k) {
    const float* gy = grad_output.data() + k * std::size_t(g.out_h) * g.out_w;
    float* gxs = gx->data() + k * std::size_t(g.in_h) * g.in_w;
    for (int r = 0; r < g.out_h; ++r) {
      const PoolGeometry::Taps rows = g.row_taps(r);
      for (int s = 0; s < g.out_w; ++s) {
        const PoolGeometry::Taps cols = g.col_taps(s);
        const float share = gy[r * g.out_w + s] / divisor(r, s);
        for (int i = rows.first; i < rows.last; ++i) {
          const int u = g.input_row(r, i);
          for (int j = cols.first; j < cols.last; ++j) gxs[u * g.in_w + g.input_col(s, j)] += share;
        }
      }
    }
  }
}

}  // namespace cnnlens
