// Where the checkout and the built command-line tool are. The two absolute paths are compiled
// into this file alone: in a compile definition of every test file they made each fresh clone
// (CI's) miss ccache for the whole suite, in the native and the sanitizer build alike.
#include "test_paths.hpp"

namespace cnnlens::testing {

const char* source_dir() { return CNNLENS_SOURCE_DIR; }

const char* cli_path() { return CNNLENS_CLI_PATH; }

}  // namespace cnnlens::testing
