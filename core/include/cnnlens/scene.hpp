// The scene: the one serializable state (input sample or batch, a graph of named nodes, loss,
// target, optimizer, mode, seed). Parsing checks types and values through the layer kinds'
// declarations; validate_scene() checks that the graph can run, before anything is allocated.
// Version-1 scenes ("layers") load as a chain and are written back as version 1.
// docs/scene-format.md is the contract this file implements.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/kind.hpp"
#include "cnnlens/limits.hpp"
#include "cnnlens/tensor.hpp"

namespace cnnlens {

// Hyper-parameters are doubles, like PyTorch's Python floats: 1 - beta2 is then computed
// exactly as PyTorch does before it meets the float32 tensors.
struct OptimizerSpec {
  std::string type = "sgd";  // sgd, adam, adamw
  double lr = 0.1;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;  // sgd and adam: added to the gradient; adamw: decoupled
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

enum class LossKind { kNone, kMse, kCrossEntropy };
enum class Mode { kTrain, kEval };

struct Scene {
  int version = 2;  // 1: read from "layers", written back the same way
  std::string title;
  std::string description;
  Shape input_shape;  // as written: [C, H, W] or [F] for one sample, [N, C, H, W] or [N, F] for a batch
  bool batched = false;
  std::vector<float> input;
  std::vector<NodeSpec> nodes;
  LossKind loss = LossKind::kMse;
  std::vector<float> target;        // mse: every sample's output values, back to back
  std::vector<int> target_classes;  // cross_entropy: one class index per sample
  OptimizerSpec optimizer;
  Mode mode = Mode::kTrain;
  std::uint32_t seed = 1;
  nlohmann::json extra;  // fields other tools own (labels, input.normalize, ...): kept as they are

  std::size_t batch_size() const { return batched ? input_shape[0] : 1; }
  Shape sample_shape() const { return batched ? Shape(input_shape.begin() + 1, input_shape.end()) : input_shape; }
  Shape batch_input_shape() const;  // always [N, ...]
};

// Parse and fully validate. Throws SceneError naming the field and reason.
Scene parse_scene(const std::string& json_text);
Scene scene_from_json(const nlohmann::json& j);
nlohmann::json scene_to_json(const Scene& scene);

// One version-2 node object on its own (fields read and defaulted, not wired or shape-checked):
// for tools and tests that build a single layer through the registry.
NodeSpec parse_node(const nlohmann::json& node);

OptimizerSpec optimizer_from_json(const nlohmann::json& j);
nlohmann::json optimizer_to_json(const OptimizerSpec& spec);

// The shapes of a validated graph: batch-first, every edge.
struct GraphShapes {
  Shape input;                              // [N, ...]
  std::vector<Shape> outputs;               // one per node
  std::vector<std::vector<int>> inputs;     // per node: edge indices read (-1 = the input, k = node k)
  std::vector<std::vector<TensorDecl>> params, buffers;
  std::uint64_t multiply_adds = 0;          // per sample
  std::size_t parameters = 0;
};

// Checks the graph (ids, wiring, shapes, limits, given tensors, target) and returns its shapes.
GraphShapes validate_scene(const Scene& scene);

// The "target" field alone for a loss and batch, and its check against the network's output:
// what parse_scene and validate_scene do for the target, for changing it on a live model.
void read_target(const nlohmann::json& target, LossKind loss, bool batched, std::size_t batch,
                 std::vector<float>& values, std::vector<int>& classes);
void check_target(LossKind loss, const std::vector<float>& values, const std::vector<int>& classes, std::size_t batch,
                  const Shape& output_sample);

const char* loss_name(LossKind kind);

}  // namespace cnnlens
