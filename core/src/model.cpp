// Model: builds the graph's layers, runs the one forward loop and the one backward loop over it,
// and keeps the state rule (model.hpp) after each call.
#include "cnnlens/model.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/loss.hpp"
#include "cnnlens/random.hpp"
#include "model_internal.hpp"

namespace cnnlens {

namespace {

using nlohmann::json;

// evaluate() runs at most this many samples at once, so memory stays bounded on large sets.
constexpr std::size_t kEvaluateChunk = 64;
// A pass over a chunk of samples keeps its tensors within about 256 KB, so they stay in a core's
// L2 cache from one layer to the next (layer by layer, a batch of large feature maps would
// stream every tensor through memory and back).
constexpr std::size_t kChunkFloats = 64 * 1024;

using detail::all_finite;
using detail::field_place;

// Every parameter's `part` (value or gradient) back to back: nodes in order, weight before bias.
void gather(const std::vector<Param*>& params, Tensor Param::*part, float* out) {
  for (const Param* p : params) out = std::copy((p->*part).data(), (p->*part).data() + (p->*part).size(), out);
}

// The reverse of gather, refused (nothing changes) when a value is not finite; `field` names
// the vector in the error.
void scatter_finite(const std::vector<Param*>& params, Tensor Param::*part, const float* values, std::size_t count,
                    const char* field) {
  if (!all_finite(values, count)) {
    throw SceneError("not_finite", field_place(field), json::object(), std::string(field) + ": every value must be a finite number");
  }
  for (Param* p : params) {
    std::copy(values, values + (p->*part).size(), (p->*part).data());
    values += (p->*part).size();
  }
}

// He initialisation suits a weight whose node feeds a ReLU-like activation first.
bool first_consumer_is_relu_like(const Scene& scene, std::size_t index) {
  for (std::size_t k = index + 1; k < scene.nodes.size(); ++k) {
    const NodeSpec& node = scene.nodes[k];
    if (std::find(node.inputs.begin(), node.inputs.end(), scene.nodes[index].id) == node.inputs.end()) continue;
    return node.type == "relu" || node.type == "leaky_relu" || node.type == "prelu";
  }
  return false;
}

// A declared tensor: the scene's values, or drawn by its init rule. Fan-in rule: He normal
// (0, sqrt(2/fan_in)) before a ReLU-like node, Xavier uniform (+-sqrt(6/(fan_in+fan_out)))
// otherwise; fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field.
Tensor initial_tensor(const TensorDecl& decl, const NodeSpec& node, bool relu_like, Random& random) {
  auto given = node.tensors.find(decl.name);
  if (given != node.tensors.end()) return tensor_from(given->second.data, decl.shape);
  Tensor t = Tensor::from_shape(decl.shape);
  switch (decl.init) {
    case Init::kZeros: t.fill(0.0f); break;
    case Init::kOnes: t.fill(1.0f); break;
    case Init::kConstant: t.fill(decl.constant); break;
    case Init::kFanIn: {
      std::size_t receptive = 1;
      for (std::size_t d = 2; d < decl.shape.size(); ++d) receptive *= decl.shape[d];
      const float fan_in = static_cast<float>(decl.shape.size() > 1 ? decl.shape[1] * receptive : decl.shape[0]);
      const float fan_out = static_cast<float>(decl.shape[0] * receptive);
      if (relu_like) {
        const float stddev = std::sqrt(2.0f / fan_in);
        for (float& w : t) w = random.normal(0.0f, stddev);
      } else {
        const float limit = std::sqrt(6.0f / (fan_in + fan_out));
        for (float& w : t) w = random.uniform(-limit, limit);
      }
      break;
    }
  }
  return t;
}

std::string given_name(const NodeSpec& node, const std::string& name) {
  auto it = node.tensors.find(name);
  return it == node.tensors.end() ? std::string() : it->second.name;
}

}  // namespace

// ------------------------------------------------------------------ construction

Model::Model(Scene scene) : scene_(std::move(scene)), optimizer_(scene_.optimizer) {
  shapes_ = validate_scene(scene_);
  sample_size_ = element_count(scene_.sample_shape());
  output_size_ = element_count(shapes_.outputs.back()) / shapes_.outputs.back()[0];
  // Every edge is [n, ...]: the widest per-sample edge bounds how many samples run at once;
  // all of them together are what one sample's pass holds.
  std::size_t widest = sample_size_, pass_floats = sample_size_;
  for (const Shape& s : shapes_.outputs) {
    widest = std::max(widest, element_count(s) / s[0]);
    pass_floats += element_count(s) / s[0];
  }
  samples_that_fit_ = std::max<std::size_t>(1, limits::kMaxTensorElements / widest);
  inference_chunk_ = std::clamp<std::size_t>(kChunkFloats / pass_floats, 1, kEvaluateChunk);
  const bool mixes = scene_.mode == Mode::kTrain &&
                     std::any_of(scene_.nodes.begin(), scene_.nodes.end(),
                                 [](const NodeSpec& node) { return node.kind->mixes_samples_in_training; });
  // values and gradients
  training_chunk_ = mixes ? 0 : std::clamp<std::size_t>(kChunkFloats / (2 * pass_floats), 1, kEvaluateChunk);
  input_ = tensor_from(scene_.input, shapes_.input);
  Random random(scene_.seed);
  // Parameters are drawn node by node in list order, each kind's declarations in order (weight before bias).
  for (std::size_t k = 0; k < scene_.nodes.size(); ++k) {
    const NodeSpec& spec = scene_.nodes[k];
    const bool relu_like = first_consumer_is_relu_like(scene_, k);
    std::vector<Param> params;
    for (const TensorDecl& decl : shapes_.params[k]) {
      Tensor value = initial_tensor(decl, spec, relu_like, random);
      Tensor grad = zeros(decl.shape);
      params.push_back({decl.name, std::move(value), std::move(grad), {}, {}, {}, given_name(spec, decl.name)});
    }
    std::vector<Buffer> buffers;
    for (const TensorDecl& decl : shapes_.buffers[k]) {
      buffers.push_back({decl.name, decl.role, initial_tensor(decl, spec, false, random), given_name(spec, decl.name)});
    }
    InputShapes input_shapes;
    for (int edge : shapes_.inputs[k]) input_shapes.push_back(edge < 0 ? shapes_.input : shapes_.outputs[std::size_t(edge)]);
    Node node;
    node.layer = spec.kind->create(spec, input_shapes, shapes_.outputs[k], std::move(params), std::move(buffers));
    node.inputs = shapes_.inputs[k];
    nodes_.push_back(std::move(node));
  }
  // The values now live in the layers; the scene keeps only the architecture.
  for (NodeSpec& spec : scene_.nodes) spec.tensors.clear();
  scene_.input.clear();
  for (Node& node : nodes_) {
    for (Param& p : node.layer->params()) params_.push_back(&p);
    for (Buffer& b : node.layer->buffers()) {
      if (b.role == BufferRole::kStatistic) statistics_.push_back(&b);
    }
  }
  values_.resize(nodes_.size());
  grads_.resize(nodes_.size());
  plan_passes();
  update_target_tensor();
  refresh();
}

Model Model::from_json(const std::string& scene_text) { return Model(parse_scene(scene_text)); }

Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

void Model::update_target_tensor() {
  Shape out = shapes_.outputs.back();
  if (scene_.loss == LossKind::kMse) {
    target_ = tensor_from(scene_.target, out);
  } else if (scene_.loss == LossKind::kCrossEntropy) {
    target_ = zeros(out);
    const std::size_t classes = out[1];
    for (std::size_t s = 0; s < scene_.target_classes.size(); ++s) target_.data()[s * classes + std::size_t(scene_.target_classes[s])] = 1.0f;
  } else {
    target_ = zeros(out);
  }
}

float Model::evaluate_loss() {
  run_forward(input_, context(false));
  if (has_loss()) compute_loss(scene_.target.data(), scene_.target_classes.data());
  return loss_;
}

void Model::forward() {
  evaluate_loss();
  dirty_ = false;
}

void Model::backward() {
  ensure_fresh();
  if (has_loss()) run_backward(context(false));
}

void Model::refresh() {
  evaluate_loss();
  if (has_loss()) run_backward(context(false));
  dirty_ = false;
}

// Readers are const, but reading must first recompute a stale display (the state rule); the
// Model object itself is never const-defined, so the cast is sound.
void Model::ensure_fresh() const {
  if (dirty_) const_cast<Model*>(this)->refresh();
}

float Model::loss() const {
  ensure_fresh();
  return loss_;
}

const std::vector<float>& Model::losses() const {
  ensure_fresh();
  return losses_;
}

const Tensor& Model::grad_input() const {
  ensure_fresh();
  return input_grad_;
}

const Tensor& Model::output() const {
  ensure_fresh();
  return values_.back();
}

const Tensor& Model::loss_grad() const {
  ensure_fresh();
  return grads_.back();
}

std::vector<Param*> Model::all_params() { return params_; }

Layer& Model::mutable_layer(std::size_t index) {
  if (index >= nodes_.size()) {
    throw SceneError("no_such_node", field_place("layer"), {{"layer", index}, {"count", nodes_.size()}},
                     "layer " + std::to_string(index) + " does not exist (the network has " + std::to_string(nodes_.size()) +
                         " layers)");
  }
  dirty_ = true;
  return *nodes_[index].layer;
}

NodeView Model::node(std::size_t index) const {
  if (index >= nodes_.size()) {
    throw SceneError("no_such_node", field_place("layer"), {{"layer", index}, {"count", nodes_.size()}},
                     "layer " + std::to_string(index) + " does not exist (the network has " + std::to_string(nodes_.size()) +
                         " layers)");
  }
  return NodeView(*this, index);
}

std::size_t Model::node_index(const std::string& id) const {
  for (std::size_t k = 0; k < scene_.nodes.size(); ++k) {
    if (scene_.nodes[k].id == id) return k;
  }
  throw SceneError("no_such_node", {id, 0, "", "id"}, {{"id", id}}, "the network has no node \"" + id + "\"");
}

NodeView Model::node(const std::string& id) const { return NodeView(*this, node_index(id)); }

// ------------------------------------------------------------------ training

void Model::require_loss(const char* what) const {
  if (!has_loss()) {
    throw SceneError("no_loss", field_place("loss"), json::object(),
                     std::string(what) + ": this scene has no loss (loss \"none\"), so there is nothing to train");
  }
}

float Model::step() {
  require_loss("step");
  return train_on(input_, scene_.target.data(), scene_.target_classes.data());
}

std::vector<float> Model::train(int steps) {
  if (steps < 0 || steps > 1'000'000) {
    throw SceneError("out_of_range", field_place("steps"), {{"min", 0}, {"max", 1000000}}, "train: steps must be between 0 and 1000000");
  }
  if (steps > 0) require_loss("train");
  std::vector<float> losses;
  losses.reserve(static_cast<std::size_t>(steps));
  for (int k = 0; k < steps; ++k) losses.push_back(step());
  return losses;
}

// ------------------------------------------------------------------ other samples

void Model::check_batch(const float* inputs, std::size_t count, const BatchTargets* targets, const int* labels,
                        std::size_t at_once) const {
  if (count == 0 || inputs == nullptr) throw SceneError("empty_batch", field_place("batch"), json::object(), "batch: no samples");
  const std::size_t per_sample = sample_size_;
  const std::size_t fits = samples_that_fit_;
  if (std::min(count, at_once) > fits) {
    throw SceneError("batch_too_large", field_place("batch"), {{"count", std::min(count, at_once)}, {"max", fits}},
                     "batch: " + std::to_string(std::min(count, at_once)) + " samples at once are more than the " +
                         std::to_string(fits) + " that fit");
  }
  // One vector sweep for the usual all-finite batch; the value to name is looked for only then.
  const std::size_t values = all_finite(inputs, count * per_sample) ? 0 : count * per_sample;
  for (std::size_t k = 0; k < values; ++k) {
    if (!std::isfinite(inputs[k])) {
      throw SceneError("not_finite", field_place("batch"), {{"sample", k / per_sample}, {"index", k % per_sample}},
                       "batch: input value " + std::to_string(k % per_sample) + " of sample " + std::to_string(k / per_sample) +
                           " is not a finite number");
    }
  }
  const std::size_t outputs = output_size_;
  if (targets != nullptr && scene_.loss == LossKind::kMse) {
    if (targets->values == nullptr) throw SceneError("missing_targets", field_place("targets"), json::object(), "batch: an mse scene needs a target vector per sample");
    if (!all_finite(targets->values, count * outputs)) {
      throw SceneError("not_finite", field_place("targets"), json::object(), "batch: every target value must be a finite number");
    }
  }
  if (targets != nullptr && scene_.loss == LossKind::kCrossEntropy) {
    if (targets->labels == nullptr) throw SceneError("missing_targets", field_place("targets"), json::object(), "batch: a cross_entropy scene needs a class index per sample");
    labels = targets->labels;
  }
  if (labels != nullptr) {
    for (std::size_t k = 0; k < count; ++k) {
      if (labels[k] < 0 || std::size_t(labels[k]) >= outputs) {
        throw SceneError("class_out_of_range", field_place("labels"), {{"sample", k}, {"class", labels[k]}, {"classes", outputs}},
                         "batch: label " + std::to_string(labels[k]) + " of sample " + std::to_string(k) +
                             " is not a class index (0 to " + std::to_string(outputs - 1) + ")");
      }
    }
  }
}

void Model::load_batch(const float* inputs, std::size_t count) {
  // Reshaping to the batch's own shape allocates only when the sample count changes.
  if (batch_.shape().empty() || batch_.shape()[0] != count) {
    Shape shape = scene_.sample_shape();
    shape.insert(shape.begin(), count);
    reshape_to(batch_, shape);
  }
  std::copy(inputs, inputs + count * sample_size_, batch_.data());
}

// One step on `count` checked samples: in chunks where the graph allows, else as one pass.
float Model::train_checked_batch(const float* inputs, std::size_t count, const float* target_values,
                                 const int* target_classes) {
  if (training_chunk_ != 0 && count > training_chunk_) return train_in_chunks(inputs, count, target_values, target_classes);
  load_batch(inputs, count);
  return train_on(batch_, target_values, target_classes);
}

// The per-sample path (a new sample on every call): checks, one copy in, one step; no allocation.
float Model::train_batch(const float* inputs, std::size_t count, const BatchTargets& targets) {
  require_loss("train");
  check_batch(inputs, count, &targets, nullptr, count);
  return train_checked_batch(inputs, count, targets.values, targets.labels);
}

std::vector<float> Model::train_batches(const float* inputs, std::size_t count, const BatchTargets& targets,
                                        std::size_t batch_size) {
  require_loss("train");
  if (batch_size == 0) throw SceneError("out_of_range", field_place("batch_size"), json::object(), "batch: the batch size must be at least 1");
  check_batch(inputs, count, &targets, nullptr, batch_size);
  const std::size_t per_sample = sample_size_;
  const std::size_t outputs = output_size_;
  std::vector<float> losses;
  losses.reserve((count + batch_size - 1) / batch_size);
  for (std::size_t first = 0; first < count; first += batch_size) {
    const std::size_t n = std::min(batch_size, count - first);
    losses.push_back(train_checked_batch(inputs + first * per_sample, n,
                                         targets.values ? targets.values + first * outputs : nullptr,
                                         targets.labels ? targets.labels + first : nullptr));
  }
  return losses;
}

// ------------------------------------------------------------------ data-parallel training
// A batch of B samples split into shards: the loss is (1/B) * sum over all samples, so its
// gradient is the sum over shards of (1/B) * (the shard's per-sample gradients). Each copy of the
// model computes one such term (shard_gradients, the loss gradient scaled by 1/B); adding them
// gives the batch's gradient up to float rounding, which depends only on the shard sizes and the
// order of the additions: fixed, so a given split always trains the same numbers. The sum is
// formed outside (web/src/digits/shards.ts) and set with set_gradients.

double Model::shard_gradients(const float* inputs, std::size_t count, const BatchTargets& targets,
                              std::size_t batch_total) {
  require_loss("train");
  if (!splits_batches()) {
    throw SceneError("batch_not_splittable", field_place("batch"), json::object(),
                     "batch: this network mixes the samples of a batch in training (batch norm or dropout), so a batch "
                     "can't be split between workers");
  }
  if (batch_total < count) {
    throw SceneError("out_of_range", field_place("batch_total"), {{"min", count}},
                     "batch: the whole batch (" + std::to_string(batch_total) + ") is smaller than this shard (" +
                         std::to_string(count) + ")");
  }
  check_batch(inputs, count, &targets, nullptr, std::min(count, training_chunk_));
  dirty_ = true;
  const double total = gradients_in_chunks(inputs, count, targets.values, targets.labels, batch_total);
  shard_ready_ = true;
  return total;
}

std::size_t Model::parameter_count() const {
  std::size_t n = 0;
  for (const Param* p : params_) n += p->value.size();
  return n;
}

void Model::parameters_into(float* out) const { gather(params_, &Param::value, out); }

void Model::gradients_into(float* out) const { gather(params_, &Param::grad, out); }

void Model::set_parameters(const float* values) {
  scatter_finite(params_, &Param::value, values, parameter_count(), "parameters");
  dirty_ = true;
}

void Model::set_gradients(const float* grads) {
  scatter_finite(params_, &Param::grad, grads, parameter_count(), "gradients");
  shard_ready_ = true;
}

void Model::apply_gradients(float mean_loss) {
  if (!shard_ready_) {
    throw SceneError("no_shard_gradients", field_place("gradients"), json::object(),
                     "gradients: there are no gradients to apply (compute a shard's or set them first)");
  }
  save_statistics();
  dirty_ = true;
  shard_ready_ = false;
  update_parameters_or_throw();
  record_loss(mean_loss);
}

Evaluation Model::evaluate(const float* inputs, std::size_t count, const int* labels) {
  check_batch(inputs, count, nullptr, labels, kEvaluateChunk);
  Evaluation result;
  result.predictions.resize(count);
  const bool with_loss = labels != nullptr && scene_.loss == LossKind::kCrossEntropy;
  const std::size_t per_sample = sample_size_;
  RunContext c = context(false);
  c.training = false;
  c.backward_follows = false;
  c.edges_hidden = true;
  double total = 0.0;
  dirty_ = true;
  for (std::size_t first = 0; first < count; first += inference_chunk_) {
    const std::size_t n = std::min(inference_chunk_, count - first);
    load_batch(inputs + first * per_sample, n);
    run_forward(batch_, c);
    const Tensor& out = values_.back();
    const std::size_t classes = out.size() / n;
    for (std::size_t s = 0; s < n; ++s) {
      const float* z = out.data() + s * classes;
      const int predicted = static_cast<int>(std::max_element(z, z + classes) - z);
      result.predictions[first + s] = predicted;
      if (labels != nullptr && predicted == labels[first + s]) ++result.correct;
      if (with_loss) total += cross_entropy_value(z, classes, labels[first + s]);
    }
  }
  result.mean_loss = with_loss ? static_cast<float>(total / static_cast<double>(count)) : std::nanf("");
  return result;
}

std::vector<float> Model::predict(const float* inputs, std::size_t count) {
  check_batch(inputs, count, nullptr, nullptr, kEvaluateChunk);  // before sizing the result
  std::vector<float> out(count * output_size_);
  predict_checked(inputs, count, out.data());
  return out;
}

void Model::predict_into(const float* inputs, std::size_t count, float* out) {
  check_batch(inputs, count, nullptr, nullptr, kEvaluateChunk);
  predict_checked(inputs, count, out);
}

void Model::predict_checked(const float* inputs, std::size_t count, float* out) {
  RunContext c = context(false);
  c.training = false;
  c.backward_follows = false;
  c.edges_hidden = true;
  dirty_ = true;
  for (std::size_t first = 0; first < count; first += inference_chunk_) {
    const std::size_t n = std::min(inference_chunk_, count - first);
    load_batch(inputs + first * sample_size_, n);
    run_forward(batch_, c);
    std::copy(values_.back().begin(), values_.back().end(), out + first * output_size_);
  }
}

// The executor's plan (executor.cpp), made once per model (the graph never changes after
// construction), so a pass does no analysis: a one-sample step of a small network costs about a
// microsecond. Here, with the cold code, to keep the page's module small.
void Model::plan_passes() {
  const std::size_t edges = nodes_.size() + 1;  // the input, then node k's output at k + 1
  std::vector<int> readers(edges, -1);          // the one node reading the edge, -1 none, -2 several
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    for (int edge : nodes_[k].inputs) {
      int& reader = readers[std::size_t(edge + 1)];
      reader = reader == -1 ? int(k) : -2;
    }
  }
  fresh_writer_.assign(edges, -1);
  for (std::size_t e = 0; e < edges; ++e) {
    const int reader = readers[e];
    if (reader >= 0 && nodes_[std::size_t(reader)].layer->writes_fresh_gradients()) fresh_writer_[e] = reader;
  }
  const auto is_relu = [&](int node) { return node >= 0 && nodes_[std::size_t(node)].layer->is_relu(); };
  absorbs_relu_.assign(nodes_.size(), -1);
  routes_relu_.assign(nodes_.size(), -1);
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const Layer& layer = *nodes_[k].layer;
    // a ReLU that alone reads this node's output runs inside its forward
    if (layer.absorbs_relu() && is_relu(readers[k + 1])) absorbs_relu_[k] = readers[k + 1];
    // a ReLU whose output only this node reads, and whose input only the ReLU reads: this node's
    // backward writes the ReLU's input gradient
    const int relu = nodes_[k].inputs.size() == 1 ? nodes_[k].inputs[0] : -1;
    if (layer.routes_through_relu() && is_relu(relu) && readers[std::size_t(relu) + 1] == int(k) &&
        fresh_writer_[std::size_t(nodes_[std::size_t(relu)].inputs[0] + 1)] == relu) {
      routes_relu_[k] = relu;
    }
  }
  skipped_.assign(nodes_.size(), 0);
  zeroed_param_grads_.clear();
  for (const Node& node : nodes_) {
    if (node.layer->writes_fresh_gradients()) continue;
    for (Param& p : node.layer->params()) zeroed_param_grads_.push_back(&p.grad);
  }
}

// ------------------------------------------------------------------ editing

nlohmann::json Model::to_scene_json() const {
  Scene current = scene_;
  current.input = to_vector(input_);
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    NodeSpec& spec = current.nodes[k];
    for (const Param& p : nodes_[k].layer->params()) spec.tensors[p.name] = {to_vector(p.value), p.source_name};
    for (const Buffer& b : nodes_[k].layer->buffers()) {
      if (b.role == BufferRole::kStatistic) spec.tensors[b.name] = {to_vector(b.value), b.source_name};
    }
  }
  current.optimizer = optimizer_.spec();
  return scene_to_json(current);
}

void Model::set_input(const std::vector<float>& values) {
  if (values.size() != input_.size()) {
    throw SceneError("tensor_size", field_place("input"), {{"got", values.size()}, {"expected", input_.size()}},
                     "input: got " + std::to_string(values.size()) + " values, expected " + std::to_string(input_.size()) +
                         " (" + shape_to_string(scene_.input_shape) + ")");
  }
  if (!all_finite(values.data(), values.size())) {
    throw SceneError("not_finite", field_place("input"), json::object(), "input: every value must be a finite number");
  }
  std::copy(values.begin(), values.end(), input_.begin());
  dirty_ = true;
}

void Model::set_input_cell(int channel, int row, int col, float value) {
  const Shape shape = scene_.sample_shape();
  const bool is_map = shape.size() == 3;
  const bool in_range = is_map ? (channel >= 0 && row >= 0 && col >= 0 && std::size_t(channel) < shape[0] &&
                                  std::size_t(row) < shape[1] && std::size_t(col) < shape[2])
                               : (channel == 0 && row == 0 && col >= 0 && std::size_t(col) < shape[0]);
  if (!in_range) {
    throw SceneError("cell_out_of_range", field_place("input"), {{"cell", {channel, row, col}}, {"shape", shape}},
                     "input: cell (" + std::to_string(channel) + ", " + std::to_string(row) + ", " + std::to_string(col) +
                         ") is outside the input " + shape_to_string(shape));
  }
  const std::size_t index = is_map ? (std::size_t(channel) * shape[1] + std::size_t(row)) * shape[2] + std::size_t(col)
                                   : std::size_t(col);
  set_input_element(index, value);
}

void Model::set_input_element(std::size_t index, float value) {
  if (index >= input_.size()) {
    throw SceneError("cell_out_of_range", field_place("input"), {{"index", index}, {"count", input_.size()}},
                     "input: element " + std::to_string(index) + " is out of range (it has " + std::to_string(input_.size()) + ")");
  }
  if (!std::isfinite(value)) throw SceneError("not_finite", field_place("input"), json::object(), "input value must be a finite number");
  input_.data()[index] = value;
  dirty_ = true;
}

namespace {

Param& find_param_or_throw(Layer& layer, const NodeSpec& spec, const std::string& name) {
  Param* p = layer.find_param(name);
  if (p == nullptr) spec.fail("no_such_parameter", name, {{"name", name}}, "has no parameter \"" + name + "\"");
  return *p;
}

}  // namespace

void Model::set_param(std::size_t node, const std::string& name, const std::vector<float>& values) {
  Layer& layer = mutable_layer(node);
  const NodeSpec& spec = scene_.nodes[node];
  Param& p = find_param_or_throw(layer, spec, name);
  if (values.size() != p.value.size()) {
    spec.fail("tensor_size", name, {{"got", values.size()}, {"expected", p.value.size()}, {"shape", shape_of(p.value)}},
              name + " needs " + std::to_string(p.value.size()) + " values (" + shape_to_string(shape_of(p.value)) + "), got " +
                  std::to_string(values.size()));
  }
  if (!all_finite(values.data(), values.size())) spec.fail("not_finite", name, json::object(), name + ": every value must be a finite number");
  std::copy(values.begin(), values.end(), p.value.begin());
}

void Model::set_param_element(std::size_t node, const std::string& name, std::size_t index, float value) {
  Layer& layer = mutable_layer(node);
  const NodeSpec& spec = scene_.nodes[node];
  Param& p = find_param_or_throw(layer, spec, name);
  if (index >= p.value.size()) {
    spec.fail("cell_out_of_range", name, {{"index", index}, {"count", p.value.size()}},
              name + " element " + std::to_string(index) + " is out of range (it has " + std::to_string(p.value.size()) + ")");
  }
  if (!std::isfinite(value)) spec.fail("not_finite", name, json::object(), name + " value must be a finite number");
  p.value.data()[index] = value;
}

void Model::set_target(const nlohmann::json& target) {
  require_loss("target");
  // the scene parser's and validator's own checks and messages, on the target alone
  std::vector<float> values = scene_.target;
  std::vector<int> classes = scene_.target_classes;
  read_target(target, scene_.loss, scene_.batched, scene_.batch_size(), values, classes);
  const Shape& out = shapes_.outputs.back();
  check_target(scene_.loss, values, classes, scene_.batch_size(), Shape(out.begin() + 1, out.end()));
  scene_.target = std::move(values);
  scene_.target_classes = std::move(classes);
  update_target_tensor();
  dirty_ = true;
}

void Model::set_optimizer(const nlohmann::json& spec) {
  const OptimizerSpec parsed = optimizer_from_json(spec);
  optimizer_.set_spec(parsed, params_);
  scene_.optimizer = parsed;
  dirty_ = true;
}

void Model::reset_optimizer() {
  optimizer_.reset(params_);
  dirty_ = true;
}

namespace {

std::vector<float> copy_of(const Tensor& t) {
  return t.dimension() == 0 ? std::vector<float>() : std::vector<float>(t.data(), t.data() + t.size());
}

// An empty copy clears the state ("not started"); otherwise it fills a tensor shaped like the value.
void put_back(Tensor& state, const std::vector<float>& values, const Tensor& like) {
  if (values.empty()) {
    state = Tensor();
    return;
  }
  state = Tensor::from_shape(like.shape());
  std::copy(values.begin(), values.end(), state.data());
}

}  // namespace

OptimizerState Model::optimizer_state() const {
  OptimizerState out;
  out.steps = optimizer_.steps_taken();
  out.loss_history = loss_history_;
  out.params.reserve(params_.size());
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    for (const Param& p : nodes_[n].layer->params()) {
      out.params.push_back({scene_.nodes[n].id, p.name, copy_of(p.momentum), copy_of(p.velocity), copy_of(p.delta)});
    }
  }
  return out;
}

void Model::restore_optimizer_state(const OptimizerState& state) {
  const auto mismatch = [&](const ErrorPlace& place, json details, const std::string& message) {
    throw SceneError("optimizer_state_mismatch", place, std::move(details), message);
  };
  if (state.steps < 0) mismatch(field_place("optimizer"), {{"steps", state.steps}}, "optimizer state: the step count must not be negative");
  if (state.params.size() != params_.size()) {
    mismatch(field_place("optimizer"), {{"got", state.params.size()}, {"expected", params_.size()}},
             "optimizer state: it holds " + std::to_string(state.params.size()) + " parameters, the network has " +
                 std::to_string(params_.size()));
  }
  // check everything before changing anything
  std::size_t k = 0;
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    for (const Param& p : nodes_[n].layer->params()) {
      const ParamState& s = state.params[k++];
      if ((!s.node.empty() && s.node != scene_.nodes[n].id) || (!s.name.empty() && s.name != p.name)) {
        mismatch(scene_.nodes[n].place(p.name), {{"got", s.node + "." + s.name}, {"expected", scene_.nodes[n].id + "." + p.name}},
                 scene_.nodes[n].label() + ": optimizer state for " + s.node + "." + s.name + " given where " + p.name + " is");
      }
      for (const std::vector<float>* v : {&s.momentum, &s.velocity, &s.delta}) {
        if (!v->empty() && v->size() != p.value.size()) {
          mismatch(scene_.nodes[n].place(p.name), {{"got", v->size()}, {"expected", p.value.size()}},
                   scene_.nodes[n].label() + ": optimizer state for " + p.name + " has " + std::to_string(v->size()) +
                       " values, expected " + std::to_string(p.value.size()));
        }
        if (!all_finite(v->data(), v->size())) {
          mismatch(scene_.nodes[n].place(p.name), json::object(),
                   scene_.nodes[n].label() + ": optimizer state for " + p.name + " is not finite");
        }
      }
    }
  }
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Param& p = *params_[i];
    put_back(p.momentum, state.params[i].momentum, p.value);
    put_back(p.velocity, state.params[i].velocity, p.value);
    put_back(p.delta, state.params[i].delta, p.value);
  }
  optimizer_.set_steps_taken(state.steps);
  loss_history_ = state.loss_history;
  dirty_ = true;
}

// ------------------------------------------------------------------ NodeView

const NodeSpec& NodeView::spec() const { return model_->scene().nodes[index_]; }
const char* NodeView::type() const { return spec().kind->type; }

const Layer& NodeView::layer() const { return model_->node_layer(index_); }

std::size_t NodeView::input_count() const { return model_->node_inputs(index_).size(); }

const Tensor& NodeView::input(std::size_t k) const {
  model_->ensure_fresh();
  return model_->edge_value(model_->node_inputs(index_).at(k));
}

const Tensor& NodeView::grad_input(std::size_t k) const {
  model_->ensure_fresh();
  return model_->edge_grad(model_->node_inputs(index_).at(k));
}

const Tensor& NodeView::output() const {
  model_->ensure_fresh();
  return model_->edge_value(int(index_));
}

const Tensor& NodeView::grad_output() const {
  model_->ensure_fresh();
  return model_->edge_grad(int(index_));
}

std::vector<NamedTensor> NodeView::tensors() const {
  model_->ensure_fresh();
  std::vector<NamedTensor> out;
  const std::size_t inputs = input_count();
  out.push_back({"input", &input(0), "input"});
  for (std::size_t k = 1; k < inputs; ++k) out.push_back({"input." + std::to_string(k), &input(k), "input"});
  out.push_back({"output", &output(), "output"});
  if (model_->has_loss()) {
    out.push_back({"grad_output", &grad_output(), "grad"});
    out.push_back({"grad_input", &grad_input(0), "grad"});
    for (std::size_t k = 1; k < inputs; ++k) out.push_back({"grad_input." + std::to_string(k), &grad_input(k), "grad"});
  }
  for (const Param& p : params()) {
    out.push_back({p.name, &p.value, "param"});
    if (model_->has_loss()) out.push_back({p.name + ".grad", &p.grad, "param.grad"});
    if (p.momentum.dimension() > 0) out.push_back({p.name + ".momentum", &p.momentum, "optimizer"});
    if (p.velocity.dimension() > 0) out.push_back({p.name + ".velocity", &p.velocity, "optimizer"});
    if (p.delta.dimension() > 0) out.push_back({p.name + ".delta", &p.delta, "optimizer"});
  }
  for (const Buffer& b : buffers()) out.push_back({b.name, &b.value, role_name(b.role)});
  return out;
}

const Layer& Model::node_layer(std::size_t index) const {
  ensure_fresh();
  return *nodes_.at(index).layer;
}

const std::vector<int>& Model::node_inputs(std::size_t index) const { return nodes_.at(index).inputs; }

}  // namespace cnnlens
