// The scene: the one serializable state (sample, network, loss, target, optimizer, seed).
// Parsing checks types and values; validate_scene() checks that the network can run, before
// anything is allocated. docs/scene-format.md is the contract this file implements.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/tensor.hpp"

namespace cnnlens {

// Documented limits (docs/scene-format.md, "Limits"): checked before allocation.
namespace limits {
constexpr std::size_t kMaxChannels = 1024;
constexpr std::size_t kMaxSide = 512;
constexpr std::size_t kMaxWindow = 512;  // kernel, stride, padding, dilation
constexpr std::size_t kMaxLayers = 64;
constexpr std::size_t kMaxParameters = 10'000'000;
constexpr std::size_t kMaxTensorElements = 4'194'304;
// Multiply-adds of one forward pass: keeps any scene under about half a second per pass in wasm.
constexpr std::uint64_t kMaxMultiplyAdds = 500'000'000;
constexpr std::size_t kMaxSceneBytes = 128u << 20;
constexpr double kMaxLearningRate = 100.0;
}  // namespace limits

struct Pair {
  int h = 0;
  int w = 0;
  bool operator==(const Pair& o) const { return h == o.h && w == o.w; }
};

struct LayerSpec {
  std::string type;
  // conv2d and pools
  int out_channels = 0;
  Pair kernel_size{0, 0};
  std::optional<Pair> stride;  // pools default to kernel_size, conv2d to 1
  Pair padding{0, 0};
  Pair dilation{1, 1};
  // dense
  int out_features = 0;
  // leaky_relu
  float negative_slope = 0.01f;
  // learnable parameters, when the scene gives them
  std::optional<std::vector<float>> weight;
  std::optional<std::vector<float>> bias;

  Pair effective_stride() const;
};

// Hyper-parameters are doubles, like PyTorch's Python floats: 1 - beta2 is then computed
// exactly as PyTorch does before it meets the float32 tensors.
struct OptimizerSpec {
  std::string type = "sgd";
  double lr = 0.1;
  double momentum = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

enum class LossKind { kMse, kCrossEntropy };

struct Scene {
  std::string title;
  std::string description;
  Shape input_shape;
  std::vector<float> input;
  std::vector<LayerSpec> layers;
  LossKind loss = LossKind::kMse;
  std::vector<float> target;  // mse
  int target_class = 0;       // cross_entropy
  OptimizerSpec optimizer;
  std::uint32_t seed = 1;
};

// Parse and fully validate. Throws SceneError with a message that names the field and reason.
Scene parse_scene(const std::string& json_text);
Scene scene_from_json(const nlohmann::json& j);
nlohmann::json scene_to_json(const Scene& scene);

OptimizerSpec optimizer_from_json(const nlohmann::json& j);
nlohmann::json optimizer_to_json(const OptimizerSpec& spec);

// Checks every layer against its input shape and the limits; returns the input shape of each
// layer followed by the network's output shape. Throws SceneError.
std::vector<Shape> validate_scene(const Scene& scene);

// The "target" field alone, for a given loss (values for mse, a class index for
// cross_entropy), and its check against the network's output shape: what parse_scene and
// validate_scene do for the target, for changing it on a live model. Throw SceneError.
void read_target(const nlohmann::json& target, LossKind loss, std::vector<float>& values, int& class_index);
void check_target(LossKind loss, const std::vector<float>& values, int class_index, const Shape& output);

// Multiply-adds (or element operations) of one forward pass of a layer.
std::uint64_t layer_multiply_adds(const LayerSpec& spec, const Shape& input, const Shape& output);

// Shape of one layer's output for a given input; throws SceneError naming layer `index`.
Shape layer_output_shape(const LayerSpec& spec, const Shape& input, std::size_t index);

// Weight and bias shapes of a learnable layer for a given input shape ({} for none).
Shape weight_shape(const LayerSpec& spec, const Shape& input);
Shape bias_shape(const LayerSpec& spec, const Shape& input);

const char* loss_name(LossKind kind);

}  // namespace cnnlens
