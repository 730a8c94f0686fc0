// libFuzzer target over the scene parser and validator, and, for small valid scenes, the Model:
// construction, training steps, batches, every setter with junk, the trace and the explanations;
// version-1 and version-2 (graph) scenes alike. Any
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
  return cnnlens::validate_scene(scene).multiply_adds * scene.batch_size();
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
  expect_scene_error_or_success([&] { cnnlens::explain_conv_input_grad(model, 0, 0, int(size % 5), 1); });
  for (std::size_t k = 0; k < model.node_count(); ++k) {
    for (const cnnlens::NamedTensor& t : model.node(k).tensors()) (void)t.tensor->size();
  }
  if (model.has_loss()) {
    const std::size_t per_sample = cnnlens::element_count(model.scene().sample_shape());
    const std::vector<float> batch(per_sample * 2, junk);
    const std::vector<int> labels = {0, int(size % 3)};
    const std::vector<float> targets(model.output().size() / model.output().shape()[0] * 2, 0.5f);
    expect_scene_error_or_success([&] { model.train_batch(batch.data(), 2, {labels.data(), targets.data()}); });
    expect_scene_error_or_success([&] { model.evaluate(batch.data(), 2, labels.data()); });
  }
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
