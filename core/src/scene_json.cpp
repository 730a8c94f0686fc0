// Reading and writing scenes as JSON. Every reader checks the JSON type and range of its field
// and throws SceneError naming where it looked, so a bad file explains itself.
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw SceneError(where.empty() ? message : where + ": " + message);
}

std::string type_name(const json& j) { return j.type_name(); }

void require_object(const json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "expected an object, got " + type_name(j));
}

// Rejects fields the format does not know: a misspelt field would otherwise be ignored.
void reject_unknown_fields(const json& j, const std::set<std::string>& known, const std::string& where) {
  for (const auto& item : j.items()) {
    if (known.count(item.key()) == 0) fail(where, "unknown field \"" + item.key() + "\"");
  }
}

double read_double(const json& j, const std::string& field, const std::string& where) {
  if (!j.is_number()) fail(where, field + " must be a number, got " + type_name(j));
  const double value = j.get<double>();
  if (!std::isfinite(value)) fail(where, field + " must be a finite number");
  return value;
}

float read_number(const json& j, const std::string& field, const std::string& where) {
  if (!j.is_number()) fail(where, field + " must be a number, got " + type_name(j));
  const double value = j.get<double>();
  const float narrowed = static_cast<float>(value);
  if (!std::isfinite(value) || !std::isfinite(narrowed)) fail(where, field + " must be a finite number");
  return narrowed;
}

long long read_integer(const json& j, const std::string& field, const std::string& where, long long low,
                       long long high) {
  if (!j.is_number()) fail(where, field + " must be an integer, got " + type_name(j));
  const double value = j.get<double>();
  if (!std::isfinite(value) || value != std::floor(value)) fail(where, field + " must be an integer");
  if (value < static_cast<double>(low) || value > static_cast<double>(high)) {
    fail(where, field + " " + j.dump() + " is out of range (" + std::to_string(low) + " to " +
                    std::to_string(high) + ")");
  }
  return static_cast<long long>(value);
}

int read_int_field(const json& obj, const char* field, const std::string& where, int low, int high,
                   int fallback) {
  if (!obj.contains(field)) return fallback;
  return static_cast<int>(read_integer(obj.at(field), field, where, low, high));
}

// An int or an [h, w] pair.
Pair read_pair(const json& j, const std::string& field, const std::string& where, int low, int high) {
  if (j.is_array()) {
    if (j.size() != 2) fail(where, field + " must be an integer or a pair [h, w]");
    return {static_cast<int>(read_integer(j[0], field, where, low, high)),
            static_cast<int>(read_integer(j[1], field, where, low, high))};
  }
  const int both = static_cast<int>(read_integer(j, field, where, low, high));
  return {both, both};
}

std::vector<float> read_numbers(const json& j, const std::string& field, const std::string& where,
                                std::size_t max_count) {
  if (!j.is_array()) fail(where, field + " must be an array of numbers, got " + type_name(j));
  if (j.size() > max_count) {
    fail(where, field + " has " + std::to_string(j.size()) + " values, more than the limit " +
                    std::to_string(max_count));
  }
  std::vector<float> values;
  values.reserve(j.size());
  for (std::size_t k = 0; k < j.size(); ++k) {
    values.push_back(read_number(j[k], field + "[" + std::to_string(k) + "]", where));
  }
  return values;
}

const std::set<std::string> kLayerTypes = {"conv2d", "maxpool2d", "avgpool2d", "flatten", "dense",
                                           "relu",   "leaky_relu", "sigmoid",  "tanh",    "softmax"};

LayerSpec layer_from_json(const json& j, std::size_t index) {
  std::string where = "layer " + std::to_string(index);
  require_object(j, where);
  if (!j.contains("type")) fail(where, "missing field \"type\"");
  if (!j.at("type").is_string()) fail(where, "type must be a string");
  LayerSpec spec;
  spec.type = j.at("type").get<std::string>();
  if (kLayerTypes.count(spec.type) == 0) {
    fail(where, "unknown layer type \"" + spec.type +
                    "\" (known: conv2d, maxpool2d, avgpool2d, flatten, dense, relu, leaky_relu, "
                    "sigmoid, tanh, softmax)");
  }
  where += " (" + spec.type + ")";
  const int max_window = static_cast<int>(limits::kMaxWindow);
  if (spec.type == "conv2d") {
    reject_unknown_fields(j, {"type", "out_channels", "kernel_size", "stride", "padding", "dilation", "weight", "bias"},
                          where);
    if (!j.contains("out_channels")) fail(where, "missing field \"out_channels\"");
    if (!j.contains("kernel_size")) fail(where, "missing field \"kernel_size\"");
    spec.out_channels = read_int_field(j, "out_channels", where, 1, int(limits::kMaxChannels), 0);
    spec.kernel_size = read_pair(j.at("kernel_size"), "kernel_size", where, 1, max_window);
    if (j.contains("stride")) spec.stride = read_pair(j.at("stride"), "stride", where, 1, max_window);
    if (j.contains("padding")) spec.padding = read_pair(j.at("padding"), "padding", where, 0, max_window);
    if (j.contains("dilation")) spec.dilation = read_pair(j.at("dilation"), "dilation", where, 1, max_window);
  } else if (spec.type == "maxpool2d" || spec.type == "avgpool2d") {
    reject_unknown_fields(j, {"type", "kernel_size", "stride"}, where);
    if (!j.contains("kernel_size")) fail(where, "missing field \"kernel_size\"");
    spec.kernel_size = read_pair(j.at("kernel_size"), "kernel_size", where, 1, max_window);
    if (j.contains("stride")) spec.stride = read_pair(j.at("stride"), "stride", where, 1, max_window);
  } else if (spec.type == "dense") {
    reject_unknown_fields(j, {"type", "out_features", "weight", "bias"}, where);
    if (!j.contains("out_features")) fail(where, "missing field \"out_features\"");
    spec.out_features = read_int_field(j, "out_features", where, 1, int(limits::kMaxTensorElements), 0);
  } else if (spec.type == "leaky_relu") {
    reject_unknown_fields(j, {"type", "negative_slope"}, where);
    if (j.contains("negative_slope")) spec.negative_slope = read_number(j.at("negative_slope"), "negative_slope", where);
  } else {
    reject_unknown_fields(j, {"type"}, where);
  }
  if (j.contains("weight")) spec.weight = read_numbers(j.at("weight"), "weight", where, limits::kMaxParameters);
  if (j.contains("bias")) spec.bias = read_numbers(j.at("bias"), "bias", where, limits::kMaxParameters);
  return spec;
}

json pair_to_json(const Pair& p) { return p.h == p.w ? json(p.h) : json::array({p.h, p.w}); }

json layer_to_json(const LayerSpec& spec) {
  json j = {{"type", spec.type}};
  if (spec.type == "conv2d") {
    j["out_channels"] = spec.out_channels;
    j["kernel_size"] = pair_to_json(spec.kernel_size);
    j["stride"] = pair_to_json(spec.effective_stride());
    j["padding"] = pair_to_json(spec.padding);
    j["dilation"] = pair_to_json(spec.dilation);
  } else if (spec.type == "maxpool2d" || spec.type == "avgpool2d") {
    j["kernel_size"] = pair_to_json(spec.kernel_size);
    j["stride"] = pair_to_json(spec.effective_stride());
  } else if (spec.type == "dense") {
    j["out_features"] = spec.out_features;
  } else if (spec.type == "leaky_relu") {
    j["negative_slope"] = spec.negative_slope;
  }
  if (spec.weight) j["weight"] = *spec.weight;
  if (spec.bias) j["bias"] = *spec.bias;
  return j;
}

void read_input(const json& j, Scene& scene) {
  const std::string where = "input";
  require_object(j, where);
  reject_unknown_fields(j, {"shape", "data"}, where);
  if (!j.contains("shape")) fail(where, "missing field \"shape\"");
  if (!j.contains("data")) fail(where, "missing field \"data\"");
  const json& shape = j.at("shape");
  if (!shape.is_array() || (shape.size() != 1 && shape.size() != 3)) {
    fail(where, "shape must be [C, H, W] or [N]");
  }
  if (shape.size() == 3) {
    scene.input_shape = {std::size_t(read_integer(shape[0], "channels", where, 1, limits::kMaxChannels)),
                         std::size_t(read_integer(shape[1], "height", where, 1, limits::kMaxSide)),
                         std::size_t(read_integer(shape[2], "width", where, 1, limits::kMaxSide))};
  } else {
    scene.input_shape = {std::size_t(read_integer(shape[0], "length", where, 1, limits::kMaxTensorElements))};
  }
  scene.input = read_numbers(j.at("data"), "data", where, limits::kMaxTensorElements);
}

}  // namespace

OptimizerSpec optimizer_from_json(const json& j) {
  const std::string where = "optimizer";
  require_object(j, where);
  OptimizerSpec spec;
  if (!j.contains("type")) fail(where, "missing field \"type\"");
  if (!j.at("type").is_string()) fail(where, "type must be a string");
  spec.type = j.at("type").get<std::string>();
  if (spec.type == "sgd") {
    reject_unknown_fields(j, {"type", "lr", "momentum"}, where);
  } else if (spec.type == "adam") {
    reject_unknown_fields(j, {"type", "lr", "beta1", "beta2", "eps"}, where);
    spec.lr = 0.001;
  } else {
    fail(where, "unknown optimizer type \"" + spec.type + "\" (known: sgd, adam)");
  }
  auto read_in = [&](const char* field, double& target, double low, bool low_open, double high, bool high_open) {
    if (!j.contains(field)) return;
    const double v = read_double(j.at(field), field, where);
    // The value meets float32 tensors, so it must be in range as a float too (1e-50 is 0 there).
    auto outside = [&](double x) { return (low_open ? x <= low : x < low) || (high_open ? x >= high : x > high); };
    if (outside(v) || outside(static_cast<float>(v))) {
      fail(where, std::string(field) + " " + j.at(field).dump() + " must be in " + (low_open ? "(" : "[") +
                      nlohmann::json(low).dump() + ", " + nlohmann::json(high).dump() + (high_open ? ")" : "]"));
    }
    target = v;
  };
  read_in("lr", spec.lr, 0.0, true, limits::kMaxLearningRate, false);
  read_in("momentum", spec.momentum, 0.0, false, 1.0, true);
  read_in("beta1", spec.beta1, 0.0, false, 1.0, true);
  read_in("beta2", spec.beta2, 0.0, false, 1.0, true);
  read_in("eps", spec.eps, 0.0, true, 1.0, false);
  return spec;
}

json optimizer_to_json(const OptimizerSpec& spec) {
  if (spec.type == "adam") {
    return {{"type", "adam"}, {"lr", spec.lr}, {"beta1", spec.beta1}, {"beta2", spec.beta2}, {"eps", spec.eps}};
  }
  return {{"type", "sgd"}, {"lr", spec.lr}, {"momentum", spec.momentum}};
}

void read_target(const json& target, LossKind loss, std::vector<float>& values, int& class_index) {
  if (loss == LossKind::kMse) values = read_numbers(target, "target", "", limits::kMaxTensorElements);
  else class_index = static_cast<int>(read_integer(target, "target class", "", 0, limits::kMaxTensorElements));
}

Scene scene_from_json(const json& j) {
  require_object(j, "scene");
  reject_unknown_fields(j, {"version", "title", "description", "input", "layers", "loss", "target", "optimizer", "seed"},
                        "scene");
  Scene scene;
  if (j.contains("version")) {
    const long long version = read_integer(j.at("version"), "version", "scene", 0, 1000000);
    if (version != 1) fail("scene", "version " + std::to_string(version) + " is not supported (this build reads version 1)");
  }
  for (const char* field : {"title", "description"}) {
    if (!j.contains(field)) continue;
    if (!j.at(field).is_string()) fail("scene", std::string(field) + " must be a string");
  }
  if (j.contains("title")) scene.title = j.at("title").get<std::string>();
  if (j.contains("description")) scene.description = j.at("description").get<std::string>();
  for (const char* field : {"input", "layers", "loss", "target"}) {
    if (!j.contains(field)) fail("scene", std::string("missing field \"") + field + "\"");
  }
  read_input(j.at("input"), scene);

  const json& layers = j.at("layers");
  if (!layers.is_array()) fail("scene", "layers must be an array");
  if (layers.empty()) fail("scene", "layers is empty: a network needs at least one layer");
  if (layers.size() > limits::kMaxLayers) {
    fail("scene", "the network has " + std::to_string(layers.size()) + " layers, more than the limit " +
                      std::to_string(limits::kMaxLayers));
  }
  for (std::size_t k = 0; k < layers.size(); ++k) scene.layers.push_back(layer_from_json(layers[k], k));

  const json& loss = j.at("loss");
  if (loss == "mse") scene.loss = LossKind::kMse;
  else if (loss == "cross_entropy") scene.loss = LossKind::kCrossEntropy;
  else fail("scene", "loss must be \"mse\" or \"cross_entropy\", got " + loss.dump());
  read_target(j.at("target"), scene.loss, scene.target, scene.target_class);

  if (j.contains("optimizer")) scene.optimizer = optimizer_from_json(j.at("optimizer"));
  if (j.contains("seed")) {
    scene.seed = static_cast<std::uint32_t>(read_integer(j.at("seed"), "seed", "scene", 0, 4294967295LL));
  }
  validate_scene(scene);
  return scene;
}

Scene parse_scene(const std::string& json_text) {
  if (json_text.size() > limits::kMaxSceneBytes) {
    throw SceneError("the scene is " + std::to_string(json_text.size() >> 20) + " MB, more than the limit of " +
                     std::to_string(limits::kMaxSceneBytes >> 20) + " MB");
  }
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw SceneError(std::string("the scene is not valid JSON: ") + e.what());
  }
  return scene_from_json(j);
}

json scene_to_json(const Scene& scene) {
  json j;
  j["version"] = 1;
  if (!scene.title.empty()) j["title"] = scene.title;
  if (!scene.description.empty()) j["description"] = scene.description;
  j["input"] = {{"shape", scene.input_shape}, {"data", scene.input}};
  j["layers"] = json::array();
  for (const LayerSpec& spec : scene.layers) j["layers"].push_back(layer_to_json(spec));
  j["loss"] = loss_name(scene.loss);
  if (scene.loss == LossKind::kMse) {
    j["target"] = scene.target;
  } else {
    j["target"] = scene.target_class;
  }
  j["optimizer"] = optimizer_to_json(scene.optimizer);
  j["seed"] = scene.seed;
  return j;
}

}  // namespace cnnlens
