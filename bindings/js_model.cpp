// Conversions and error translation around cnnlens::Model. Views are zero-copy windows on the
// wasm heap: valid until the next call that may allocate (any mutating call). Copies are safe.
#include "js_model.hpp"
#include "js_errors.hpp"
#include "js_text.hpp"

#include <emscripten/emscripten.h>
#include <algorithm>
#include <cstdint>
#include <malloc.h>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/explain.hpp"
#include "cnnlens/explain_cell.hpp"
#include "cnnlens/gradient_check.hpp"
#include "cnnlens/json_text.hpp"
#include "cnnlens/kernels/gemm.hpp"
#include "cnnlens/landscape.hpp"
#include "cnnlens/registry.hpp"

// The gradient sums' terms as JS objects, read straight from the structs' memory in one call
// (cnnlens::WeightGradTerm: 4 ints then 2 floats; InputGradTerm: 5 ints then 2 floats). Going
// through JSON text cost milliseconds for the 784 terms of one weight on a 28x28 map.
EM_JS(emscripten::EM_VAL, weight_grad_terms_to_js, (const void* terms, int count), {
  const out = new Array(count);
  for (let k = 0, w = terms >> 2; k < count; k++, w += 6) {
    out[k] = { row: HEAP32[w], col: HEAP32[w + 1], input_row: HEAP32[w + 2], input_col: HEAP32[w + 3],
               input: HEAPF32[w + 4], grad_output: HEAPF32[w + 5] };
  }
  return Emval.toHandle(out);
});
EM_JS(emscripten::EM_VAL, input_grad_terms_to_js, (const void* terms, int count), {
  const out = new Array(count);
  for (let k = 0, w = terms >> 2; k < count; k++, w += 7) {
    out[k] = { out_channel: HEAP32[w], row: HEAP32[w + 1], col: HEAP32[w + 2], kernel_row: HEAP32[w + 3],
               kernel_col: HEAP32[w + 4], weight: HEAPF32[w + 5], grad_output: HEAPF32[w + 6] };
  }
  return Emval.toHandle(out);
});

namespace cnnlens::js {
namespace {

static_assert(sizeof(WeightGradTerm) == 6 * 4 && sizeof(InputGradTerm) == 7 * 4, "read by the EM_JS helpers above");

template <typename Sum>
val gradient_sum_to_js(const Sum& g, emscripten::EM_VAL (*terms_to_js)(const void*, int)) {
  val out = val::object();
  out.set("terms", val::take_ownership(terms_to_js(g.terms.data(), int(g.terms.size()))));
  out.set("sum", val(g.sum));
  out.set("grad", val(double(g.grad)));
  return out;
}

using emscripten::typed_memory_view;

}  // namespace

namespace {

val shape_to_js(const Shape& s) {
  val shape = val::array();
  for (std::size_t d : s) shape.call<void>("push", val(static_cast<double>(d)));
  return shape;
}

val shape_to_js(const Tensor& t) { return shape_to_js(shape_of(t)); }

// The index-based (version-1) calls show tensors per sample when the scene has one sample: the
// batch axis of its edges and per-sample buffers is dropped, as the version-1 trace does.
bool drops_batch_axis(const Model& model, const std::string& role) {
  return !model.scene().batched &&
         (role == "input" || role == "output" || role == "grad" || role == "routing" || role == "mask");
}

Shape shown_shape(const Model& model, const NamedTensor& t) {
  const Shape s = shape_of(*t.tensor);
  return drops_batch_axis(model, t.role) && !s.empty() ? Shape(s.begin() + 1, s.end()) : s;
}

Shape per_sample(const Tensor& t) {
  const Shape s = shape_of(t);
  return Shape(s.begin() + 1, s.end());
}

val float_view(const Tensor& t) { return val(typed_memory_view(t.size(), t.data())); }

val float_copy(const float* data, std::size_t size) {
  return val::global("Float32Array").new_(val(typed_memory_view(size, data)));
}

val parse_json(const nlohmann::json& j) { return val::global("JSON").call<val>("parse", val(j.dump())); }

// Numbers from any JS array-like; anything that is not a number becomes NaN, which the core rejects.
std::vector<float> numbers_from_js(const val& values) {
  if (!values.isArray() && !values.instanceof(val::global("Float32Array")) &&
      !values.instanceof(val::global("Float64Array"))) {
    throw SceneError("expected an array of numbers");
  }
  return emscripten::convertJSArrayToNumberVector<float>(values);
}

std::size_t layer_index(int layer) {
  if (layer < 0) throw SceneError("layer index must not be negative");
  return static_cast<std::size_t>(layer);
}

std::string string_from_js(const val& value, const char* what) {
  if (!value.isString()) throw SceneError(std::string(what) + " must be a string");
  return value.as<std::string>();
}

nlohmann::json parse_argument(const val& text, const char* what) {
  try {
    return nlohmann::json::parse(string_from_js(text, what));
  } catch (const nlohmann::json::exception&) {
    throw SceneError(std::string(what) + " is not valid JSON");
  }
}

bool is_numbers(const val& values) {
  return values.isArray() || (val::global("ArrayBuffer").call<bool>("isView", values) && values["length"].isNumber());
}

// Copies a JS array or typed array of numbers into `out` with one TypedArray.set on a heap view
// (which converts the element type); returns the length.
template <typename T>
std::size_t copy_from_js(const val& values, std::vector<T>& out, const char* what) {
  if (!is_numbers(values)) throw SceneError(std::string(what) + " must be a typed array or an array of numbers");
  const std::size_t n = values["length"].as<std::size_t>();
  out.resize(n);  // may grow the heap: the view is made after
  val(typed_memory_view(n, out.data())).call<void>("set", values);
  return n;
}

}  // namespace

JsModel::JsModel(const std::string& scene_json) : model_(std::make_unique<Model>(Model::from_json(scene_json))) {}

void JsModel::forward() { guarded([&] { model_->forward(); }); }
void JsModel::backward() { guarded([&] { model_->backward(); }); }
double JsModel::step() { return guarded([&] { return double(model_->step()); }); }

val JsModel::train(int steps) {
  return guarded([&] {
    const std::vector<float> losses = model_->train(steps);
    return float_copy(losses.data(), losses.size());
  });
}

double JsModel::loss() const { return model_->loss(); }

val JsModel::loss_history() const {
  const std::vector<float>& history = model_->loss_history();
  return float_copy(history.data(), history.size());
}

int JsModel::steps_taken() const { return model_->steps_taken(); }
val JsModel::trace() const { return guarded([&] { return js_string(cnnlens::trace(*model_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)); }); }
val JsModel::to_json() const { return guarded([&] { return js_string(to_json_text(model_->to_scene_json())); }); }

int JsModel::layer_count() const { return static_cast<int>(model_->layer_count()); }

std::string JsModel::layer_type(int layer) const {
  return guarded([&] { return std::string(model_->layer(layer_index(layer)).type()); });
}

val JsModel::layer_tensors(int layer) const {
  return guarded([&] {
    val list = val::array();
    for (const NamedTensor& t : model_->layer(layer_index(layer)).tensors()) {
      val entry = val::object();
      entry.set("name", t.name);
      entry.set("shape", shape_to_js(shown_shape(*model_, t)));
      entry.set("role", t.role);
      list.call<void>("push", entry);
    }
    return list;
  });
}

val JsModel::node_ids() const {
  val list = val::array();
  for (const NodeSpec& node : model_->scene().nodes) list.call<void>("push", val(node.id));
  return list;
}

val JsModel::node_tensors(const val& id) const {
  return guarded([&] {
    val list = val::array();
    const NodeView node = model_->node(string_from_js(id, "node id"));
    for (const NamedTensor& t : node.tensors()) {
      val entry = val::object();
      entry.set("name", t.name);
      entry.set("shape", shape_to_js(*t.tensor));
      entry.set("role", t.role);
      list.call<void>("push", entry);
    }
    return list;
  });
}

const Tensor& JsModel::find_node_tensor(const val& id, const val& name) const {
  const std::string wanted = string_from_js(name, "tensor name");
  const NodeView node = model_->node(string_from_js(id, "node id"));
  for (const NamedTensor& t : node.tensors()) {
    if (t.name == wanted) return *t.tensor;
  }
  throw SceneError("no_such_tensor", node.spec().place(), {{"name", wanted}},
                   "node " + node.id() + " has no tensor \"" + wanted + "\"");
}

val JsModel::node_view(const val& id, const val& name) const {
  return guarded([&] { return float_view(find_node_tensor(id, name)); });
}

val JsModel::node_copy(const val& id, const val& name) const {
  return guarded([&] {
    const Tensor& t = find_node_tensor(id, name);
    return float_copy(t.data(), t.size());
  });
}

void JsModel::set_node_param(const val& id, const val& name, const val& values) {
  guarded([&] {
    const std::size_t index = model_->node_index(string_from_js(id, "node id"));
    model_->set_param(index, string_from_js(name, "parameter name"), numbers_from_js(values));
  });
}

void JsModel::set_node_param_element(const val& id, const val& name, int index, double value) {
  guarded([&] {
    const std::size_t node = model_->node_index(string_from_js(id, "node id"));
    const std::string param = string_from_js(name, "parameter name");
    if (index < 0) throw SceneError(param + " element index must not be negative");
    model_->set_param_element(node, param, static_cast<std::size_t>(index), static_cast<float>(value));
  });
}

val JsModel::losses() const {
  if (!model_->has_loss()) return val::null();
  const std::vector<float>& values = model_->losses();
  return float_copy(values.data(), values.size());
}

val layer_kinds() { return parse_json(layer_kinds_json()); }

const Tensor& JsModel::find_tensor(int layer, const val& name) const {
  const std::string wanted = string_from_js(name, "tensor name");
  for (const NamedTensor& t : model_->layer(layer_index(layer)).tensors()) {
    if (t.name == wanted) return *t.tensor;
  }
  throw SceneError("layer " + std::to_string(layer) + " has no tensor \"" + wanted + "\"");
}

val JsModel::view(int layer, const val& name) const {
  return guarded([&] { return float_view(find_tensor(layer, name)); });
}

val JsModel::copy(int layer, const val& name) const {
  return guarded([&] {
    const Tensor& t = find_tensor(layer, name);
    return float_copy(t.data(), t.size());
  });
}

val JsModel::input_view() const { return float_view(model_->input()); }
val JsModel::input_shape() const { return shape_to_js(model_->scene().input_shape); }
val JsModel::output_shape() const {
  const Tensor& out = model_->output();
  return shape_to_js(model_->scene().batched ? shape_of(out) : per_sample(out));
}
val JsModel::loss_grad_view() const { return float_view(model_->loss_grad()); }
val JsModel::target_view() const { return float_view(model_->target()); }
val JsModel::optimizer() const { return parse_json(optimizer_to_json(model_->optimizer())); }

void JsModel::set_input(const val& values) {
  guarded([&] { model_->set_input(numbers_from_js(values)); });
}

void JsModel::set_input_cell(int channel, int row, int col, double value) {
  guarded([&] { model_->set_input_cell(channel, row, col, static_cast<float>(value)); });
}

void JsModel::set_param(int layer, const val& name, const val& values) {
  guarded([&] { model_->set_param(layer_index(layer), string_from_js(name, "parameter name"), numbers_from_js(values)); });
}

void JsModel::set_param_element(int layer, const val& name, int index, double value) {
  guarded([&] {
    const std::string param = string_from_js(name, "parameter name");
    if (index < 0) throw SceneError(param + " element index must not be negative");
    model_->set_param_element(layer_index(layer), param, static_cast<std::size_t>(index), static_cast<float>(value));
  });
}

void JsModel::set_target(const val& target_json) {
  guarded([&] { model_->set_target(parse_argument(target_json, "target")); });
}

void JsModel::set_optimizer(const val& optimizer_json) {
  guarded([&] { model_->set_optimizer(parse_argument(optimizer_json, "optimizer")); });
}

void JsModel::reset_optimizer() { guarded([&] { model_->reset_optimizer(); }); }

// ------------------------------------------------------------------ samples from JS
// Every batch call goes through the staging area: its samples, then its targets (or, for
// predict, room for the outputs). The JS fast lane (fast_calls.js) writes typed arrays into it
// directly and calls the *_staged methods with numbers only; the `val` methods below copy their
// arguments in with one TypedArray.set each and share the same checks.

float* JsModel::stage_area(std::size_t input_values, std::size_t target_values) {
  const std::size_t outputs = input_values / model_->sample_size() * model_->output_size();
  staging_.resize(input_values + std::max(target_values, outputs));  // no-op once warm
  return staging_.data();
}

int JsModel::stage(int input_values, int target_values) {
  return guarded([&] {
    if (input_values < 0 || target_values < 0) throw SceneError("stage: lengths must not be negative");
    return int(reinterpret_cast<std::uintptr_t>(stage_area(std::size_t(input_values), std::size_t(target_values))));
  });
}

std::size_t JsModel::count_samples(std::size_t input_values, std::size_t expected_samples) const {
  const std::size_t size = model_->sample_size();
  if (input_values == 0 || input_values % size != 0 || (expected_samples != 0 && input_values / size != expected_samples)) {
    throw SceneError("inputs: got " + std::to_string(input_values) + " values, expected " +
                     (expected_samples != 0 ? std::to_string(expected_samples) + " sample(s)" : "a whole number of samples") +
                     " of " + std::to_string(size) + " (" + shape_to_string(model_->scene().sample_shape()) + ")");
  }
  return input_values / size;
}

// The staged samples, checked and (pixels given as bytes) scaled by 1/255; returns how many.
std::size_t JsModel::staged_samples(std::size_t input_values, std::size_t target_values, bool bytes) {
  if (input_values + target_values > staging_.size()) throw SceneError("staged call without stage()");
  const std::size_t count = count_samples(input_values, 0);
  if (bytes) {
    for (std::size_t k = 0; k < input_values; ++k) staging_[k] *= 1.0f / 255.0f;
  }
  return count;
}

const int* JsModel::staged_labels(std::size_t offset, std::size_t n, std::size_t count) {
  if (n != count) throw SceneError("labels: got " + std::to_string(n) + ", expected one per sample (" + std::to_string(count) + ")");
  labels_.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const float v = staging_[offset + k];
    if (!(v >= 0.0f && v < 2147483648.0f) || v != static_cast<float>(static_cast<int>(v))) {
      throw SceneError("labels: value " + std::to_string(k) + " is not a class index");
    }
    labels_[k] = static_cast<int>(v);
  }
  return labels_.data();
}

BatchTargets JsModel::staged_targets(std::size_t offset, std::size_t n, std::size_t count) {
  if (model_->scene().loss == LossKind::kCrossEntropy) return BatchTargets{staged_labels(offset, n, count), nullptr};
  const std::size_t outputs = model_->output_size();
  if (n != count * outputs) {
    throw SceneError("targets: got " + std::to_string(n) + " values, expected " + std::to_string(outputs) +
                     " per sample (" + std::to_string(count * outputs) + ")");
  }
  return BatchTargets{nullptr, staging_.data() + offset};
}

double JsModel::train_staged(int input_values, int target_values, bool bytes) {
  return guarded([&] {
    const std::size_t n_in = std::size_t(std::max(input_values, 0)), n_target = std::size_t(std::max(target_values, 0));
    const std::size_t count = staged_samples(n_in, n_target, bytes);
    return double(model_->train_batch(staging_.data(), count, staged_targets(n_in, n_target, count)));
  });
}

int JsModel::predict_staged(int input_values, bool bytes) {
  return guarded([&] {
    const std::size_t n_in = std::size_t(std::max(input_values, 0));
    const std::size_t count = staged_samples(n_in, 0, bytes);
    const std::size_t outputs = count * model_->output_size();
    if (n_in + outputs > staging_.size()) throw SceneError("staged call without stage()");
    model_->predict_into(staging_.data(), count, staging_.data() + n_in);
    return int(outputs);
  });
}

namespace {

bool is_bytes(const val& values) {
  return values.instanceof(val::global("Uint8Array")) || values.instanceof(val::global("Uint8ClampedArray"));
}

}  // namespace

std::size_t JsModel::stage_from_js(const val& inputs, const val* targets, const char* targets_name) {
  if (!is_numbers(inputs)) throw SceneError("inputs must be a typed array or an array of numbers");
  const std::size_t n_in = inputs["length"].as<std::size_t>();
  count_samples(n_in, 0);
  std::size_t n_target = 0;
  if (targets != nullptr) {
    if (!is_numbers(*targets)) throw SceneError(std::string(targets_name) + " must be a typed array or an array of numbers");
    n_target = (*targets)["length"].as<std::size_t>();
  }
  stage_area(n_in, n_target);  // may grow the heap: the views are made after
  val(typed_memory_view(n_in, staging_.data())).call<void>("set", inputs);
  if (targets != nullptr) val(typed_memory_view(n_target, staging_.data() + n_in)).call<void>("set", *targets);
  staged_samples(n_in, n_target, is_bytes(inputs));
  return n_in;
}

JsModel::StagedBatch JsModel::stage_training_call(const val& inputs, const val& targets) {
  const char* what = model_->scene().loss == LossKind::kCrossEntropy ? "labels" : "targets";
  const std::size_t n_in = stage_from_js(inputs, &targets, what);
  const std::size_t count = n_in / model_->sample_size();
  return StagedBatch{count, staged_targets(n_in, targets["length"].as<std::size_t>(), count)};
}

double JsModel::train_batch(const val& inputs, const val& targets) {
  return guarded([&] {
    const StagedBatch batch = stage_training_call(inputs, targets);
    return double(model_->train_batch(staging_.data(), batch.count, batch.targets));
  });
}

val JsModel::train_batches(const val& inputs, const val& targets, int batch_size) {
  return guarded([&] {
    if (batch_size < 1) throw SceneError("batch size must be at least 1");
    const StagedBatch batch = stage_training_call(inputs, targets);
    const std::vector<float> losses =
        model_->train_batches(staging_.data(), batch.count, batch.targets, std::size_t(batch_size));
    return float_copy(losses.data(), losses.size());
  });
}

// ------------------------------------------------------------------ data-parallel training

bool JsModel::splits_batches() const { return model_->splits_batches(); }

double JsModel::shard_gradients(const val& inputs, const val& targets, int batch_total) {
  return guarded([&] {
    const StagedBatch batch = stage_training_call(inputs, targets);
    return model_->shard_gradients(staging_.data(), batch.count, batch.targets, std::size_t(std::max(batch_total, 0)));
  });
}

// A Float32Array copy of a flat vector the model writes with `into` (parameters or gradients).
val JsModel::flat_copy(void (Model::*into)(float*) const) const {
  return guarded([&] {
    std::vector<float> out(model_->parameter_count());
    ((*model_).*into)(out.data());
    return float_copy(out.data(), out.size());
  });
}

val JsModel::parameters() const { return flat_copy(&Model::parameters_into); }

val JsModel::gradients() const { return flat_copy(&Model::gradients_into); }

// The same vector written into `out`, a Float32Array of parameter_count() values, which is
// returned: the workers' per-step messages reuse their buffers, as every buffer allocated per
// step adds to the garbage collections that pause a worker (and so the step of every worker).
val JsModel::flat_into(void (Model::*into)(float*) const, const val& out, const char* what) {
  return guarded([&] {
    const std::size_t n = model_->parameter_count();
    if (!out.instanceof(val::global("Float32Array")) || out["length"].as<std::size_t>() != n) {
      throw SceneError(std::string(what) + ": expected a Float32Array of " + std::to_string(n) + " values to write into");
    }
    staging_.resize(std::max(staging_.size(), n));
    ((*model_).*into)(staging_.data());
    out.call<void>("set", val(typed_memory_view(n, staging_.data())));
    return out;
  });
}

val JsModel::parameters_into(const val& out) { return flat_into(&Model::parameters_into, out, "parameters"); }

val JsModel::gradients_into(const val& out) { return flat_into(&Model::gradients_into, out, "gradients"); }

const float* JsModel::stage_parameters(const val& values, const char* what) {
  const std::size_t n = copy_from_js(values, staging_, what);
  if (n != model_->parameter_count()) {
    throw SceneError(std::string(what) + ": got " + std::to_string(n) + " values, expected " +
                     std::to_string(model_->parameter_count()));
  }
  return staging_.data();
}

void JsModel::set_parameters(const val& values) {
  guarded([&] { model_->set_parameters(stage_parameters(values, "parameters")); });
}

void JsModel::set_gradients(const val& values) {
  guarded([&] { model_->set_gradients(stage_parameters(values, "gradients")); });
}

void JsModel::apply_gradients(double mean_loss) {
  guarded([&] { model_->apply_gradients(static_cast<float>(mean_loss)); });
}

val JsModel::evaluate(const val& inputs, const val& labels) {
  return guarded([&] {
    const bool with_labels = !labels.isUndefined() && !labels.isNull();
    const std::size_t n_in = stage_from_js(inputs, with_labels ? &labels : nullptr, "labels");
    const std::size_t count = n_in / model_->sample_size();
    // labels are class indices whatever the scene's loss
    const int* label_data = with_labels ? staged_labels(n_in, labels["length"].as<std::size_t>(), count) : nullptr;
    const Evaluation result = model_->evaluate(staging_.data(), count, label_data);
    val out = val::object();
    out.set("predictions", val::global("Int32Array").new_(val(typed_memory_view(count, result.predictions.data()))));
    out.set("correct", val(double(result.correct)));
    out.set("accuracy", with_labels ? val(double(result.correct) / double(count)) : val::null());
    out.set("loss", std::isfinite(result.mean_loss) ? val(double(result.mean_loss)) : val::null());
    return out;
  });
}

val JsModel::predict(const val& inputs) {
  return guarded([&] {
    const std::size_t n_in = stage_from_js(inputs, nullptr, "");
    const std::size_t outputs = n_in / model_->sample_size() * model_->output_size();
    model_->predict_into(staging_.data(), n_in / model_->sample_size(), staging_.data() + n_in);
    return float_copy(staging_.data() + n_in, outputs);
  });
}

val JsModel::explain_conv(int layer, int channel, int row, int col) const {
  return guarded([&] { return parse_json(explain_conv_output(*model_, layer_index(layer), channel, row, col)); });
}

val JsModel::explain_pool(int layer, int channel, int row, int col) const {
  return guarded([&] { return parse_json(explain_pool_output(*model_, layer_index(layer), channel, row, col)); });
}

val JsModel::explain_conv_weight_grad(int layer, int out_channel, int in_channel, int kernel_row, int kernel_col) const {
  return guarded([&] {
    return gradient_sum_to_js(
        conv_weight_grad_sum(*model_, layer_index(layer), out_channel, in_channel, kernel_row, kernel_col),
        weight_grad_terms_to_js);
  });
}

val JsModel::explain_conv_input_grad(int layer, int channel, int row, int col) const {
  return guarded([&] {
    return gradient_sum_to_js(conv_input_grad_sum(*model_, layer_index(layer), channel, row, col),
                              input_grad_terms_to_js);
  });
}

val JsModel::explain_cell(int node, const val& tensor, int sample, int index, int max_terms) const {
  return guarded([&] {
    if (node < 0 || sample < 0 || index < 0) throw SceneError("explainCell: node, sample and index must not be negative");
    return parse_json(cnnlens::explain_cell(*model_, std::size_t(node), string_from_js(tensor, "tensor name"),
                                            std::size_t(sample), std::size_t(index), std::size_t(std::max(max_terms, 1))));
  });
}

val JsModel::gradient_check() {
  return guarded([&] { return parse_json(cnnlens::gradient_check(*model_)); });
}

val JsModel::loss_landscape(int layer_a, const val& name_a, int index_a, int layer_b, const val& name_b, int index_b,
                            double half_width, int resolution) {
  return guarded([&] {
    if (index_a < 0 || index_b < 0) throw SceneError("parameter element index must not be negative");
    const ParamRef a{layer_index(layer_a), string_from_js(name_a, "parameter name"), std::size_t(index_a)};
    const ParamRef b{layer_index(layer_b), string_from_js(name_b, "parameter name"), std::size_t(index_b)};
    const Landscape grid = cnnlens::loss_landscape(*model_, a, b, static_cast<float>(half_width), resolution);
    val result = val::object();
    result.set("aValues", float_copy(grid.a_values.data(), grid.a_values.size()));
    result.set("bValues", float_copy(grid.b_values.data(), grid.b_values.size()));
    result.set("loss", float_copy(grid.loss.data(), grid.loss.size()));
    result.set("minRow", static_cast<double>(grid.min_row));
    result.set("minCol", static_cast<double>(grid.min_col));
    return result;
  });
}

double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

double simd_peak(int iterations) { return kernels::simd_peak_loop(iterations, 1.0f); }
int simd_peak_flops_per_iteration() { return kernels::peak_flops_per_iteration(); }

}  // namespace cnnlens::js
