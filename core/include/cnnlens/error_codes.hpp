// Every code a SceneError (and the bindings' Error) can carry, so the page can check it words
// each one. tests/native/error_codes_test.cpp fails when a throw site uses a code missing here.
#pragma once

#include <string>
#include <vector>

namespace cnnlens {

// Sorted; "invalid_scene" is the code of a plain SceneError(message), "out_of_memory" and
// "internal" come from the bindings.
const std::vector<std::string>& error_codes();

}  // namespace cnnlens
