// to_json_text: float32 values written short and read back to the same bits, everything else as
// nlohmann writes it, and a scene's text loading as the same model.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/json_text.hpp"
#include "cnnlens/model.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

std::uint32_t bits_of(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// Every float read back as the core reads a scene: parsed as a double, then narrowed.
void expect_round_trip(const std::vector<float>& values) {
  const json back = json::parse(to_json_text(json(values)));
  ASSERT_EQ(back.size(), values.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    const float read = back[k].get<float>();
    ASSERT_EQ(bits_of(read), bits_of(values[k])) << "value " << k << ": " << values[k] << " came back as " << read;
  }
}

TEST(JsonText, FloatsComeBackBitForBit) {
  const float tiny = std::numeric_limits<float>::denorm_min();
  std::vector<float> values = {0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 1.0f / 3.0f, 3.0f, 1e6f, 1.5e7f, 1e-5f, 123456.79f,
                               std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
                               std::numeric_limits<float>::min(), tiny, 2 * tiny, -tiny, 0.37254902720451355f};
  // a million random bit patterns (every exponent, sign and mantissa), NaN and infinity left out
  std::mt19937 bits(20261201);
  while (values.size() < 1000000) {
    const std::uint32_t b = bits();
    float f;
    std::memcpy(&f, &b, sizeof f);
    if (std::isfinite(f)) values.push_back(f);
  }
  expect_round_trip(values);
}

TEST(JsonText, ShortForFloatsTheSameAsNlohmannForTheRest) {
  EXPECT_EQ(to_json_text(json(0.37254902720451355f)), "0.37254903");
  EXPECT_EQ(to_json_text(json(0.1f)), "0.1");
  EXPECT_EQ(to_json_text(json(3.0f)), "3.0");
  // a double that is not a float32 value keeps its double form
  EXPECT_EQ(to_json_text(json(0.1)), "0.1");
  EXPECT_EQ(to_json_text(json(0.1 + 1e-12)), json(0.1 + 1e-12).dump());
  const json mixed = {{"b", {1, -2, true, nullptr, "x\"y"}}, {"a", {{"lr", 0.01}, {"w", std::vector<float>{0.5f, -0.25f}}}},
                      {"nan", std::nan("")}, {"text", "caf\xc3\xa9"}};
  EXPECT_EQ(to_json_text(mixed), mixed.dump(-1, ' ', false, json::error_handler_t::replace));
  // invalid UTF-8 is replaced, as the page's dump does, rather than thrown
  EXPECT_EQ(to_json_text(json("a\xff")), json("a\xff").dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST(JsonText, ASceneTextLoadsAsTheSameModel) {
  Model model = Model::from_json(testing::read_text("examples/classic.json"));
  model.train(3);  // weights that are not short decimals
  const json scene = model.to_scene_json();
  const std::string text = to_json_text(scene);
  EXPECT_LT(text.size(), scene.dump().size());
  const Model back = Model::from_json(text);
  EXPECT_EQ(back.to_scene_json(), scene);
}

}  // namespace
}  // namespace cnnlens
