// Finite-difference check of the model's analytic gradients, for the page's "gradient check"
// button: central differences of the loss, per parameter tensor and for the input.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/model.hpp"

namespace cnnlens {

// Returns {"results": [{"layer", "type", "tensor", "checked", "max_abs_error", "max_rel_error"}]},
// one row per parameter tensor plus one with layer -1 and tensor "input". At most
// `max_elements_per_tensor` evenly spaced elements are perturbed per tensor. The model is left
// exactly as it was.
// A row whose relative error reaches 1e-2 also names what likely caused it, downstream of the
// tensor checked: "causes" (at most 8) and "causes_total". Each cause is typed data:
//   {"kind": "maxpool_tie", "node", "node_id", "type", "output": cell, "cells": [cell...], "value",
//      "input_height", "input_width"}
//     a max-pool window whose top inputs are within twice the step of each other (a tie);
//   {"kind": "kink", "node", "node_id", "type", "cell", "input", "kink"}
//     an input within twice the step of a ReLU-like kink (LayerKind::kinks),
// both only where the upstream gradient is not zero; a cell is {node, tensor, sample, index}.
nlohmann::json gradient_check(Model& model, std::size_t max_elements_per_tensor = 64);

}  // namespace cnnlens
