// Reading and writing scenes as JSON. Every reader checks the JSON type and range of its field and
// throws SceneError naming where it looked, so a bad file explains itself. Node fields are read
// generically from each kind's declared FieldSpecs (kind.hpp); nothing here knows a kind by name.
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/registry.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

// Where a reader looks: the text that prefixes its messages, and the structured place.
struct Where {
  std::string text;  // "input", "layer 2 (conv2d)", "node c1 (conv2d)", "optimizer", "scene"
  ErrorPlace place;
};

[[noreturn]] void fail(const Where& where, const std::string& code, const std::string& field, json details,
                       const std::string& message) {
  ErrorPlace place = where.place;
  if (!field.empty()) place.field = field;
  throw SceneError(code, place, std::move(details), where.text.empty() ? message : where.text + ": " + message);
}

std::string type_name(const json& j) { return j.type_name(); }

// A value of the wrong JSON kind: `expected` ("string", "array") and, when given, what came, for
// the page's wording ("must be a list, not text"). Out of line: a dozen callers.
[[noreturn]] void fail_wrong_type(const Where& where, const std::string& field, const char* expected, const json* got,
                                  const std::string& message) {
  json details{{"expected", expected}};
  if (got != nullptr) details["got"] = type_name(*got);
  fail(where, "wrong_type", field, std::move(details), message);
}

void require_object(const json& j, const Where& where) {
  if (!j.is_object()) fail_wrong_type(where, "", "object", &j, "expected an object, got " + type_name(j));
}

// Rejects fields the format does not know: a misspelt field would otherwise be ignored.
void reject_unknown_fields(const json& j, const std::set<std::string>& known, const Where& where) {
  for (const auto& item : j.items()) {
    if (known.count(item.key()) == 0) fail(where, "unknown_field", item.key(), json::object(), "unknown field \"" + item.key() + "\"");
  }
}

double read_double(const json& j, const std::string& field, const Where& where) {
  if (!j.is_number()) fail(where, "not_a_number", field, {{"got", type_name(j)}}, field + " must be a number, got " + type_name(j));
  const double value = j.get<double>();
  if (!std::isfinite(value)) fail(where, "not_finite", field, json::object(), field + " must be a finite number");
  return value;
}

float read_number(const json& j, const std::string& field, const Where& where) {
  if (!j.is_number()) fail(where, "not_a_number", field, {{"got", type_name(j)}}, field + " must be a number, got " + type_name(j));
  const double value = j.get<double>();
  const float narrowed = static_cast<float>(value);
  if (!std::isfinite(value) || !std::isfinite(narrowed)) {
    fail(where, "not_finite", field, json::object(), field + " must be a finite number");
  }
  return narrowed;
}

long long read_integer(const json& j, const std::string& field, const Where& where, long long low, long long high) {
  if (!j.is_number()) fail(where, "not_an_integer", field, {{"got", type_name(j)}}, field + " must be an integer, got " + type_name(j));
  const double value = j.get<double>();
  if (!std::isfinite(value) || value != std::floor(value)) {
    fail(where, "not_an_integer", field, json::object(), field + " must be an integer");
  }
  if (value < static_cast<double>(low) || value > static_cast<double>(high)) {
    fail(where, "out_of_range", field, {{"value", value}, {"min", low}, {"max", high}},
         field + " " + j.dump() + " is out of range (" + std::to_string(low) + " to " + std::to_string(high) + ")");
  }
  return static_cast<long long>(value);
}

std::vector<float> read_numbers(const json& j, const std::string& field, const Where& where, std::size_t max_count) {
  if (!j.is_array()) {
    fail(where, "not_an_array", field, {{"got", type_name(j)}}, field + " must be an array of numbers, got " + type_name(j));
  }
  if (j.size() > max_count) {
    fail(where, "too_many_values", field, {{"count", j.size()}, {"max", max_count}},
         field + " has " + std::to_string(j.size()) + " values, more than the limit " + std::to_string(max_count));
  }
  std::vector<float> values;
  values.reserve(j.size());
  for (std::size_t k = 0; k < j.size(); ++k) values.push_back(read_number(j[k], field + "[" + std::to_string(k) + "]", where));
  return values;
}

// One declared field, normalised: pairs as [h, w], padding as [top, left, bottom, right].
json read_field(const FieldSpec& spec, const json& j, const Where& where) {
  const std::string& f = spec.name;
  const auto lo = static_cast<long long>(spec.min), hi = static_cast<long long>(spec.max);
  switch (spec.type) {
    case FieldType::kInt: return read_integer(j, f, where, lo, hi);
    case FieldType::kNumber: {
      const double v = read_double(j, f, where);
      if (!std::isfinite(static_cast<float>(v))) fail(where, "not_finite", f, json::object(), f + " must be a finite number");
      if (v < spec.min || v > spec.max) {
        fail(where, "out_of_range", f, {{"value", v}, {"min", spec.min}, {"max", spec.max}},
             f + " " + j.dump() + " is out of range (" + json(spec.min).dump() + " to " + json(spec.max).dump() + ")");
      }
      return v;
    }
    case FieldType::kPair: {
      if (j.is_array()) {
        if (j.size() != 2) fail(where, "bad_pair", f, json::object(), f + " must be an integer or a pair [h, w]");
        return json::array({read_integer(j[0], f, where, lo, hi), read_integer(j[1], f, where, lo, hi)});
      }
      const long long both = read_integer(j, f, where, lo, hi);
      return json::array({both, both});
    }
    case FieldType::kPadding: {
      if (j.is_array()) {
        if (j.size() == 2) {
          const long long h = read_integer(j[0], f, where, lo, hi), w = read_integer(j[1], f, where, lo, hi);
          return json::array({h, w, h, w});
        }
        if (j.size() == 4) {
          json out = json::array();
          for (int k = 0; k < 4; ++k) out.push_back(read_integer(j[k], f, where, lo, hi));
          return out;
        }
        fail(where, "bad_padding", f, json::object(), f + " must be an integer, a pair [h, w] or [top, left, bottom, right]");
      }
      const long long all = read_integer(j, f, where, lo, hi);
      return json::array({all, all, all, all});
    }
    case FieldType::kChoice: {
      if (!j.is_string() || std::find(spec.choices.begin(), spec.choices.end(), j.get<std::string>()) == spec.choices.end()) {
        std::string known;
        for (const auto& c : spec.choices) known += (known.empty() ? "\"" : ", \"") + c + "\"";
        fail(where, "bad_choice", f, {{"choices", spec.choices}, {"got", j}}, f + " must be one of " + known + ", got " + j.dump());
      }
      return j;
    }
    case FieldType::kBool:
      if (!j.is_boolean()) fail(where, "not_a_boolean", f, {{"got", type_name(j)}}, f + " must be true or false, got " + type_name(j));
      return j;
  }
  return j;
}

json write_field(const FieldSpec& spec, const json& value) {
  if (spec.type == FieldType::kPair && value[0] == value[1]) return value[0];
  if (spec.type == FieldType::kPadding) {
    if (value[0] == value[1] && value[0] == value[2] && value[0] == value[3]) return value[0];
    if (value[0] == value[2] && value[1] == value[3]) return json::array({value[0], value[1]});
  }
  return value;
}

bool is_tensor_name(const LayerKind& kind, const std::string& name) {
  for (const std::string& t : kind.tensor_names) {
    if (t == name) return true;
  }
  return false;
}

// A parameter or saved buffer: an array of numbers, or {"data": [...], "name": "conv1.weight"}.
TensorData read_tensor(const json& j, const std::string& field, const Where& where) {
  TensorData out;
  if (j.is_object()) {
    reject_unknown_fields(j, {"data", "name"}, {where.text + " " + field, where.place});
    if (!j.contains("data")) fail(where, "missing_field", field, {{"missing", "data"}}, field + ": missing field \"data\"");
    if (j.contains("name")) {
      if (!j.at("name").is_string()) fail_wrong_type(where, field, "string", nullptr, field + ": name must be a string");
      out.name = j.at("name").get<std::string>();
    }
    out.data = read_numbers(j.at("data"), field, where, limits::kMaxParameters);
    return out;
  }
  out.data = read_numbers(j, field, where, limits::kMaxParameters);
  return out;
}

json write_tensor(const TensorData& t) {
  if (t.name.empty()) return t.data;
  return {{"data", t.data}, {"name", t.name}};
}

// The kind's fields and tensors of one node object; `reserved` are the structural keys.
void read_node_body(const json& j, NodeSpec& node, const Where& where, const std::set<std::string>& reserved) {
  const LayerKind& kind = *node.kind;
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (reserved.count(key)) continue;
    bool known = is_tensor_name(kind, key);
    for (const FieldSpec& f : kind.fields) known = known || (f.name == key && (!node.from_v1 || f.in_v1 || f.v1_when_set));
    if (!known) fail(where, "unknown_field", key, json::object(), "unknown field \"" + key + "\"");
  }
  for (const FieldSpec& f : kind.fields) {
    if (j.contains(f.name) && (!node.from_v1 || f.in_v1 || f.v1_when_set)) {
      node.fields[f.name] = read_field(f, j.at(f.name), where);
    } else if (f.default_value.is_null() && f.default_from.empty()) {
      fail(where, "missing_field", f.name, json::object(), "missing field \"" + f.name + "\"");
    }
  }
  // Defaults after every given field, so a default may copy another field (pool stride = kernel_size).
  for (const FieldSpec& f : kind.fields) {
    if (node.fields.contains(f.name)) continue;
    node.fields[f.name] = f.default_from.empty() ? read_field(f, f.default_value, where) : node.fields.at(f.default_from);
  }
  for (const std::string& t : kind.tensor_names) {
    if (j.contains(t)) node.tensors[t] = read_tensor(j.at(t), t, where);
  }
}

const LayerKind& read_kind(const json& j, const Where& where) {
  if (!j.contains("type")) fail(where, "missing_field", "type", json::object(), "missing field \"type\"");
  if (!j.at("type").is_string()) fail_wrong_type(where, "type", "string", &j.at("type"), "type must be a string");
  const std::string type = j.at("type").get<std::string>();
  const LayerKind* kind = find_kind(type);
  if (kind == nullptr) {
    fail(where, "unknown_type", "type", {{"got", type}},
         "unknown layer type \"" + type + "\" (known: " + kind_names() + ")");
  }
  return *kind;
}

// Version 1: a chain; ids are the type and a per-type count ("conv2d_1", "relu_2").
NodeSpec layer_from_json(const json& j, std::size_t index, std::map<std::string, int>& counts) {
  Where where{"layer " + std::to_string(index + 1), {"", int(index + 1), "", ""}};
  require_object(j, where);
  const LayerKind& kind = read_kind(j, where);
  NodeSpec node;
  node.kind = &kind;
  node.type = kind.type;
  node.from_v1 = true;
  node.position = int(index + 1);
  node.id = node.type + "_" + std::to_string(++counts[node.type]);
  where.text += " (" + node.type + ")";
  where.place = node.place();
  read_node_body(j, node, where, {"type"});
  return node;
}

// [A-Za-z0-9_.:/-]+, checked by hand: std::regex would add a few hundred KB to the wasm module.
bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == ':' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

NodeSpec node_from_json(const json& j, std::size_t index) {
  Where where{"node " + std::to_string(index + 1), {"", int(index + 1), "", ""}};
  require_object(j, where);
  NodeSpec node;
  node.position = int(index + 1);
  if (!j.contains("id")) fail(where, "missing_field", "id", json::object(), "missing field \"id\"");
  if (!j.at("id").is_string()) fail_wrong_type(where, "id", "string", nullptr, "id must be a string");
  node.id = j.at("id").get<std::string>();
  if (!valid_id(node.id)) {
    fail(where, "bad_id", "id", {{"got", node.id.substr(0, 128)}},
         "id \"" + node.id.substr(0, 128) + "\" must be 1 to 128 of the characters A-Z a-z 0-9 _ . : / -");
  }
  if (node.id == "input") fail(where, "bad_id", "id", {{"got", node.id}}, "id \"input\" is reserved for the network's input");
  where.text = "node " + node.id;
  where.place.node = node.id;
  const LayerKind& kind = read_kind(j, where);
  node.kind = &kind;
  node.type = kind.type;
  where.text += " (" + node.type + ")";
  where.place = node.place();
  if (j.contains("inputs")) {
    const json& inputs = j.at("inputs");
    if (!inputs.is_array() || inputs.size() > limits::kMaxInputsPerNode) {
      fail_wrong_type(where, "inputs", "array", nullptr, "inputs must be an array of node ids (at most 64)");
    }
    for (const json& name : inputs) {
      if (!name.is_string()) fail_wrong_type(where, "inputs", "array", nullptr, "inputs must be an array of node ids");
      node.inputs.push_back(name.get<std::string>());
    }
  }
  read_node_body(j, node, where, {"id", "type", "inputs"});
  return node;
}

json node_to_json(const NodeSpec& node, bool v1) {
  json j = json::object();
  if (!v1) j["id"] = node.id;
  j["type"] = node.type;
  if (!v1) j["inputs"] = node.inputs;
  for (const FieldSpec& f : node.kind->fields) {
    const json value = write_field(f, node.fields.at(f.name));
    if (v1 && !f.in_v1 && !(f.v1_when_set && value != f.default_value)) continue;
    j[f.name] = value;
  }
  for (const std::string& t : node.kind->tensor_names) {
    auto it = node.tensors.find(t);
    if (it != node.tensors.end()) j[t] = write_tensor(it->second);
  }
  return j;
}

void read_input(const json& j, Scene& scene, bool v1) {
  const Where where{"input", {"", 0, "", "input"}};
  require_object(j, where);
  reject_unknown_fields(j, {"shape", "data", "normalize"}, where);
  if (!j.contains("shape")) fail(where, "missing_field", "shape", json::object(), "missing field \"shape\"");
  if (!j.contains("data")) fail(where, "missing_field", "data", json::object(), "missing field \"data\"");
  const json& shape = j.at("shape");
  const bool rank_ok = shape.is_array() && (v1 ? (shape.size() == 1 || shape.size() == 3) : (shape.size() >= 1 && shape.size() <= 4));
  if (!rank_ok) fail(where, "bad_shape", "shape", json::object(), v1 ? "shape must be [C, H, W] or [N]" : "shape must be [C, H, W], [F], [N, C, H, W] or [N, F]");
  scene.batched = shape.size() == 2 || shape.size() == 4;
  scene.input_shape.clear();
  std::size_t axis = 0;
  if (scene.batched) scene.input_shape.push_back(std::size_t(read_integer(shape[axis++], "batch", where, 1, limits::kMaxBatch)));
  if (shape.size() - axis == 3) {
    scene.input_shape.push_back(std::size_t(read_integer(shape[axis], "channels", where, 1, limits::kMaxChannels)));
    scene.input_shape.push_back(std::size_t(read_integer(shape[axis + 1], "height", where, 1, limits::kMaxSide)));
    scene.input_shape.push_back(std::size_t(read_integer(shape[axis + 2], "width", where, 1, limits::kMaxSide)));
  } else {
    scene.input_shape.push_back(std::size_t(read_integer(shape[axis], "length", where, 1, limits::kMaxTensorElements)));
  }
  scene.input = read_numbers(j.at("data"), "data", where, limits::kMaxTensorElements);
  if (j.contains("normalize")) scene.extra["input.normalize"] = j.at("normalize");
}

}  // namespace

NodeSpec parse_node(const json& node) { return node_from_json(node, 0); }

Shape Scene::batch_input_shape() const {
  if (batched) return input_shape;
  Shape s = {1};
  s.insert(s.end(), input_shape.begin(), input_shape.end());
  return s;
}

const char* loss_name(LossKind kind) {
  switch (kind) {
    case LossKind::kNone: return "none";
    case LossKind::kMse: return "mse";
    case LossKind::kCrossEntropy: return "cross_entropy";
  }
  return "mse";
}

OptimizerSpec optimizer_from_json(const json& j) {
  const Where where{"optimizer", {"", 0, "", "optimizer"}};
  require_object(j, where);
  OptimizerSpec spec;
  if (!j.contains("type")) fail(where, "missing_field", "type", json::object(), "missing field \"type\"");
  if (!j.at("type").is_string()) fail_wrong_type(where, "type", "string", &j.at("type"), "type must be a string");
  spec.type = j.at("type").get<std::string>();
  if (spec.type == "sgd") {
    reject_unknown_fields(j, {"type", "lr", "momentum", "nesterov", "weight_decay"}, where);
  } else if (spec.type == "adam" || spec.type == "adamw") {
    reject_unknown_fields(j, {"type", "lr", "beta1", "beta2", "eps", "weight_decay"}, where);
    spec.lr = 0.001;
    if (spec.type == "adamw") spec.weight_decay = 0.01;  // PyTorch's AdamW default
  } else {
    fail(where, "unknown_optimizer", "type", {{"got", spec.type}}, "unknown optimizer type \"" + spec.type + "\" (known: sgd, adam, adamw)");
  }
  auto read_in = [&](const char* field, double& target, double low, bool low_open, double high, bool high_open) {
    if (!j.contains(field)) return;
    const double v = read_double(j.at(field), field, where);
    // The value meets float32 tensors, so it must be in range as a float too (1e-50 is 0 there).
    auto outside = [&](double x) { return (low_open ? x <= low : x < low) || (high_open ? x >= high : x > high); };
    if (outside(v) || outside(static_cast<float>(v))) {
      // an open bound is said so in the details, for the page's wording ("more than 0")
      json details{{"value", v}, {"min", low}, {"max", high}};
      if (low_open) details["min_open"] = true;
      if (high_open) details["max_open"] = true;
      fail(where, "out_of_range", field, details,
           std::string(field) + " " + j.at(field).dump() + " must be in " + (low_open ? "(" : "[") + json(low).dump() + ", " +
               json(high).dump() + (high_open ? ")" : "]"));
    }
    target = v;
  };
  read_in("lr", spec.lr, 0.0, true, limits::kMaxLearningRate, false);
  read_in("momentum", spec.momentum, 0.0, false, 1.0, true);
  read_in("beta1", spec.beta1, 0.0, false, 1.0, true);
  read_in("beta2", spec.beta2, 0.0, false, 1.0, true);
  read_in("eps", spec.eps, 0.0, true, 1.0, false);
  read_in("weight_decay", spec.weight_decay, 0.0, false, 1.0, false);
  if (j.contains("nesterov")) {
    if (!j.at("nesterov").is_boolean()) fail(where, "not_a_boolean", "nesterov", json::object(), "nesterov must be true or false");
    spec.nesterov = j.at("nesterov").get<bool>();
    if (spec.nesterov && spec.momentum == 0.0) {
      fail(where, "nesterov_needs_momentum", "nesterov", json::object(), "nesterov needs a momentum above 0 (as in PyTorch)");
    }
  }
  return spec;
}

json optimizer_to_json(const OptimizerSpec& spec) {
  json j;
  if (spec.type == "adam" || spec.type == "adamw") {
    j = {{"type", spec.type}, {"lr", spec.lr}, {"beta1", spec.beta1}, {"beta2", spec.beta2}, {"eps", spec.eps}};
    if (spec.type == "adamw" || spec.weight_decay != 0.0) j["weight_decay"] = spec.weight_decay;
    return j;
  }
  j = {{"type", "sgd"}, {"lr", spec.lr}, {"momentum", spec.momentum}};
  if (spec.nesterov) j["nesterov"] = true;
  if (spec.weight_decay != 0.0) j["weight_decay"] = spec.weight_decay;
  return j;
}

void read_target(const json& target, LossKind loss, bool batched, std::size_t batch, std::vector<float>& values,
                 std::vector<int>& classes) {
  const Where where{"", {"", 0, "", "target"}};
  if (loss == LossKind::kNone) return;
  if (!batched) {
    if (loss == LossKind::kMse) {
      values = read_numbers(target, "target", where, limits::kMaxTensorElements);
    } else {
      classes = {static_cast<int>(read_integer(target, "target class", where, 0, limits::kMaxTensorElements))};
    }
    return;
  }
  if (!target.is_array() || target.size() != batch) {
    fail(where, "target_batch_mismatch", "target", {{"batch", batch}, {"got", target.is_array() ? target.size() : 0}},
         "target must have one entry per sample: " + std::to_string(batch) + " for the input batch of " + std::to_string(batch));
  }
  std::vector<float> all_values;
  std::vector<int> all_classes;
  for (std::size_t k = 0; k < batch; ++k) {
    const std::string field = "target[" + std::to_string(k) + "]";
    if (loss == LossKind::kMse) {
      const std::vector<float> row = read_numbers(target[k], field, where, limits::kMaxTensorElements);
      if (k > 0 && row.size() != all_values.size() / k) {
        fail(where, "target_size", "target", json::object(), field + " has " + std::to_string(row.size()) + " values, unlike target[0]");
      }
      all_values.insert(all_values.end(), row.begin(), row.end());
    } else {
      all_classes.push_back(static_cast<int>(read_integer(target[k], field, where, 0, limits::kMaxTensorElements)));
    }
  }
  values = std::move(all_values);
  classes = std::move(all_classes);
}

void check_target(LossKind loss, const std::vector<float>& values, const std::vector<int>& classes, std::size_t batch,
                  const Shape& output) {
  const ErrorPlace place{"", 0, "", "target"};
  if (loss == LossKind::kMse) {
    const std::size_t per_sample = element_count(output);
    if (values.size() != per_sample * batch) {
      const std::size_t got = batch > 0 ? values.size() / batch : values.size();
      throw SceneError("target_size", place, {{"got", got}, {"expected", per_sample}, {"output", output}},
                       "target has " + std::to_string(got) + " values, but the network's output " +
                           shape_to_string(output) + " has " + std::to_string(per_sample));
    }
  } else if (loss == LossKind::kCrossEntropy) {
    if (output.size() != 1) {
      throw SceneError("needs_class_scores", place, {{"output", output}},
                       "cross_entropy needs a 1-D output (class scores), but the network's output is " +
                           shape_to_string(output) + "; end the network with flatten and dense");
    }
    for (int c : classes) {
      if (c < 0 || std::size_t(c) >= output[0]) {
        throw SceneError("class_out_of_range", place, {{"class", c}, {"classes", output[0]}},
                         "target class " + std::to_string(c) + " is out of range: the output has " + std::to_string(output[0]) +
                             " classes (0 to " + std::to_string(output[0] - 1) + ")");
      }
    }
  }
}

Scene scene_from_json(const json& j) {
  const Where scene_where{"scene", {}};
  require_object(j, scene_where);
  Scene scene;
  if (j.contains("version")) {
    const long long version = read_integer(j.at("version"), "version", scene_where, 0, 1000000);
    if (version != 1 && version != 2) {
      fail(scene_where, "unsupported_version", "version", {{"got", version}},
           "version " + std::to_string(version) + " is not supported (this build reads versions 1 and 2)");
    }
    scene.version = int(version);
  } else {
    scene.version = j.contains("nodes") ? 2 : 1;
  }
  if (j.contains("layers") && j.contains("nodes")) {
    fail(scene_where, "layers_and_nodes", "nodes", json::object(), "a scene has either \"layers\" (version 1) or \"nodes\" (version 2), not both");
  }
  const bool v1 = scene.version == 1;
  if (v1) {
    // version 1 gained what a photo or a data set brings (labels, input.normalize, loss "none",
    // conv2d groups); a file without them reads as before
    reject_unknown_fields(j, {"version", "title", "description", "input", "layers", "loss", "target", "optimizer", "seed", "labels"}, scene_where);
  } else {
    reject_unknown_fields(j, {"version", "title", "description", "input", "nodes", "loss", "target", "optimizer", "seed",
                              "mode", "labels"},
                          scene_where);
  }
  for (const char* field : {"title", "description"}) {
    if (j.contains(field) && !j.at(field).is_string()) fail_wrong_type(scene_where, field, "string", &j.at(field), std::string(field) + " must be a string");
  }
  if (j.contains("title")) scene.title = j.at("title").get<std::string>();
  if (j.contains("description")) scene.description = j.at("description").get<std::string>();
  const char* list_field = v1 ? "layers" : "nodes";
  for (const char* field : {"input", list_field, "loss"}) {
    if (!j.contains(field)) fail(scene_where, "missing_field", field, json::object(), std::string("missing field \"") + field + "\"");
  }
  read_input(j.at("input"), scene, v1);

  const json& list = j.at(list_field);
  if (!list.is_array()) fail_wrong_type(scene_where, list_field, "array", &list, std::string(list_field) + " must be an array");
  if (list.empty()) fail(scene_where, "empty_network", list_field, json::object(), std::string(list_field) + " is empty: a network needs at least one layer");
  if (list.size() > limits::kMaxNodes) {
    fail(scene_where, "too_many_nodes", list_field, {{"count", list.size()}, {"max", limits::kMaxNodes}},
         "the network has " + std::to_string(list.size()) + " " + list_field + ", more than the limit " + std::to_string(limits::kMaxNodes));
  }
  std::map<std::string, int> counts;
  for (std::size_t k = 0; k < list.size(); ++k) {
    scene.nodes.push_back(v1 ? layer_from_json(list[k], k, counts) : node_from_json(list[k], k));
  }
  // Default wiring: the previous node, the first node the input.
  for (std::size_t k = 0; k < scene.nodes.size(); ++k) {
    NodeSpec& node = scene.nodes[k];
    if (v1 || !list[k].contains("inputs")) node.inputs = {k == 0 ? std::string("input") : scene.nodes[k - 1].id};
  }

  const json& loss = j.at("loss");
  if (loss == "mse") scene.loss = LossKind::kMse;
  else if (loss == "cross_entropy") scene.loss = LossKind::kCrossEntropy;
  // "none": a forward-only scene (a kernel run over a photo), in either version
  else if (loss == "none") scene.loss = LossKind::kNone;
  else fail(scene_where, "bad_loss", "loss", {{"got", loss}}, "loss must be \"mse\", \"cross_entropy\" or \"none\", got " + loss.dump());
  if (scene.loss == LossKind::kNone) {
    if (j.contains("target")) fail(scene_where, "target_without_loss", "target", json::object(), "a scene with loss \"none\" takes no target");
  } else {
    if (!j.contains("target")) fail(scene_where, "missing_field", "target", json::object(), "missing field \"target\"");
    read_target(j.at("target"), scene.loss, scene.batched, scene.batch_size(), scene.target, scene.target_classes);
  }
  if (j.contains("optimizer")) scene.optimizer = optimizer_from_json(j.at("optimizer"));
  if (j.contains("seed")) scene.seed = static_cast<std::uint32_t>(read_integer(j.at("seed"), "seed", scene_where, 0, 4294967295LL));
  if (j.contains("mode")) {
    const json& mode = j.at("mode");
    if (mode == "train") scene.mode = Mode::kTrain;
    else if (mode == "eval") scene.mode = Mode::kEval;
    else fail(scene_where, "bad_mode", "mode", {{"got", mode}}, "mode must be \"train\" or \"eval\", got " + mode.dump());
  }
  if (j.contains("labels")) {
    const json& labels = j.at("labels");
    bool ok = labels.is_array() && labels.size() <= 100000;
    for (const json& l : labels) ok = ok && l.is_string();
    if (!ok) fail_wrong_type(scene_where, "labels", "array", nullptr, "labels must be an array of class names (strings)");
    scene.extra["labels"] = labels;
  }
  validate_scene(scene);
  return scene;
}

Scene parse_scene(const std::string& json_text) {
  if (json_text.size() > limits::kMaxSceneBytes) {
    throw SceneError("scene_too_large", {}, {{"megabytes", json_text.size() >> 20}, {"max", limits::kMaxSceneBytes >> 20}},
                     "the scene is " + std::to_string(json_text.size() >> 20) + " MB, more than the limit of " +
                         std::to_string(limits::kMaxSceneBytes >> 20) + " MB");
  }
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw SceneError("not_json", {}, {{"reason", e.what()}}, std::string("the scene is not valid JSON: ") + e.what());
  }
  return scene_from_json(j);
}

json scene_to_json(const Scene& scene) {
  const bool v1 = scene.version == 1;
  json j;
  j["version"] = scene.version;
  if (!scene.title.empty()) j["title"] = scene.title;
  if (!scene.description.empty()) j["description"] = scene.description;
  j["input"] = {{"shape", scene.input_shape}, {"data", scene.input}};
  if (scene.extra.is_object() && scene.extra.contains("input.normalize")) j["input"]["normalize"] = scene.extra.at("input.normalize");
  json nodes = json::array();
  for (const NodeSpec& node : scene.nodes) nodes.push_back(node_to_json(node, v1));
  j[v1 ? "layers" : "nodes"] = nodes;
  j["loss"] = loss_name(scene.loss);
  if (scene.loss == LossKind::kMse) {
    if (!scene.batched) {
      j["target"] = scene.target;
    } else {
      const std::size_t per = scene.target.size() / scene.batch_size();
      json rows = json::array();
      for (std::size_t k = 0; k < scene.batch_size(); ++k) {
        rows.push_back(std::vector<float>(scene.target.begin() + k * per, scene.target.begin() + (k + 1) * per));
      }
      j["target"] = rows;
    }
  } else if (scene.loss == LossKind::kCrossEntropy) {
    if (scene.batched) j["target"] = scene.target_classes;
    else j["target"] = scene.target_classes.at(0);
  }
  j["optimizer"] = optimizer_to_json(scene.optimizer);
  if (!v1) j["mode"] = scene.mode == Mode::kEval ? "eval" : "train";
  j["seed"] = scene.seed;
  if (scene.extra.is_object() && scene.extra.contains("labels")) j["labels"] = scene.extra.at("labels");
  return j;
}

}  // namespace cnnlens
