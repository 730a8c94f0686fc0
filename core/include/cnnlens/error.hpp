// The error every user-facing failure throws. It is structured — a code, where it happened (node id
// or 1-based layer number, field) and the values involved — so the page can word it in the
// reader's language; what() is the core's own English rendering of the same facts.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace cnnlens {

// Where an error happened. `layer` is the 1-based position of a chain (version-1) scene's layer,
// or of a graph's node whose id is not known yet (0: a graph node named by `node`, or no node);
// `node` the node's id; `field` the scene field ("kernel_size", "inputs", "target", ...).
struct ErrorPlace {
  std::string node;
  int layer = 0;
  std::string type;
  std::string field;
};

class SceneError : public std::runtime_error {
 public:
  // A plain message, code "invalid_scene": for checks that need no structure beyond their text.
  explicit SceneError(const std::string& message)
      : std::runtime_error(message), code_("invalid_scene"), details_(nlohmann::json::object()) {}

  // `message` is the English rendering; `details` holds the values it names (limits, shapes, ...).
  SceneError(std::string code, const ErrorPlace& place, nlohmann::json details, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)), place_(place), details_(std::move(details)) {}

  const std::string& code() const { return code_; }
  const ErrorPlace& place() const { return place_; }
  const nlohmann::json& details() const { return details_; }

  // {"code", "node", "layer", "type", "field", "message", ...details}: what reaches JS as Error.details.
  nlohmann::json to_json() const {
    nlohmann::json j = details_.is_object() ? details_ : nlohmann::json::object();
    j["code"] = code_;
    if (!place_.node.empty()) j["node"] = place_.node;
    if (place_.layer > 0) j["layer"] = place_.layer;
    if (!place_.type.empty()) j["type"] = place_.type;
    if (!place_.field.empty()) j["field"] = place_.field;
    j["message"] = what();
    return j;
  }

 private:
  std::string code_;
  ErrorPlace place_;
  nlohmann::json details_;
};

}  // namespace cnnlens
