// Every PyTorch fixture in tests/fixtures/reference/: the core's trace after N steps matches PyTorch's.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/model.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

// Float32-level agreement: both sides compute in float32 and differ only in summation order
// (measured: about 2e-7 relative at worst). The Adam fixtures need no looser bound: PyTorch and
// the core apply the same float32 update, so the worst Adam case after 5 steps is also ~2e-7.
constexpr double kAbsTol = 1e-5;
constexpr double kRelTol = 1e-4;

const std::filesystem::path& fixture_dir() {
  static const std::filesystem::path dir = std::filesystem::path(testing::source_path("tests/fixtures/reference"));
  return dir;
}

// The file names (without .json) of every fixture, sorted so the test order is stable.
std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(fixture_dir(), error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// GoogleTest names allow only letters, digits and underscores.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

json load_fixture(const std::string& name) {
  return json::parse(testing::read_text("tests/fixtures/reference/" + name + ".json"));
}

void expect_tensor_matches(const json& actual, const json& expected, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(expected.contains("shape") && expected.contains("data")) << "fixture lacks " << what;
  EXPECT_EQ(actual.at("shape"), expected.at("shape")) << what << " shape";
  EXPECT_TRUE(testing::all_close(testing::floats(actual.at("data")), testing::floats(expected.at("data")), kAbsTol,
                                 kRelTol))
      << what;
}

class ReferenceFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceFixture, TraceAfterTrainingMatchesPyTorch) {
  const json fixture = load_fixture(GetParam());
  ASSERT_TRUE(fixture.contains("scene") && fixture.contains("steps") && fixture.contains("trace"));
  Model model = Model::from_json(fixture.at("scene").dump());
  const int steps = fixture.at("steps").get<int>();
  const std::vector<float> losses = model.train(steps);
  const json actual = trace(model);
  const json& expected = fixture.at("trace");

  EXPECT_TRUE(testing::all_close(std::vector<float>{actual.at("loss").get<float>()},
                                 std::vector<float>{expected.at("loss").get<float>()}, kAbsTol, kRelTol))
      << "loss";
  ASSERT_EQ(expected.at("loss_history").size(), std::size_t(steps)) << "the fixture's own history length";
  EXPECT_TRUE(testing::all_close(testing::floats(actual.at("loss_history")), testing::floats(expected.at("loss_history")),
                                 kAbsTol, kRelTol))
      << "loss_history";
  EXPECT_TRUE(testing::all_close(losses, testing::floats(expected.at("loss_history")), kAbsTol, kRelTol))
      << "losses returned by train()";
  expect_tensor_matches(actual.at("input"), expected.at("input"), "input");

  const json& actual_layers = actual.at("layers");
  const json& expected_layers = expected.at("layers");
  ASSERT_EQ(actual_layers.size(), expected_layers.size()) << "layer count";
  for (std::size_t index = 0; index < expected_layers.size(); ++index) {
    const json& a = actual_layers[index];
    const json& e = expected_layers[index];
    const std::string where = "layer " + std::to_string(index) + " (" + e.at("type").get<std::string>() + ")";
    EXPECT_EQ(a.at("type"), e.at("type")) << where;
    for (const char* tensor : {"output", "grad_output", "grad_input"}) {
      expect_tensor_matches(a.at(tensor), e.at(tensor), where + " " + tensor);
    }
    const json& a_params = a.at("params");
    const json& e_params = e.at("params");
    ASSERT_EQ(a_params.size(), e_params.size()) << where << " parameter count";
    for (const auto& item : e_params.items()) {
      const std::string what = where + " " + item.key();
      ASSERT_TRUE(a_params.contains(item.key())) << what << " is missing";
      const json& ap = a_params.at(item.key());
      const json& ep = item.value();
      EXPECT_EQ(ap.at("shape"), ep.at("shape")) << what << " shape";
      EXPECT_TRUE(testing::all_close(testing::floats(ap.at("data")), testing::floats(ep.at("data")), kAbsTol, kRelTol))
          << what << " data";
      EXPECT_TRUE(testing::all_close(testing::floats(ap.at("grad")), testing::floats(ep.at("grad")), kAbsTol, kRelTol))
          << what << " grad";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, ReferenceFixture, ::testing::ValuesIn(fixture_names()), test_name);

TEST(ReferenceFixtures, DirectoryHoldsAtLeastTwentyFixtures) {
  EXPECT_GE(fixture_names().size(), 20u) << "in " << fixture_dir();
}

TEST(ReferenceFixtures, EveryFixtureNamesItselfAndDescribesItsScene) {
  for (const std::string& name : fixture_names()) {
    const json fixture = load_fixture(name);
    EXPECT_EQ(fixture.value("name", ""), name);
    EXPECT_FALSE(fixture.value("description", "").empty()) << name;
    EXPECT_GE(fixture.at("steps").get<int>(), 0) << name;
  }
}

}  // namespace
}  // namespace cnnlens
