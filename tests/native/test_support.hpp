// Shared helpers for the native tests: reading committed files and comparing tensors with a
// report of the worst element and the first mismatching pairs.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cnnlens::testing {

inline std::string read_text(const std::string& relative_path) {
  std::ifstream file(std::string(CNNLENS_SOURCE_DIR) + "/" + relative_path, std::ios::binary);
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

}  // namespace cnnlens::testing
