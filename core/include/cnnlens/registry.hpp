// The one list of layer kinds. Adding a kind: its file pair under layers/, one line in
// registry.cpp, its tests, its doc row — nothing else in the core, the bindings or the page.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/kind.hpp"

namespace cnnlens {

const std::vector<const LayerKind*>& layer_kinds();
const LayerKind* find_kind(const std::string& type);  // null if unknown
std::string kind_names();                              // "conv2d, maxpool2d, ..." for messages

// Every kind as JSON for the page: type, title, pytorch, onnx, help, inputs, fields (with
// defaults, limits and choices), parameters.
nlohmann::json layer_kinds_json();

}  // namespace cnnlens
