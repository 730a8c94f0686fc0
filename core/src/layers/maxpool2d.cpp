// maxpool2d: the kind's declaration and the runtime layer; the rule is in maxpool2d.hpp.
#include "cnnlens/layers/maxpool2d.hpp"

#include <algorithm>
#include <array>

#include "cnnlens/kernels/simd.hpp"
#include "cnnlens/limits.hpp"

namespace cnnlens {
namespace {

CNNLENS_COLD std::unique_ptr<Layer> create(const NodeSpec& node, const InputShapes& inputs, const Shape& output,
                                           std::vector<Param>, std::vector<Buffer>) {
  return std::make_unique<MaxPool2d>(pool_geometry(node, inputs[0], output, true));
}

}  // namespace

const LayerKind& maxpool2d_kind() {
  static const LayerKind kind = []() CNNLENS_COLD {
    const double window = double(limits::kMaxWindow);
    LayerKind k;
    k.type = "maxpool2d";
    k.title = "Max pooling";
    k.pytorch = "nn.MaxPool2d";
    k.onnx = "MaxPool";
    k.help_key = "kind.maxpool2d";
    k.fields = {
        {"kernel_size", FieldType::kPair, nullptr, 1, window, {}, "", true},
        {"stride", FieldType::kPair, nullptr, 1, window, {}, "kernel_size", true},
        {"padding", FieldType::kPadding, 0, 0, window, {}, "", false},
        {"dilation", FieldType::kPair, 1, 1, window, {}, "", false},
        {"ceil_mode", FieldType::kBool, false, 0, 0, {}, "", false},
    };
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) { return pool_output_shape(node, inputs, true); };
    k.cost = pool_cost;
    k.create = create;
    return k;
  }();
  return kind;
}

CNNLENS_COLD MaxPool2d::MaxPool2d(const PoolGeometry& geometry) : geometry_(geometry) {
  const PoolGeometry& g = geometry;
  whole_2x2_ = g.kernel.h == 2 && g.kernel.w == 2 && g.stride.h == 2 && g.stride.w == 2 && g.dilation.h == 1 &&
               g.dilation.w == 1 && g.padding.top == 0 && g.padding.left == 0 && 2 * g.out_h <= g.in_h &&
               2 * g.out_w <= g.in_w;
  for (int s = 0; s < geometry.out_w; ++s) col_windows_.push_back(geometry.col_taps(s));
  buffers_.push_back({"argmax", BufferRole::kRouting, Tensor(), ""});
}

namespace {

// Keeps the larger of the best so far and tap `index` holding `value`; `>` keeps the first
// maximum (a NaN first tap stays the answer, as a NaN compares false). Selects, not branches:
// on post-ReLU data which tap wins is a coin toss, and mispredicted branches made pooling a
// quarter of a forward pass.
inline void keep_larger(float value, int index, float& best, int& at) {
  at = value > best ? index : at;
  best = value > best ? value : best;
}

// The common 2x2 window with stride 2 and no padding, every window whole: four taps in order,
// four windows at a time (where_greater4 is keep_larger lane by lane), the last 1-3 one by one.
// A winner is the tap's index in the sample as a float: exact below 2^24, as the scalar rule's.
void max_pool_2x2(const float* x, int in_w, int out_h, int out_w, int channel_offset, float* y, float* winner) {
  using namespace kernels;
  const f32x4 two_apart = make4(0.0f, 2.0f, 4.0f, 6.0f);
  const f32x4 one = splat4(1.0f), down = splat4(float(in_w)), down_right = splat4(float(in_w + 1));
  for (int r = 0; r < out_h; ++r) {
    const float* top = x + 2 * r * in_w;
    const float* bottom = top + in_w;
    const int row_index = channel_offset + 2 * r * in_w;
    int s = 0;
    for (; s + 4 <= out_w; s += 4) {
      const int c = 2 * s;
      const f32x4 t0 = load4(top + c), t1 = load4(top + c + 4), b0 = load4(bottom + c), b1 = load4(bottom + c + 4);
      const f32x4 first = add4(splat4(float(row_index + c)), two_apart);  // each window's top-left tap
      f32x4 best = even_lanes(t0, t1), at = first;
      const auto keep = [&](f32x4 value, f32x4 index) {
        at = where_greater4(value, best, index, at);
        best = where_greater4(value, best, value, best);
      };
      keep(odd_lanes(t0, t1), add4(first, one));
      keep(even_lanes(b0, b1), add4(first, down));
      keep(odd_lanes(b0, b1), add4(first, down_right));
      store4(y + s, best);
      store4(winner + s, at);
    }
    for (; s < out_w; ++s) {
      const int c = 2 * s;
      float best = top[c];
      int at = c;
      keep_larger(top[c + 1], c + 1, best, at);
      keep_larger(bottom[c], in_w + c, best, at);
      keep_larger(bottom[c + 1], in_w + c + 1, best, at);
      y[s] = best;
      winner[s] = static_cast<float>(row_index + at);
    }
    y += out_w;
    winner += out_w;
  }
}

// The same windows when no backward follows (inference): the maxima alone, four windows at a
// time. pmax4 keeps the scalar rule, so the values are the same bits, taps in the same order.
void max_pool_2x2_values(const float* x, int in_w, int out_h, int out_w, float* y) {
  using namespace kernels;
  for (int r = 0; r < out_h; ++r) {
    const float* top = x + 2 * r * in_w;
    const float* bottom = top + in_w;
    int s = 0;
    for (; s + 4 <= out_w; s += 4) {
      const int c = 2 * s;
      const f32x4 t0 = load4(top + c), t1 = load4(top + c + 4), b0 = load4(bottom + c), b1 = load4(bottom + c + 4);
      f32x4 best = pmax4(even_lanes(t0, t1), odd_lanes(t0, t1));
      best = pmax4(best, even_lanes(b0, b1));
      store4(y + s, pmax4(best, odd_lanes(b0, b1)));
    }
    for (; s < out_w; ++s) {
      const int c = 2 * s;
      float best = top[c];
      int at = 0;
      keep_larger(top[c + 1], 0, best, at);
      keep_larger(bottom[c], 0, best, at);
      keep_larger(bottom[c + 1], 0, best, at);
      y[s] = best;
    }
    y += out_w;
  }
}

// Backward of max_pool_2x2 into a fresh gradient plane: every cell written, the window's winner
// 0 + dy, the other three 0 (the same bits as adding into zeros), four windows at a time; rows
// and a column left over below and right of the windows (odd sizes) get zeros.
// `relu_out`: the pooled values of a fused ReLU's output (RunContext::through_relu), or null; a
// window's term then passes only where its maximum is positive (the ReLU's output at the winner).
void max_pool_2x2_backward_fresh(const float* gy, const float* winner, const float* relu_out, int in_h, int in_w,
                                 int out_h, int out_w, int channel_offset, float* gx) {
  using namespace kernels;
  const f32x4 zero = splat4(0.0f), two_apart = make4(0.0f, 2.0f, 4.0f, 6.0f);
  const f32x4 one = splat4(1.0f), down = splat4(float(in_w)), down_right = splat4(float(in_w + 1));
  for (int r = 0; r < out_h; ++r) {
    float* top = gx + 2 * r * in_w;
    float* bottom = top + in_w;
    const int row_index = channel_offset + 2 * r * in_w;
    int s = 0;
    for (; s + 4 <= out_w; s += 4) {
      const int c = 2 * s;
      const f32x4 at = load4(winner + s);
      f32x4 dy = add4(zero, load4(gy + s));
      if (relu_out != nullptr) dy = where_greater4(load4(relu_out + s), zero, dy, zero);
      const f32x4 first = add4(splat4(float(row_index + c)), two_apart);
      const f32x4 top_left = where_equal4(at, first, dy, zero), top_right = where_equal4(at, add4(first, one), dy, zero);
      const f32x4 bottom_left = where_equal4(at, add4(first, down), dy, zero);
      const f32x4 bottom_right = where_equal4(at, add4(first, down_right), dy, zero);
      store4(top + c, interleave_low4(top_left, top_right));
      store4(top + c + 4, interleave_high4(top_left, top_right));
      store4(bottom + c, interleave_low4(bottom_left, bottom_right));
      store4(bottom + c + 4, interleave_high4(bottom_left, bottom_right));
    }
    for (; s < out_w; ++s) {
      const int c = 2 * s;
      const int at = static_cast<int>(winner[s]) - row_index;
      const float dy = relu_out == nullptr || relu_out[s] > 0.0f ? 0.0f + gy[s] : 0.0f;
      top[c] = at == c ? dy : 0.0f;
      top[c + 1] = at == c + 1 ? dy : 0.0f;
      bottom[c] = at == in_w + c ? dy : 0.0f;
      bottom[c + 1] = at == in_w + c + 1 ? dy : 0.0f;
    }
    for (int c = 2 * out_w; c < in_w; ++c) top[c] = bottom[c] = 0.0f;
    gy += out_w;
    winner += out_w;
    if (relu_out != nullptr) relu_out += out_w;
  }
  kernels::zero_floats(gx + 2 * out_h * in_w, (in_h - 2 * out_h) * in_w);
}

}  // namespace

void MaxPool2d::forward(const Inputs& inputs, Tensor& output, const RunContext& context) {
  const PoolGeometry& g = geometry_;
  const Tensor& input = *inputs[0];
  const std::size_t n = input.shape()[0];
  const std::array<std::size_t, 4> shape{n, std::size_t(g.channels), std::size_t(g.out_h), std::size_t(g.out_w)};
  reshape_to(output, shape);
  Tensor& argmax = buffers_[0].value;
  reshape_to(argmax, shape);
  const int plane = g.in_h * g.in_w;
  const std::size_t sample_in = std::size_t(g.channels) * plane;
  const std::size_t sample_out = std::size_t(g.channels) * g.out_h * g.out_w;
  if (whole_2x2_ && !context.backward_follows) {
    // inference: the maxima alone, plane after plane (the winners stay as the last training pass left them)
    const std::size_t out_plane = std::size_t(g.out_h) * g.out_w;
    for (std::size_t p = 0; p < n * std::size_t(g.channels); ++p) {
      max_pool_2x2_values(input.data() + p * plane, g.in_w, g.out_h, g.out_w, output.data() + p * out_plane);
    }
    return;
  }
  for (std::size_t k = 0; k < n; ++k) {
    float* y = output.data() + k * sample_out;
    float* winner = argmax.data() + k * sample_out;
    for (int c = 0; c < g.channels; ++c) {
      const float* x = input.data() + k * sample_in + std::size_t(c) * plane;
      if (whole_2x2_) {
        max_pool_2x2(x, g.in_w, g.out_h, g.out_w, c * plane, y, winner);
        y += g.out_h * g.out_w;
        winner += g.out_h * g.out_w;
        continue;
      }
      for (int r = 0; r < g.out_h; ++r) {
        const PoolGeometry::Taps rows = g.row_taps(r);
        for (int s = 0; s < g.out_w; ++s) {
          const PoolGeometry::Taps cols = col_windows_[std::size_t(s)];
          const int first_col = g.input_col(s, cols.first), width = cols.last - cols.first;
          // Every window holds an input cell (padding is at most half the window), so the first
          // tap starts the search; the best value stays in a register.
          int best = g.input_row(r, rows.first) * g.in_w + first_col;
          float best_value = x[best];
          for (int i = rows.first; i < rows.last; ++i) {
            const int row_start = g.input_row(r, i) * g.in_w + first_col;
            for (int j = 0; j < width; ++j) {
              const int index = row_start + j * g.dilation.w;
              keep_larger(x[index], index, best_value, best);
            }
          }
          *y++ = best_value;
          *winner++ = static_cast<float>(c * plane + best);
        }
      }
    }
  }
}

// dL/dx: each output cell's gradient goes to the cell that won its window. Fresh (RunContext):
// the 2x2 windows write every cell; other geometries zero the sample first (windows may overlap).
// Through a fused ReLU (2x2 windows only), a term passes where the window's maximum is positive.
void MaxPool2d::backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output,
                         const GradInputs& grad_inputs, const RunContext& context) {
  Tensor* gx = grad_inputs[0];
  if (gx == nullptr) return;
  const PoolGeometry& g = geometry_;
  const std::size_t n = inputs[0]->shape()[0];
  const int plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  const std::size_t sample_in = std::size_t(g.channels) * plane;
  const std::size_t sample_out = std::size_t(g.channels) * out_plane;
  const float* gy = grad_output.data();
  const float* winner = buffers_[0].value.data();
  const bool fresh = (context.fresh_grad_inputs & 1u) != 0;
  const bool through_relu = context.through_relu && whole_2x2_;
  for (std::size_t k = 0; k < n; ++k) {
    float* gxs = gx->data() + k * sample_in;
    const float* gys = gy + k * sample_out;
    const float* won = winner + k * sample_out;
    const float* pooled = output.data() + k * sample_out;
    if (fresh && whole_2x2_) {
      for (int c = 0; c < g.channels; ++c) {
        const float* relu_out = through_relu ? pooled + c * out_plane : nullptr;
        max_pool_2x2_backward_fresh(gys + c * out_plane, won + c * out_plane, relu_out, g.in_h, g.in_w, g.out_h, g.out_w,
                                    c * plane, gxs + c * plane);
      }
      continue;
    }
    if (fresh) std::fill(gxs, gxs + sample_in, 0.0f);
    for (std::size_t o = 0; o < sample_out; ++o) {
      if (!through_relu || pooled[o] > 0.0f) gxs[static_cast<std::size_t>(won[o])] += gys[o];
    }
  }
}

}  // namespace cnnlens
