// One entry point for the page's explanations: how any cell of any tensor of a node was obtained,
// forward and backward, as a typed record with its numbers (docs/api.md, "explainCell").
//
// Every record has
//   kind     "sum" | "chain" | "apply" | "copy" | "route" | "share" | "max" | "loss" | "softmax" |
//            "readers" | "normalize" | "normalize_grad" | "mask" | "value"
//   formula  a template key the page words ("dense.forward", "activation.grad", "loss.mse", ...)
//   cell     {node, tensor, sample, index}: the cell explained (sample absent for parameters)
//   value    the tensor's own number at that cell
// Sums ("sum", "route", "share", "softmax" and the "readers" of a shared edge) also carry
//   terms               [{a, b, product, a_ref?, b_ref?, padding?}], non-zero products first
//   term_count          every term of the full sum
//   zero_terms          how many of them are exactly 0
//   omitted_zero_terms  zero terms not shown
//   omitted_terms       non-zero terms not shown (more than max_terms), omitted_sum their sum
//   constant?           {value, ref}: a bias added to the sum
//   shown_total         constant + the shown products
//   total               constant + every product (in double): what `value` is, up to rounding
// An edge read by several nodes is a "readers" sum of each reader's part; asked on one reader's
// grad_input, the record carries that reader's own arithmetic as "part". Every kind of the
// registry is written out; the records and their fields are listed in docs/api.md.
// Cell references (a_ref, b_ref, ...) are {node, tensor, sample?, index}: node-local tensor names
// ("input", "grad_output", "weight", ...), never strings to parse. Work is proportional to the
// terms of the one sum asked for; at most `max_terms` terms are written out.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/model.hpp"

namespace cnnlens {

// `tensor`: "output", "grad_output", "grad_input", "input" (and "input.k", "grad_input.k" for
// further inputs), a parameter ("weight", "weight.grad", "bias", "bias.grad") or batch norm's
// "batch_mean" / "batch_var". `sample` is ignored for parameters; `index` is the flat
// row-major index within one sample (or within the parameter). The last node's "grad_output" is
// the loss's dL/dy. Throws SceneError for a bad node, tensor or index.
nlohmann::json explain_cell(const Model& model, std::size_t node, const std::string& tensor, std::size_t sample,
                            std::size_t index, std::size_t max_terms = 12);

}  // namespace cnnlens
