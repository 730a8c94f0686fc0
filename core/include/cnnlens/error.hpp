// The error every user-facing failure throws: its message is shown to people as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace cnnlens {

class SceneError : public std::runtime_error {
 public:
  explicit SceneError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace cnnlens
