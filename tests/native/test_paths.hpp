// The checkout's directory and the command-line tool's path, as the build configured them
// (test_paths.cpp).
#pragma once

namespace cnnlens::testing {

const char* source_dir();
const char* cli_path();

}  // namespace cnnlens::testing
