// The loss landscape over two chosen parameters: a grid of forward passes around their current
// values, for the lesson's "why not try every combination?" step.
#pragma once

#include <string>
#include <vector>

#include "cnnlens/model.hpp"

namespace cnnlens {

// One scalar parameter: element `index` (row-major) of layer `layer`'s "weight" or "bias".
struct ParamRef {
  std::size_t layer = 0;
  std::string name = "weight";
  std::size_t index = 0;
};

struct Landscape {
  std::vector<float> a_values;  // resolution values of parameter a, ascending
  std::vector<float> b_values;  // resolution values of parameter b, ascending
  std::vector<float> loss;      // resolution x resolution, row r = b_values[r], column c = a_values[c]
  std::size_t min_row = 0;      // the grid cell with the smallest loss (first in row-major order)
  std::size_t min_col = 0;
};

// Evaluates the loss on a resolution x resolution grid spanning [value - half_width, value +
// half_width] for each parameter. Resolution 2..201. The model is left exactly as it was.
Landscape loss_landscape(Model& model, const ParamRef& a, const ParamRef& b, float half_width, int resolution);

}  // namespace cnnlens
