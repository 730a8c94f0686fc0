// A layer kind, declared once: its fields (types, defaults, limits), how many inputs it takes, its
// shape rule, its cost, its parameters and buffers (shapes, init rule, role) and how to build its
// runtime Layer. The parser, the validator, the builder, the trace and the bindings' layerKinds()
// all loop over these descriptors (registry.hpp); no other code knows a kind by name.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/layer.hpp"
#include "cnnlens/tensor.hpp"

// The cold parts of a kind's file whose forward and backward are hot (its shape rule, checks and
// construction run once per model build): compiled for size, as the files of cold code are
// (bindings/CMakeLists.txt), so the page's module stays within its budget.
#if defined(__clang__)
#define CNNLENS_COLD __attribute__((cold, minsize))
#else
#define CNNLENS_COLD __attribute__((cold))
#endif

namespace cnnlens {

struct Pair {
  int h = 0;
  int w = 0;
  bool operator==(const Pair& o) const { return h == o.h && w == o.w; }
};

// Four-sided padding in PyTorch's F.pad order for 2-D: [top, left, bottom, right].
struct Padding4 {
  int top = 0, left = 0, bottom = 0, right = 0;
  bool operator==(const Padding4& o) const {
    return top == o.top && left == o.left && bottom == o.bottom && right == o.right;
  }
};

enum class FieldType {
  kInt,      // integer in [min, max]
  kNumber,   // finite number in [min, max]
  kPair,     // int or [h, w], each in [min, max]
  kPadding,  // int, [h, w] or [top, left, bottom, right], each in [min, max]
  kChoice,   // one of `choices`
  kBool,
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kInt;
  nlohmann::json default_value;  // null: required (unless default_from is set)
  double min = 0;
  double max = 0;
  std::vector<std::string> choices;
  std::string default_from;  // the default is this other field's value (pool stride = kernel_size)
  bool in_v1 = false;        // written back into version-1 scenes
  bool v1_when_set = false;  // a later addition to version 1: read there, written when not the default
};

// A parameter or buffer tensor as a scene gives it: the values and, from a model file, its name.
struct TensorData {
  std::vector<float> data;
  std::string name;
};

struct LayerKind;

// One node of the graph, as parsed: fields normalised (pairs as [h, w], padding as
// [top, left, bottom, right], every default filled in).
struct NodeSpec {
  std::string id;
  std::string type;
  const LayerKind* kind = nullptr;
  std::vector<std::string> inputs;
  nlohmann::json fields = nlohmann::json::object();
  std::map<std::string, TensorData> tensors;  // parameters and saved buffers the scene gives
  int position = 0;                           // 1-based place in the scene's list

  int integer(const std::string& field) const;
  double number(const std::string& field) const;
  Pair pair(const std::string& field) const;
  Padding4 padding(const std::string& field) const;
  const std::string& choice(const std::string& field) const;
  bool flag(const std::string& field) const;

  ErrorPlace place(const std::string& field = "") const;
  // Throws SceneError(code) at this node, with `details` and an English message prefixed by the
  // node's name ("node conv1 (conv2d): ...", or "layer 2 (conv2d): ..." in a version-1 scene).
  [[noreturn]] void fail(const std::string& code, const std::string& field, nlohmann::json details,
                         const std::string& message) const;
  std::string label() const;
  bool from_v1 = false;
};

// How a parameter or buffer starts when the scene does not give it.
enum class Init {
  kFanIn,   // weights: He normal before relu/leaky_relu/prelu, Xavier uniform otherwise
  kZeros,
  kOnes,
  kConstant,
};

struct TensorDecl {
  std::string name;
  Shape shape;
  Init init = Init::kZeros;
  float constant = 0.0f;
  BufferRole role = BufferRole::kStatistic;  // buffers only
  bool saved = false;                        // buffers only: kept in the scene (running statistics)
};

// Batch-first shapes of a node's inputs: [N, C, H, W] or [N, F].
using InputShapes = std::vector<Shape>;

struct LayerKind {
  const char* type;         // "conv2d": the scene's name
  const char* title;        // "Convolution": the English card title
  const char* pytorch;      // "nn.Conv2d"
  const char* onnx;         // "Conv"
  const char* help_key;     // the page's help text key
  int min_inputs = 1;
  int max_inputs = 1;       // -1: any number
  std::vector<FieldSpec> fields;
  // Names of the parameters and saved buffers a scene may give (shapes come from params()/buffers()).
  std::vector<std::string> tensor_names;
  // Checks the inputs and returns the batch-first output shape; throws through node.fail().
  Shape (*output_shape)(const NodeSpec& node, const InputShapes& inputs) = nullptr;
  // Multiply-adds (or element operations) per sample.
  std::uint64_t (*cost)(const NodeSpec& node, const InputShapes& inputs, const Shape& output) = nullptr;
  std::vector<TensorDecl> (*params)(const NodeSpec& node, const InputShapes& inputs) = nullptr;
  std::vector<TensorDecl> (*buffers)(const NodeSpec& node, const InputShapes& inputs) = nullptr;
  // The runtime layer; `params`/`buffers` arrive filled as declared, in declaration order.
  std::unique_ptr<Layer> (*create)(const NodeSpec& node, const InputShapes& inputs, const Shape& output,
                                   std::vector<Param> params, std::vector<Buffer> buffers) = nullptr;
  // A sub-kind of "activation": element-wise, shape-preserving, one input (for the page's grouping).
  bool elementwise = false;
  // In training mode a sample's result depends on the other samples of its batch (batch
  // statistics; one dropout mask drawn for the batch), so the batch must run as one pass.
  bool mixes_samples_in_training = false;
  // Inputs where an element-wise kind's slope jumps (ReLU: 0; ReLU6: 0 and 6): finite differences
  // across them are wrong, so the gradient check names inputs that sit near one.
  std::vector<float> kinks;
};

// Helpers the kinds share.
std::uint64_t output_elements(const NodeSpec&, const InputShapes&, const Shape& output);
Shape same_shape(const NodeSpec& node, const InputShapes& inputs);
// Checks that an input is [N, C, H, W] (a map) or [N, F] (a vector), naming the node otherwise.
void require_map(const NodeSpec& node, const Shape& input);
void require_vector(const NodeSpec& node, const Shape& input);
// Checks that the node's "groups" divides both `in_channels` and its "out_channels".
void require_groups_divide(const NodeSpec& node, int in_channels);
std::string pair_text(const Pair& p);

}  // namespace cnnlens
