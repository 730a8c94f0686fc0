// Model::optimizer_state / restore_optimizer_state: a model rebuilt from its scene and given the
// saved state trains on exactly as the original would (Adam's t and moments included).
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/model.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

Model classic_with(const nlohmann::json& optimizer) {
  Model m = Model::from_json(testing::read_text("examples/classic.json"));
  m.set_optimizer(optimizer);
  return m;
}

std::vector<float> all_params(Model& m) {
  std::vector<float> out;
  for (Param* p : m.all_params()) out.insert(out.end(), p->value.data(), p->value.data() + p->value.size());
  return out;
}

TEST(OptimizerState, RebuiltModelWithRestoredStateContinuesExactlyAsTheOriginal) {
  for (const char* type : {"adam", "adamw", "sgd"}) {
    SCOPED_TRACE(type);
    nlohmann::json spec = {{"type", type}, {"lr", 0.01}};
    if (std::string(type) == "sgd") spec["momentum"] = 0.9;  // SGD's state is its momentum
    Model original = classic_with(spec);
    original.train(3);
    const OptimizerState saved = original.optimizer_state();
    EXPECT_EQ(saved.steps, 3);
    EXPECT_EQ(saved.loss_history.size(), 3u);

    Model rebuilt = Model::from_json(original.to_scene_json().dump());
    EXPECT_EQ(rebuilt.steps_taken(), 0) << "a rebuilt model starts its optimizer afresh";
    rebuilt.restore_optimizer_state(saved);
    EXPECT_EQ(rebuilt.steps_taken(), 3);
    EXPECT_EQ(rebuilt.loss_history(), original.loss_history());

    const std::vector<float> a = original.train(2), b = rebuilt.train(2);
    EXPECT_TRUE(testing::all_close(b, a, 0.0, 0.0));
    EXPECT_TRUE(testing::all_close(all_params(rebuilt), all_params(original), 0.0, 0.0));
  }
}

TEST(OptimizerState, WithoutRestoreAdamTakesADifferentStep) {
  // guards the test above: if a fresh Adam happened to step the same, it would prove nothing
  Model original = classic_with({{"type", "adam"}, {"lr", 0.01}});
  original.train(3);
  Model rebuilt = Model::from_json(original.to_scene_json().dump());
  const std::vector<float> a = original.train(1), b = rebuilt.train(1);
  EXPECT_EQ(a, b) << "same parameters, same loss before the step";
  EXPECT_FALSE(testing::all_close(all_params(rebuilt), all_params(original), 1e-7, 0.0));
}

TEST(OptimizerState, EmptyStateMeansNotStarted) {
  Model m = classic_with({{"type", "adam"}, {"lr", 0.01}});
  const OptimizerState fresh = m.optimizer_state();
  m.train(2);
  m.restore_optimizer_state(fresh);
  EXPECT_EQ(m.steps_taken(), 0);
  for (Param* p : m.all_params()) {
    EXPECT_EQ(p->momentum.dimension(), 0u);
    EXPECT_EQ(p->velocity.dimension(), 0u);
  }
  EXPECT_TRUE(m.loss_history().empty());
}

TEST(OptimizerState, StateOfOtherParametersIsRefusedAndChangesNothing) {
  Model m = classic_with({{"type", "adam"}, {"lr", 0.01}});
  m.train(2);
  const OptimizerState before = m.optimizer_state();

  OptimizerState fewer = before;
  fewer.params.pop_back();
  try {
    m.restore_optimizer_state(fewer);
    FAIL() << "a state with one parameter fewer was accepted";
  } catch (const SceneError& e) {
    EXPECT_EQ(e.code(), "optimizer_state_mismatch");
    EXPECT_EQ(e.details().at("expected"), before.params.size());
  }

  OptimizerState wrong = before;
  wrong.steps = 7;
  wrong.params.back().velocity.push_back(1.0f);
  try {
    m.restore_optimizer_state(wrong);
    FAIL() << "a moment of the wrong size was accepted";
  } catch (const SceneError& e) {
    EXPECT_EQ(e.code(), "optimizer_state_mismatch");
    EXPECT_GT(e.place().layer, 0) << "names the layer (1-based)";
  }
  EXPECT_EQ(m.steps_taken(), 2) << "nothing changed";
  EXPECT_EQ(m.optimizer_state().params.back().velocity, before.params.back().velocity);
}

}  // namespace
}  // namespace cnnlens
