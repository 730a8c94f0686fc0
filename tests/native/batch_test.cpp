// Mini-batch training (Model::train_batches / train_batch / evaluate / predict, and a batch split
// between copies of the model with shard_gradients): PyTorch's
// batched mean-reduction training (tests/fixtures/batch/, from generate_batch_reference.py), and
// the batch gradient as the mean of the gradients the single-sample path computes.
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace cnnlens::testing {
namespace {

std::vector<float> param_copy(const Model& model, std::size_t layer, const std::string& name) {
  for (const NamedTensor& t : model.layer(layer).tensors()) {
    if (t.name == name) return to_vector(*t.tensor);
  }
  ADD_FAILURE() << "layer " << layer << " has no " << name;
  return {};
}

class BatchFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchFixture, MatchesPyTorchMeanReductionBatches) {
  const nlohmann::json fixture = nlohmann::json::parse(read_text("tests/fixtures/batch/" + GetParam() + ".json"));
  Model model = Model::from_json(fixture["scene"].dump());
  const std::vector<float> inputs = floats(fixture["inputs"]);
  std::vector<int> labels;
  std::vector<float> targets;
  BatchTargets batch_targets;
  if (fixture.contains("labels")) {
    labels = fixture["labels"].get<std::vector<int>>();
    batch_targets.labels = labels.data();
  } else {
    targets = floats(fixture["targets"]);
    batch_targets.values = targets.data();
  }
  const std::size_t count = fixture["count"].get<std::size_t>();
  const std::vector<float> losses =
      model.train_batches(inputs.data(), count, batch_targets, fixture["batch_size"].get<std::size_t>());
  EXPECT_TRUE(all_close(losses, floats(fixture["expected"]["losses"]))) << "batch losses";
  for (const auto& p : fixture["expected"]["params"]) {
    const std::size_t layer = p["layer"].get<std::size_t>();
    const std::string name = p["name"].get<std::string>();
    EXPECT_TRUE(all_close(param_copy(model, layer, name), floats(p["data"]))) << "layer " << layer << " " << name;
  }
  EXPECT_EQ(model.steps_taken(), static_cast<int>(losses.size()));
  ASSERT_GE(model.loss_history().size(), losses.size());
  EXPECT_FLOAT_EQ(model.loss_history().back(), losses.back());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BatchFixture,
                         ::testing::Values("conv_ce_sgd_momentum", "conv_mse_sigmoid_adam", "dense_ce_sgd_single_batch"));

// A conv net with cross-entropy; plain SGD with lr 1 so the update is minus the mean gradient.
std::string ce_scene() {
  return R"({"version": 1, "input": {"shape": [2, 6, 5], "data": )" +
         nlohmann::json(random_values(60, 11)).dump() + R"(},
    "layers": [{"type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1, "stride": [2, 1]},
               {"type": "tanh"}, {"type": "flatten"}, {"type": "dense", "out_features": 4}],
    "loss": "cross_entropy", "target": 1, "optimizer": {"type": "sgd", "lr": 1}, "seed": 3})";
}

TEST(Batch, GradientIsTheMeanOfSingleSampleGradients) {
  constexpr std::size_t kCount = 5;
  const std::vector<float> inputs = random_values(kCount * 60, 21);
  const std::vector<int> labels = {0, 3, 1, 1, 2};
  Model single = Model::from_json(ce_scene());
  const std::vector<std::pair<std::size_t, std::string>> params = {{0, "weight"}, {0, "bias"}, {3, "weight"}, {3, "bias"}};
  std::vector<std::vector<double>> mean_grad(params.size());
  double mean_loss = 0.0;
  for (std::size_t k = 0; k < kCount; ++k) {
    single.set_input(std::vector<float>(inputs.begin() + k * 60, inputs.begin() + (k + 1) * 60));
    single.set_target(labels[k]);
    mean_loss += single.loss() / kCount;
    for (std::size_t p = 0; p < params.size(); ++p) {
      const std::vector<float> g = param_copy(single, params[p].first, params[p].second + ".grad");
      mean_grad[p].resize(g.size());
      for (std::size_t i = 0; i < g.size(); ++i) mean_grad[p][i] += double(g[i]) / kCount;
    }
  }
  Model batch = Model::from_json(ce_scene());
  std::vector<std::vector<float>> before;
  for (const auto& p : params) before.push_back(param_copy(batch, p.first, p.second));
  const float loss = batch.train_batch(inputs.data(), kCount, BatchTargets{labels.data(), nullptr});
  EXPECT_NEAR(loss, mean_loss, 1e-5);
  for (std::size_t p = 0; p < params.size(); ++p) {
    const std::vector<float> after = param_copy(batch, params[p].first, params[p].second);
    std::vector<double> step(after.size());
    for (std::size_t i = 0; i < after.size(); ++i) step[i] = double(before[p][i]) - after[i];  // lr 1: the mean grad
    EXPECT_TRUE(all_close(as_floats(step), as_floats(mean_grad[p]), 1e-5, 1e-3)) << params[p].second;
  }
}

TEST(Batch, StateRuleHoldsAfterBatchCalls) {
  Model model = Model::from_json(ce_scene());
  const std::vector<float> inputs = random_values(3 * 60, 5);
  const std::vector<int> labels = {2, 0, 3};
  model.train_batches(inputs.data(), 3, BatchTargets{labels.data(), nullptr}, 2);
  EXPECT_EQ(model.steps_taken(), 2);
  // The listed tensors describe the model's own input and target with the new parameters.
  Model fresh = Model::from_json(model.to_scene_json().dump());
  EXPECT_TRUE(all_close(to_vector(model.layer(3).output()), to_vector(fresh.layer(3).output())));
  EXPECT_TRUE(all_close(param_copy(model, 0, "weight.grad"), param_copy(fresh, 0, "weight.grad")));
  EXPECT_FLOAT_EQ(model.loss(), fresh.loss());

  // evaluate and predict leave every tensor as it was.
  const std::vector<float> out_before = to_vector(model.layer(3).output());
  const std::vector<float> grad_before = param_copy(model, 3, "weight.grad");
  const Evaluation eval = model.evaluate(inputs.data(), 3, labels.data());
  ASSERT_EQ(eval.predictions.size(), 3u);
  EXPECT_LE(eval.correct, 3u);
  EXPECT_TRUE(std::isfinite(eval.mean_loss));
  const std::vector<float> logits = model.predict(inputs.data() + 60);
  EXPECT_EQ(static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin()), eval.predictions[1]);
  EXPECT_EQ(to_vector(model.layer(3).output()), out_before);
  EXPECT_EQ(param_copy(model, 3, "weight.grad"), grad_before);
  EXPECT_EQ(model.steps_taken(), 2);
}

TEST(Batch, PredictTakesSeveralSamplesBatchFirst) {
  Model model = Model::from_json(ce_scene());
  const std::vector<float> inputs = random_values(3 * 60, 21);
  const std::vector<float> all = model.predict(inputs.data(), 3);
  ASSERT_EQ(all.size(), 3 * model.output_size());
  for (std::size_t k = 0; k < 3; ++k) {
    const std::vector<float> one = model.predict(inputs.data() + k * model.sample_size());
    EXPECT_EQ(std::vector<float>(all.begin() + long(k * one.size()), all.begin() + long((k + 1) * one.size())), one) << "sample " << k;
  }
}

// Inference skips what only the backward pass reads (max pooling's winners, four windows at a
// time): its outputs must still be the forward pass's, bit for bit. Widths 14 -> 7 windows take
// the four-at-a-time path and the one-by-one rest; ReLU's zeros make ties.
TEST(Batch, PredictMatchesTheForwardPassThroughMaxPooling) {
  const std::string scene = R"({"version": 1, "input": {"shape": [2, 11, 14], "data": )" +
                            nlohmann::json(random_values(2 * 11 * 14, 31)).dump() + R"(},
    "layers": [{"type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1}, {"type": "relu"},
               {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"}, {"type": "dense", "out_features": 4}],
    "loss": "cross_entropy", "target": 1})";
  Model model = Model::from_json(scene);
  const std::size_t last = model.layer_count() - 1;
  const std::vector<float> input = to_vector(model.input());
  const std::vector<float> forward = to_vector(model.layer(last).output());
  EXPECT_EQ(model.predict(input.data()), forward);
  // and a training step afterwards routes its gradients as on a model that never predicted
  Model fresh = Model::from_json(scene);
  const std::vector<int> label = {1};
  model.train_batch(input.data(), 1, BatchTargets{label.data(), nullptr});
  fresh.train_batch(input.data(), 1, BatchTargets{label.data(), nullptr});
  EXPECT_EQ(param_copy(model, 0, "weight"), param_copy(fresh, 0, "weight"));
}

TEST(Batch, BadArgumentsThrowAndChangeNothing) {
  Model model = Model::from_json(ce_scene());
  const std::vector<float> weight = param_copy(model, 0, "weight");
  std::vector<float> inputs = random_values(2 * 60, 9);
  const std::vector<int> bad_labels = {0, 4};
  EXPECT_THROW(model.train_batch(inputs.data(), 2, BatchTargets{bad_labels.data(), nullptr}), SceneError);
  EXPECT_THROW(model.train_batch(inputs.data(), 2, BatchTargets{}), SceneError);
  EXPECT_THROW(model.train_batch(inputs.data(), 0, BatchTargets{bad_labels.data(), nullptr}), SceneError);
  const std::vector<int> labels = {0, 1};
  EXPECT_THROW(model.train_batches(inputs.data(), 2, BatchTargets{labels.data(), nullptr}, 0), SceneError);
  inputs[70] = std::nanf("");
  EXPECT_THROW(model.train_batch(inputs.data(), 2, BatchTargets{labels.data(), nullptr}), SceneError);
  EXPECT_THROW(model.predict(inputs.data() + 60), SceneError);
  EXPECT_EQ(param_copy(model, 0, "weight"), weight);
  EXPECT_EQ(model.steps_taken(), 0);
}

// ------------------------------------------------------------------ data-parallel training

// One step of a batch split into shards of `sizes` samples across copies of the model: each copy
// computes its shard, every copy sets the shards' sum (added in shard order) and steps.
float split_step(std::vector<Model>& copies, const std::vector<float>& inputs, const std::vector<int>& labels,
                 const std::vector<std::size_t>& sizes) {
  std::size_t total = 0, first = 0;
  for (std::size_t n : sizes) total += n;
  double loss_sum = 0.0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    loss_sum += copies[k].shard_gradients(inputs.data() + first * copies[k].sample_size(), sizes[k],
                                          BatchTargets{labels.data() + first, nullptr}, total);
    first += sizes[k];
  }
  std::vector<float> sum(copies[0].parameter_count()), shard(sum.size());
  copies[0].gradients_into(sum.data());
  for (std::size_t k = 1; k < sizes.size(); ++k) {
    copies[k].gradients_into(shard.data());
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += shard[i];
  }
  const float mean = static_cast<float>(loss_sum / double(total));
  for (Model& copy : copies) {
    copy.set_gradients(sum.data());
    copy.apply_gradients(mean);
  }
  return mean;
}

std::string adam_scene() {
  nlohmann::json scene = nlohmann::json::parse(ce_scene());
  scene["optimizer"] = {{"type", "adam"}, {"lr", 0.01}};
  return scene.dump();
}

std::vector<float> all_parameters(const Model& model) {
  std::vector<float> out(model.parameter_count());
  model.parameters_into(out.data());
  return out;
}

TEST(DataParallel, ShardsAddUpToTheWholeBatchStep) {
  Model whole = Model::from_json(adam_scene());
  std::vector<Model> copies;
  for (int k = 0; k < 3; ++k) copies.push_back(Model::from_json(adam_scene()));
  for (int step = 0; step < 6; ++step) {
    const std::vector<float> inputs = random_values(8 * 60, 100 + step);
    const std::vector<int> labels = {0, 3, 1, 2, 2, 0, 1, 3};
    const float loss = whole.train_batch(inputs.data(), 8, BatchTargets{labels.data(), nullptr});
    const float split = split_step(copies, inputs, labels, {3, 3, 2});
    EXPECT_NEAR(split, loss, 1e-6f * std::max(1.0f, std::fabs(loss))) << "step " << step;
  }
  // The same numbers up to float rounding (the sums run in another order); every copy equal.
  EXPECT_TRUE(all_close(all_parameters(copies[0]), all_parameters(whole), 1e-5, 1e-4));
  EXPECT_EQ(all_parameters(copies[1]), all_parameters(copies[0]));
  EXPECT_EQ(all_parameters(copies[2]), all_parameters(copies[0]));
  EXPECT_EQ(copies[2].steps_taken(), 6);
  EXPECT_FLOAT_EQ(copies[0].loss_history().back(), whole.loss_history().back());
}

TEST(DataParallel, TheSameSplitGivesTheSameNumbersBitForBit) {
  std::vector<std::vector<float>> runs;
  for (int run = 0; run < 2; ++run) {
    std::vector<Model> copies;
    for (int k = 0; k < 2; ++k) copies.push_back(Model::from_json(adam_scene()));
    for (int step = 0; step < 4; ++step) {
      const std::vector<float> inputs = random_values(6 * 60, 200 + step);
      split_step(copies, inputs, {1, 0, 3, 2, 1, 0}, {3, 3});
    }
    runs.push_back(all_parameters(copies[0]));
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(DataParallel, RefusalsChangeNothing) {
  Model model = Model::from_json(ce_scene());
  const std::vector<float> before = all_parameters(model);
  std::vector<float> values = before;
  expect_scene_error([&] { model.apply_gradients(1.0f); }, "no_shard_gradients");
  values[2] = std::nanf("");
  expect_scene_error([&] { model.set_parameters(values.data()); }, "not_finite");
  expect_scene_error([&] { model.set_gradients(values.data()); }, "not_finite");
  expect_scene_error([&] { model.apply_gradients(1.0f); }, "no_shard_gradients");
  const std::vector<float> inputs = random_values(2 * 60, 5);
  const std::vector<int> labels = {0, 1};
  expect_scene_error([&] { model.shard_gradients(inputs.data(), 2, BatchTargets{labels.data(), nullptr}, 1); }, "out_of_range");
  EXPECT_EQ(all_parameters(model), before);
  // The finiteness check runs four values at a time with a scalar tail: a NaN or an infinity
  // is refused wherever it is, and the most extreme finite values are taken.
  for (std::size_t k = 0; k < values.size(); ++k) {
    for (const float bad : {std::nanf(""), INFINITY, -INFINITY}) {
      std::vector<float> one = before;
      one[k] = bad;
      expect_scene_error([&] { model.set_parameters(one.data()); }, "not_finite");
    }
  }
  std::vector<float> extremes = before;
  for (std::size_t k = 0; k < extremes.size(); ++k) {
    const float pick[] = {FLT_MAX, -FLT_MAX, FLT_MIN / 4, -0.0f};
    extremes[k] = pick[k % 4];
  }
  model.set_parameters(extremes.data());
  EXPECT_EQ(all_parameters(model), extremes);
  model.set_parameters(before.data());
  // A step in between uses the gradients: they can't be applied a second time.
  model.shard_gradients(inputs.data(), 2, BatchTargets{labels.data(), nullptr}, 2);
  model.apply_gradients(0.5f);
  expect_scene_error([&] { model.apply_gradients(0.5f); }, "no_shard_gradients");
  EXPECT_EQ(model.steps_taken(), 1);

  // the same net as a graph (version 2), with a dropout node
  nlohmann::json with_dropout = nlohmann::json::parse(ce_scene());
  nlohmann::json chain = with_dropout["layers"];
  chain.insert(chain.begin() + 2, nlohmann::json::object({{"type", "dropout"}, {"p", 0.5}}));
  nlohmann::json nodes = nlohmann::json::array();
  for (std::size_t k = 0; k < chain.size(); ++k) {
    nlohmann::json node = chain[k];
    node["id"] = "n" + std::to_string(k);
    node["inputs"] = nlohmann::json::array({k == 0 ? std::string("input") : "n" + std::to_string(k - 1)});
    nodes.push_back(node);
  }
  with_dropout.erase("layers");
  with_dropout["nodes"] = nodes;
  with_dropout["version"] = 2;
  with_dropout["mode"] = "train";
  Model mixing = Model::from_json(with_dropout.dump());
  EXPECT_FALSE(mixing.splits_batches());
  EXPECT_TRUE(model.splits_batches());
  expect_scene_error([&] { mixing.shard_gradients(inputs.data(), 2, BatchTargets{labels.data(), nullptr}, 2); },
                    "batch_not_splittable");
}

}  // namespace
}  // namespace cnnlens::testing
