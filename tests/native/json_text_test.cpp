// to_json_text: float32 values written short and read back to the same bits (never longer than
// nlohmann's Grisu2, laid out as it does), everything else as nlohmann writes it, and a scene's
// text loading as the same model.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/detail/conversions/to_chars.hpp>
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

// Floats where the fast conversion applies ([1e-7, 1e9)): spread over every decade, both signs,
// plus the values a scene is full of (pixels k/255, short decimals) and the edges of the range.
std::vector<float> floats_of_the_fast_range(std::size_t count) {
  std::vector<float> values;
  for (int k = 0; k <= 255; ++k) values.push_back(float(k) / 255.0f);
  for (int k = -8; k <= 9; ++k) {
    const float p = std::pow(10.0f, float(k));
    values.insert(values.end(), {p, std::nextafter(p, 0.0f), std::nextafter(p, 1e30f), -p, 0.5f * p, 0.1f * float(k)});
  }
  for (int e = -24; e <= 30; ++e) values.push_back(std::ldexp(1.0f, e));
  std::mt19937 random(20261201);
  std::uniform_real_distribution<double> decade(-7.0, 9.0);
  while (values.size() < count) {
    const float f = float(std::pow(10.0, decade(random)));
    values.push_back(values.size() % 2 ? -f : f);
  }
  return values;
}

TEST(JsonText, FloatsOfTheUsualRangeComeBackBitForBit) { expect_round_trip(floats_of_the_fast_range(1000000)); }

// The fast conversion against nlohmann's (Grisu2): never more digits, the same layout (where the
// point and the exponent go) whenever the lengths agree, and where the digits differ (two decimals
// of that length both read back) ours is the one nearer the float.
TEST(JsonText, FloatsAreNeverLongerThanGrisu2LaidOutAlikeAndNearer) {
  auto pattern = [](std::string text) {
    for (char& c : text) c = (c >= '0' && c <= '9') ? 'd' : c;
    return text;
  };
  std::size_t differ = 0;
  const std::vector<float> values = floats_of_the_fast_range(300000);
  for (float f : values) {
    char grisu[64];
    const std::string theirs(grisu, nlohmann::detail::to_chars(grisu, grisu + sizeof grisu, f));
    const std::string ours = to_json_text(json(f));
    ASSERT_LE(ours.size(), theirs.size()) << f;
    if (ours.size() != theirs.size() || ours == theirs) continue;
    ASSERT_EQ(pattern(ours), pattern(theirs)) << ours << " against " << theirs;
    // (ties, as 2^-12 = 0.000244140625, go to the even digit: equal up to the reading's rounding)
    const double slack = 1e-15 * std::abs(double(f));
    ASSERT_LE(std::abs(std::stod(ours) - double(f)), std::abs(std::stod(theirs) - double(f)) + slack) << ours << " against " << theirs;
    ++differ;
  }
  std::cout << "[json_text] " << differ << " of " << values.size() << " floats written with other digits than Grisu2's\n";
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

// The writer collects text in a 16 KB buffer: strings longer than half of it, around it and
// beside many small values must come out whole and in order.
TEST(JsonText, TextLongerThanTheWritersBufferComesOutWholeAndInOrder) {
  json doc = json::object();
  for (const std::size_t length : {std::size_t(8191), std::size_t(8193), std::size_t(16384), std::size_t(40000)}) {
    std::string text(length, 'a');
    for (std::size_t k = 0; k < length; k += 97) text[k] = char('b' + k % 20);
    json values = json::array();
    for (int k = 0; k < 3000; ++k) values.push_back(k % 3 == 0 ? json(k) : json(std::to_string(k)));
    doc["s" + std::to_string(length)] = {text, values, text};
  }
  EXPECT_EQ(to_json_text(doc), doc.dump(-1, ' ', false, json::error_handler_t::replace));
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
