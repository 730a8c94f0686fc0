// cnnlens::error_codes() is the list the page words errors from: every code a throw site in the
// core or the bindings uses must be in it, and every listed code must still be thrown somewhere.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cnnlens/error_codes.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

// The codes named at throw sites: SceneError("code", ...), fail("code", ...) and
// fail(where, "code", ...), and the bindings' `code = "..."`.
std::set<std::string> codes_in_sources() {
  const std::regex thrown(R"re((?:SceneError|fail)\(\s*(?:[A-Za-z_][\w.]*\s*,\s*)?"([a-z0-9_]+)"\s*,)re");
  const std::regex assigned(R"re(\bcode = "([a-z0-9_]+)")re");
  std::set<std::string> found;
  for (const char* dir : {"core/src", "core/include", "bindings"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::source_path(dir))) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".hpp") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (const std::regex* re : {&thrown, &assigned}) {
        for (std::sregex_iterator it(s.begin(), s.end(), *re), end; it != end; ++it) found.insert((*it)[1]);
      }
    }
  }
  return found;
}

TEST(ErrorCodes, EveryThrownCodeIsListed) {
  const std::vector<std::string>& listed = error_codes();
  const std::set<std::string> thrown = codes_in_sources();
  ASSERT_GT(thrown.size(), 40u) << "the scan found too few throw sites: has the pattern changed?";
  for (const std::string& code : thrown) {
    EXPECT_TRUE(std::find(listed.begin(), listed.end(), code) != listed.end())
        << "\"" << code << "\" is thrown but missing from core/src/error_codes.cpp (and so from the page's wording)";
  }
}

TEST(ErrorCodes, EveryListedCodeIsThrownAndTheListIsSorted) {
  const std::vector<std::string>& listed = error_codes();
  const std::set<std::string> thrown = codes_in_sources();
  for (const std::string& code : listed) {
    // a plain SceneError(message) carries "invalid_scene"
    if (code == "invalid_scene") continue;
    EXPECT_TRUE(thrown.count(code)) << "\"" << code << "\" is listed but thrown nowhere: remove it";
  }
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
  EXPECT_EQ(std::adjacent_find(listed.begin(), listed.end()), listed.end()) << "listed twice";
}

}  // namespace
}  // namespace cnnlens
