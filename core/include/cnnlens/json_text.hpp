// JSON text for scenes, with float32 numbers written as float32.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cnnlens {

// Compact JSON text of `j` (as nlohmann's dump(), invalid UTF-8 replaced), except that a number
// whose value is exactly a float32 is written as the shortest decimal that reads back to that
// float (0.37254903), not as the double it was widened to (0.37254902720451355). A scene's
// tensors are float32, so its text is about half as long and still gives the core the same
// bits; numbers that are not float32 values (a learning rate of 0.1) keep their double form.
std::string to_json_text(const nlohmann::json& j);

}  // namespace cnnlens
