// Every PyTorch fixture in tests/fixtures/graph/ (version-2 scenes: batches, branches, batch norm,
// dropout with the core's own masks): the core's graph trace after N steps matches PyTorch's —
// every node's output and gradient, every parameter and its gradient, the running statistics,
// the per-sample losses and the input's gradient.
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

// Float32 on both sides, different summation orders; batch statistics and several optimizer
// steps amplify those rounding differences a little beyond the chain fixtures' bound.
constexpr double kAbsTol = 2e-5;
constexpr double kRelTol = 2e-4;

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  std::error_code error;
  const auto dir = std::filesystem::path(testing::source_path("tests/fixtures/graph"));
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

void expect_tensor_matches(const json& actual, const json& expected, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_FALSE(actual.is_null()) << what << " is missing from the core's trace";
  EXPECT_EQ(actual.at("shape"), expected.at("shape")) << what << " shape";
  EXPECT_TRUE(testing::all_close(testing::floats(actual.at("data")), testing::floats(expected.at("data")), kAbsTol, kRelTol))
      << what;
}

class GraphFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(GraphFixture, GraphTraceAfterTrainingMatchesPyTorch) {
  const json fixture = json::parse(testing::read_text("tests/fixtures/graph/" + GetParam() + ".json"));
  Model model = Model::from_json(fixture.at("scene").dump());
  const int steps = fixture.at("steps").get<int>();
  const std::vector<float> losses = model.train(steps);
  const json actual = trace(model);
  const json& expected = fixture.at("trace");

  EXPECT_EQ(actual.at("version"), 2);
  EXPECT_TRUE(testing::all_close({actual.at("loss").get<float>()}, {expected.at("loss").get<float>()}, kAbsTol, kRelTol)) << "loss";
  EXPECT_TRUE(testing::all_close(testing::floats(actual.at("losses")), testing::floats(expected.at("losses")), kAbsTol, kRelTol))
      << "per-sample losses";
  EXPECT_TRUE(testing::all_close(losses, testing::floats(expected.at("loss_history")), kAbsTol, kRelTol)) << "loss history";
  expect_tensor_matches(actual.at("input"), expected.at("input"), "input");
  expect_tensor_matches(actual.at("grad_input"), expected.at("grad_input"), "grad_input");

  const json& a_nodes = actual.at("nodes");
  const json& e_nodes = expected.at("nodes");
  ASSERT_EQ(a_nodes.size(), e_nodes.size());
  for (std::size_t k = 0; k < e_nodes.size(); ++k) {
    const json& a = a_nodes[k];
    const json& e = e_nodes[k];
    const std::string where = "node " + e.at("id").get<std::string>() + " (" + e.at("type").get<std::string>() + ")";
    EXPECT_EQ(a.at("id"), e.at("id"));
    EXPECT_EQ(a.at("inputs"), e.at("inputs")) << where;
    expect_tensor_matches(a.at("output"), e.at("output"), where + " output");
    expect_tensor_matches(a.at("grad_output"), e.at("grad_output"), where + " grad_output");
    ASSERT_EQ(a.at("params").size(), e.at("params").size()) << where << " parameter count";
    for (const auto& item : e.at("params").items()) {
      const std::string what = where + " " + item.key();
      ASSERT_TRUE(a.at("params").contains(item.key())) << what << " is missing";
      const json& ap = a.at("params").at(item.key());
      expect_tensor_matches(ap, item.value(), what);
      EXPECT_TRUE(testing::all_close(testing::floats(ap.at("grad")), testing::floats(item.value().at("grad")), kAbsTol, kRelTol))
          << what << " grad";
    }
    for (const auto& item : e.at("buffers").items()) {
      ASSERT_TRUE(a.at("buffers").contains(item.key())) << where << " " << item.key() << " is missing";
      expect_tensor_matches(a.at("buffers").at(item.key()), item.value(), where + " " + item.key());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, GraphFixture, ::testing::ValuesIn(fixture_names()), test_name);

TEST(GraphFixtures, EveryFixtureIsAVersion2SceneThatNamesItself) {
  const auto names = fixture_names();
  EXPECT_GE(names.size(), 2u);
  for (const std::string& name : names) {
    const json fixture = json::parse(testing::read_text("tests/fixtures/graph/" + name + ".json"));
    EXPECT_EQ(fixture.value("name", ""), name);
    EXPECT_EQ(fixture.at("scene").at("version"), 2) << name;
    EXPECT_FALSE(fixture.value("description", "").empty()) << name;
  }
}

}  // namespace
}  // namespace cnnlens
