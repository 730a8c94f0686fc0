// conv2d: 2-D convolution (cross-correlation, as PyTorch's nn.Conv2d), batch-first.
//
// Forward:  y[n, o, r, s] = b[o] + sum_{c in group(o), i, j} w[o, c', i, j] * xp[n, c, r*sh + i*dh, s*sw + j*dw]
//           where xp is x padded by [top, left, bottom, right] with the padding mode (zeros:
//           0 outside; reflect / replicate / circular: kernels/pad.hpp), group(o) the G-th
//           block of C/G input channels for o in the G-th block of O/G outputs, c' = c mod C/G.
//           groups = C is a depthwise convolution.
// Backward: with g = dL/dy,
//           dL/dw[o, c', i, j] = sum_{n,r,s} g[n, o, r, s] * xp[n, c, r*sh + i*dh, s*sw + j*dw]
//           dL/db[o]           = sum_{n,r,s} g[n, o, r, s]
//           dL/dxp[n, c, u, v] = sum over every (o, r, s, i, j) whose window reads (u, v) of
//                                w[o, c', i, j] * g[n, o, r, s]  (the "flipped-kernel" sum),
//           then dL/dx folds dL/dxp back onto the cells each padded cell copied.
// Buffers: input [N, C, H, W], output [N, O, H', W'], weight [O, C/G, KH, KW], bias [O].
#pragma once

#include <vector>

#include "cnnlens/kind.hpp"

namespace cnnlens {

// One group's geometry for the im2col kernels; padding here is the top/left offset of the
// zero padding (bottom/right only shape the output size).
struct ConvGeometry {
  int in_channels, in_h, in_w;
  int out_channels, out_h, out_w;
  Pair kernel, stride, padding, dilation;

  // Input row/column that kernel tap (i, j) of output cell (r, s) reads; may be outside the input.
  int input_row(int r, int i) const { return r * stride.h - padding.h + i * dilation.h; }
  int input_col(int s, int j) const { return s * stride.w - padding.w + j * dilation.w; }
};

const LayerKind& conv2d_kind();

class Conv2d : public Layer {
 public:
  // `padding` and `mode`: zeros pads inside the kernels; the other modes pad into a scratch map.
  Conv2d(const ConvGeometry& group_geometry, int groups, const Padding4& padding, const std::string& padding_mode,
         Tensor weight, Tensor bias);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;
  bool absorbs_relu() const override { return true; }

  // The whole layer as one geometry (all channels), for explanations: input_row/col, kernel, ...
  // `padding` is the top/left padding whatever the mode.
  const ConvGeometry& geometry() const { return full_; }
  int groups() const { return groups_; }
  const Padding4& padding() const { return padding_; }
  const std::string& padding_mode() const { return padding_mode_; }

 private:
  struct PaddedMap {
    const float* data;
    int h, w;
  };
  PaddedMap with_padding(const float* x);

  ConvGeometry group_;  // one group, as the kernels see it (padded input when the mode is not zeros)
  ConvGeometry full_;
  int groups_;
  Padding4 padding_;
  std::string padding_mode_;
  bool pads_first_;     // a non-zero padding mode: pad into padded_ first
  // Scratch, sized on first use and reused: columns_ [G, K, P], im2col of one sample (forward
  // fills a tile at a time, backward a whole sample); padded_ and grad_padded_
  // [N, C, Hp, Wp] for non-zero modes.
  std::vector<float> columns_, weight_t_, grad_columns_, padded_, grad_padded_;
  std::vector<float> zero_padded_;     // one sample's group with its zero padding, read in place
  std::vector<float> packed_weights_;  // one group's weights, 4 outputs side by side (forward read in place)
  std::vector<int> tap_offsets_;
  bool columns_hold_sample_0_ = false;  // forward() left sample 0's whole columns in columns_
};

}  // namespace cnnlens
