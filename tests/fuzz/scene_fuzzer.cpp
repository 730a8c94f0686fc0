// libFuzzer target over the scene parser and validator, and, for small valid scenes, the Model:
// construction, training steps, every setter with junk, the trace and the explanations. Any
// exception other than SceneError, any crash, leak or undefined behaviour is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/explain.hpp"
#include "cnnlens/model.hpp"

namespace {

// Valid scenes bigger than this are only parsed, so each input stays fast.
constexpr std::uint64_t kMaxRunCost = 200'000;

std::uint64_t forward_cost(const cnnlens::Scene& scene) {
  const std::vector<cnnlens::Shape> shapes = cnnlens::validate_scene(scene);
  std::uint64_t cost = 0;
  for (std::size_t k = 0; k < scene.layers.size(); ++k) {
    cost += cnnlens::layer_multiply_adds(scene.layers[k], shapes[k], shapes[k + 1]);
  }
  return cost;
}

template <typename Call>
void expect_scene_error_or_success(Call call) {
  try {
    call();
  } catch (const cnnlens::SceneError&) {
    // A clear, expected rejection.
  }
}

void exercise(cnnlens::Model& model, const std::uint8_t* data, std::size_t size) {
  const float junk = size > 0 ? static_cast<float>(data[0]) - 128.0f : 1.0f;
  expect_scene_error_or_success([&] { model.train(3); });
  expect_scene_error_or_success([&] { model.set_input_cell(0, 0, int(size % 7), junk); });
  expect_scene_error_or_success([&] { model.set_param_element(size % 3, "weight", size % 11, junk); });
  expect_scene_error_or_success([&] { model.set_target(nlohmann::json::array({junk})); });
  expect_scene_error_or_success([&] { model.set_optimizer({{"type", "adam"}, {"lr", 0.01}}); });
  expect_scene_error_or_success([&] { cnnlens::explain_conv_output(model, 0, 0, 0, 0); });
  expect_scene_error_or_success([&] { cnnlens::explain_pool_output(model, 1, 0, 0, 0); });
  (void)cnnlens::trace(model).dump();
  (void)cnnlens::parse_scene(model.to_scene_json().dump());  // an exported scene must parse again
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  cnnlens::Scene scene;
  try {
    scene = cnnlens::parse_scene(text);
  } catch (const cnnlens::SceneError&) {
    return 0;
  }
  if (forward_cost(scene) > kMaxRunCost) return 0;
  cnnlens::Model model(scene);
  exercise(model, data, size);
  return 0;
}
