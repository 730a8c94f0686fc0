// The ReLU fused into its neighbours in passes whose edges are hidden (RunContext::then_relu,
// through_relu): a training step's gradients and a prediction must be the bits of the unfused
// display pass, which runs every node on its own. Each network here shows the scene's own
// samples, so both paths compute the same sums in the same order.
#include <cstring>

#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

json chain_scene(const json& nodes, const Shape& input_shape, std::uint32_t seed) {
  std::size_t count = 1;
  for (std::size_t d : input_shape) count *= d;
  return {{"version", 2},
          {"input", {{"shape", input_shape}, {"data", testing::random_values(count, seed)}}},
          {"nodes", nodes},
          {"loss", "cross_entropy"},
          {"target", json::array({1, 3})},
          {"optimizer", {{"type", "sgd"}, {"lr", 0.1}}},
          {"seed", 1}};
}

std::vector<float> all_gradients(const Model& model) {
  std::vector<float> g(model.parameter_count());
  model.gradients_into(g.data());
  return g;
}

::testing::AssertionResult same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "size " << a.size() << " != " << b.size();
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::memcmp(&a[k], &b[k], sizeof(float)) != 0) {
      return ::testing::AssertionFailure() << "value " << k << ": " << a[k] << " vs " << b[k];
    }
  }
  return ::testing::AssertionSuccess();
}

// The scene's two samples through the display pass (unfused) and as a shard and a prediction (fused).
void expect_fused_passes_match_display(const json& scene) {
  const Model display = testing::model_from(scene);
  const std::vector<float> display_gradients = all_gradients(display);  // reading brings it up to date
  const std::vector<float> display_output = to_vector(display.output());

  Model fused = testing::model_from(scene);
  const std::vector<float> inputs = testing::floats(scene["input"]["data"]);
  const std::vector<int> labels{1, 3};
  BatchTargets targets;
  targets.labels = labels.data();
  fused.shard_gradients(inputs.data(), 2, targets, 2);
  EXPECT_TRUE(same_bits(all_gradients(fused), display_gradients)) << "gradients";
  EXPECT_TRUE(same_bits(fused.predict(inputs.data(), 2), display_output)) << "prediction";
}

// conv -> relu -> 2x2 max pool twice: both fusions, a map with a row and a column no window reads.
TEST(FusedRelu, ConvReluPoolChainsGiveTheDisplayPassBits) {
  const json nodes = {{{"id", "c1"}, {"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"padding", 1}},
                      {{"id", "r1"}, {"type", "relu"}},
                      {{"id", "p1"}, {"type", "maxpool2d"}, {"kernel_size", 2}},
                      {{"id", "c2"}, {"type", "conv2d"}, {"out_channels", 6}, {"kernel_size", 2}},
                      {{"id", "r2"}, {"type", "relu"}},
                      {{"id", "p2"}, {"type", "maxpool2d"}, {"kernel_size", 2}},
                      {{"id", "f"}, {"type", "flatten"}},
                      {{"id", "d"}, {"type", "dense"}, {"out_features", 5}}};
  expect_fused_passes_match_display(chain_scene(nodes, {2, 3, 11, 13}, 5));
}

// Where the pool must not route through the ReLU: a ReLU read twice (the residual add; its conv
// still absorbs it), overlapping windows, a leaky ReLU; and a ReLU after a dense layer (no absorbing).
TEST(FusedRelu, PartlyFusableNetworksGiveTheDisplayPassBitsToo) {
  const json nodes = {{{"id", "c1"}, {"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", 3}, {"padding", 1}},
                      {{"id", "r1"}, {"type", "relu"}},
                      {{"id", "c2"}, {"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", 3}, {"padding", 1}},
                      {{"id", "a"}, {"type", "add"}, {"inputs", {"c2", "r1"}}},
                      {{"id", "r2"}, {"type", "relu"}},
                      {{"id", "p"}, {"type", "maxpool2d"}, {"kernel_size", 3}, {"stride", 2}},
                      {{"id", "l"}, {"type", "leaky_relu"}, {"negative_slope", 0.1}},
                      {{"id", "p2"}, {"type", "maxpool2d"}, {"kernel_size", 2}},
                      {{"id", "f"}, {"type", "flatten"}},
                      {{"id", "d1"}, {"type", "dense"}, {"out_features", 6}},
                      {{"id", "r3"}, {"type", "relu"}},
                      {{"id", "d2"}, {"type", "dense"}, {"out_features", 4}}};
  expect_fused_passes_match_display(chain_scene(nodes, {2, 2, 10, 10}, 7));
}

// Dead units: a bias so negative that most of a map is cut by the ReLU, so the fused pool must
// stop the gradient where the window's maximum is 0.
TEST(FusedRelu, CutUnitsPassNoGradient) {
  json nodes = {{{"id", "c1"}, {"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 3}, {"padding", 1},
                 {"bias", {-0.8, 0.1}}},
                {{"id", "r1"}, {"type", "relu"}},
                {{"id", "p1"}, {"type", "maxpool2d"}, {"kernel_size", 2}},
                {{"id", "f"}, {"type", "flatten"}},
                {{"id", "d"}, {"type", "dense"}, {"out_features", 4}}};
  expect_fused_passes_match_display(chain_scene(nodes, {2, 1, 8, 8}, 9));
}

}  // namespace
}  // namespace cnnlens
