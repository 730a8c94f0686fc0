// The arithmetic behind single cells, for the page's explanations: which inputs and weights
// make a convolution output, which window a pooled cell came from, and how a kernel weight's or
// an input cell's gradient is summed. All return plain JSON (documented in docs/api.md).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/model.hpp"

namespace cnnlens {

// Output cell (channel, row, col) of a conv2d layer: {"terms": [{"channel","row","col",
// "kernel_row","kernel_col","input","weight","padding"}], "bias", "sum", "output"}.
nlohmann::json explain_conv_output(const Model& model, std::size_t layer, int channel, int row, int col);

// Output cell of a pooling layer: {"kind": "max"|"avg", "window": [{"row","col","value"}],
// "winner" (index into window, max only), "output"}.
nlohmann::json explain_pool_output(const Model& model, std::size_t layer, int channel, int row, int col);

// dL/dw[o, c, i, j] of a conv2d layer as sum over output cells of input x upstream gradient:
// {"terms": [{"row","col","input_row","input_col","input","grad_output"}], "sum", "grad"}.
nlohmann::json explain_conv_weight_grad(const Model& model, std::size_t layer, int out_channel, int in_channel,
                                        int kernel_row, int kernel_col);

// dL/dx[c, u, v] of a conv2d layer's input as the flipped-kernel sum:
// {"terms": [{"out_channel","row","col","kernel_row","kernel_col","weight","grad_output"}], "sum", "grad"}.
nlohmann::json explain_conv_input_grad(const Model& model, std::size_t layer, int channel, int row, int col);

}  // namespace cnnlens
