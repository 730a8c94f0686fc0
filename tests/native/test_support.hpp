// Shared helpers for the native tests: reading committed files, comparing tensors with a report
// of the worst element and the first mismatching pairs, and small conveniences around the trace.
#pragma once

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/random.hpp"
#include "cnnlens/tensor.hpp"
#include "test_paths.hpp"

namespace cnnlens::testing {

inline std::string source_path(const std::string& relative_path) {
  return std::string(source_dir()) + "/" + relative_path;
}

inline std::string read_text(const std::string& relative_path) {
  std::ifstream file(source_path(relative_path), std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// |a - b| <= abs_tol + rel_tol * |b| for every element; on failure names the worst index.
inline ::testing::AssertionResult all_close(const std::vector<float>& actual, const std::vector<float>& expected,
                                            double abs_tol = 1e-5, double rel_tol = 1e-4) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure() << "size " << actual.size() << " != expected " << expected.size();
  }
  std::size_t worst = 0, bad = 0;
  double worst_excess = 0.0;
  std::ostringstream pairs;
  for (std::size_t k = 0; k < actual.size(); ++k) {
    const double diff = std::abs(double(actual[k]) - double(expected[k]));
    const double allowed = abs_tol + rel_tol * std::abs(double(expected[k]));
    if (!(diff <= allowed)) {
      if (bad < 5) pairs << "  [" << k << "] " << actual[k] << " vs " << expected[k] << "\n";
      ++bad;
      if (diff - allowed > worst_excess || bad == 1) {
        worst_excess = diff - allowed;
        worst = k;
      }
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << actual.size() << " differ; worst at [" << worst << "] "
                                       << actual[worst] << " vs " << expected[worst] << "\n" << pairs.str();
}

// Values computed in double (finite differences, hand arithmetic) rounded to float for all_close.
inline std::vector<float> as_floats(const std::vector<double>& values) {
  return std::vector<float>(values.begin(), values.end());
}

// A JSON array of numbers as floats (the trace and the fixtures store float32 values).
inline std::vector<float> floats(const nlohmann::json& array) {
  std::vector<float> values;
  values.reserve(array.size());
  for (const auto& v : array) values.push_back(v.get<float>());
  return values;
}

// Deterministic values in [low, high), drawn with the core's own generator.
inline std::vector<float> random_values(std::size_t count, std::uint32_t seed, float low = -1.0f, float high = 1.0f) {
  Random random(seed);
  std::vector<float> values(count);
  for (float& v : values) v = random.uniform(low, high);
  return values;
}

// Deterministic values whose magnitude is at least `margin` (kept away from a ReLU's kink at 0).
inline std::vector<float> values_away_from_zero(std::size_t count, std::uint32_t seed, float margin = 0.1f,
                                                float high = 1.0f) {
  Random random(seed);
  std::vector<float> values(count);
  for (float& v : values) {
    const float magnitude = random.uniform(margin, high);
    v = random.uniform01() < 0.5f ? -magnitude : magnitude;
  }
  return values;
}

inline Model model_from(const nlohmann::json& scene) { return Model::from_json(scene.dump()); }

// The model's trace as text: byte-identical traces mean an identical visible state.
inline std::string trace_text(const Model& model) { return trace(model).dump(); }

// Byte-identical JSON texts; on failure shows the JSON patch that turns `expected` into `actual`
// (truncated), so a differing trace names the paths (layer, tensor, index) that changed.
inline ::testing::AssertionResult same_json_text(const std::string& actual, const std::string& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  std::string patch = nlohmann::json::diff(nlohmann::json::parse(expected), nlohmann::json::parse(actual)).dump();
  if (patch.size() > 800) patch = patch.substr(0, 800) + "...";
  return ::testing::AssertionFailure() << "JSON texts differ; patch from expected to actual: " << patch;
}

// Every tensor every layer lists (values, grads, optimizer state, caches) as one string.
inline std::string all_tensors_text(const Model& model) {
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t index = 0; index < model.layer_count(); ++index) {
    nlohmann::json layer = nlohmann::json::object();
    for (const NamedTensor& named : model.layer(index).tensors()) {
      layer[named.name] = {{"shape", shape_of(*named.tensor)}, {"data", to_vector(*named.tensor)}};
    }
    all.push_back(layer);
  }
  return all.dump();
}

// Runs `action`, which must throw SceneError with `code` at `field` and a message containing
// `text` (an empty one is not checked); failures are reported at the caller's line.
template <typename Action>
void expect_scene_error(Action&& action, const std::string& code, const std::string& field = {},
                        const std::string& text = {}, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  try {
    action();
    ADD_FAILURE_AT(file, line) << "no error; expected " << (code.empty() ? "one at " + field : code);
  } catch (const SceneError& e) {
    if (!code.empty() && e.code() != code) {
      ADD_FAILURE_AT(file, line) << "code " << e.code() << ", expected " << code << ": " << e.what();
    }
    if (!field.empty() && e.place().field != field) {
      ADD_FAILURE_AT(file, line) << "field \"" << e.place().field << "\", expected \"" << field << "\": " << e.what();
    }
    if (!text.empty() && std::string(e.what()).find(text) == std::string::npos) {
      ADD_FAILURE_AT(file, line) << "message \"" << e.what() << "\" lacks \"" << text << "\"";
    }
  }
}

}  // namespace cnnlens::testing
