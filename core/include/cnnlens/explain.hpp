// The arithmetic behind single cells, for the page's explanations: which inputs and weights
// make a convolution output, which window a pooled cell came from, and how a kernel weight's or
// an input cell's gradient is summed. All return plain JSON (documented in docs/api.md).
#pragma once

#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/model.hpp"

namespace cnnlens {

// Output cell (channel, row, col) of a conv2d layer: {"terms": [{"channel","row","col",
// "kernel_row","kernel_col","input","weight","padding"}], "bias", "sum", "output"}.
nlohmann::json explain_conv_output(const Model& model, std::size_t layer, int channel, int row, int col);

// Output cell of a pooling layer: {"kind": "max"|"avg", "window": [{"row","col","value"}],
// "winner" (index into window, max only), "output"}.
nlohmann::json explain_pool_output(const Model& model, std::size_t layer, int channel, int row, int col);

// The gradient sums as plain structs: a weight's sum has one term per output cell (784 on a
// 28x28 map), so the wasm bindings hand them to JS as one block of memory, not as JSON.
// Every field is 4 bytes, in the order the bindings read them.
struct WeightGradTerm {
  int row, col;              // output cell
  int input_row, input_col;  // the input cell the weight met there
  float input, grad_output;
};
struct WeightGradSum {
  std::vector<WeightGradTerm> terms;
  double sum = 0.0;
  float grad = 0.0f;  // the layer's own dL/dw, which `sum` reproduces
};
struct InputGradTerm {
  int out_channel, row, col;    // output cell
  int kernel_row, kernel_col;   // the weight that connects it to the input cell
  float weight, grad_output;
};
struct InputGradSum {
  std::vector<InputGradTerm> terms;
  double sum = 0.0;
  float grad = 0.0f;
};

// dL/dw[o, c, i, j] of a conv2d layer as sum over output cells of input x upstream gradient.
WeightGradSum conv_weight_grad_sum(const Model& model, std::size_t layer, int out_channel, int in_channel,
                                   int kernel_row, int kernel_col);
// As JSON: {"terms": [{"row","col","input_row","input_col","input","grad_output"}], "sum", "grad"}.
nlohmann::json explain_conv_weight_grad(const Model& model, std::size_t layer, int out_channel, int in_channel,
                                        int kernel_row, int kernel_col);

// dL/dx[c, u, v] of a conv2d layer's input as the flipped-kernel sum.
InputGradSum conv_input_grad_sum(const Model& model, std::size_t layer, int channel, int row, int col);
// As JSON: {"terms": [{"out_channel","row","col","kernel_row","kernel_col","weight","grad_output"}], "sum", "grad"}.
nlohmann::json explain_conv_input_grad(const Model& model, std::size_t layer, int channel, int row, int col);

}  // namespace cnnlens
