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
nlohmann::json gradient_check(Model& model, std::size_t max_elements_per_tensor = 64);

}  // namespace cnnlens
