// Small helpers shared by the Model's two halves: the façade (model.cpp) and the executor's hot
// loops (executor.cpp). Internal to the core; not part of the public headers.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "cnnlens/error.hpp"

namespace cnnlens::detail {

// Whether no value is infinite or NaN (executor.cpp: four at a time, one definition for every caller).
bool all_finite(const float* values, std::size_t count);

// Where an error about a model-wide setting (loss, optimizer, batch, input, ...) points.
inline ErrorPlace field_place(const std::string& field) { return {"", 0, "", field}; }

}  // namespace cnnlens::detail
