// Model: owns the layers, the loss and the optimizer, and keeps them consistent after each call.
#include "cnnlens/model.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/loss.hpp"
#include "cnnlens/network.hpp"

namespace cnnlens {
namespace {

// Keeps memory flat on endless runs: past this many losses the oldest half is dropped.
constexpr std::size_t kMaxHistory = 10'000;

bool all_finite(const std::vector<float>& values) {
  for (float v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

bool all_finite(const Tensor& t) {
  for (float v : t) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

void require_finite(float value, const std::string& what) {
  if (!std::isfinite(value)) throw SceneError(what + " must be a finite number");
}

}  // namespace

Model::Model(Scene scene) : scene_(std::move(scene)), optimizer_(scene_.optimizer) {
  shapes_ = validate_scene(scene_);
  input_ = tensor_from(scene_.input, scene_.input_shape);
  layers_ = build_network(scene_, shapes_);
  // The parameters now live in the layers; the scene keeps only the architecture.
  for (LayerSpec& spec : scene_.layers) {
    spec.weight.reset();
    spec.bias.reset();
  }
  scene_.input.clear();
  for (auto& layer : layers_) {
    for (Param& p : layer->params()) params_.push_back(&p);
  }
  update_target_tensor();
  refresh();
}

Model Model::from_json(const std::string& scene_text) { return Model(parse_scene(scene_text)); }

Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

const Layer& Model::layer(std::size_t index) const { return const_cast<Model*>(this)->mutable_layer(index); }

Layer& Model::mutable_layer(std::size_t index) {
  if (index >= layers_.size()) {
    throw SceneError("layer " + std::to_string(index) + " does not exist (the network has " +
                     std::to_string(layers_.size()) + " layers)");
  }
  return *layers_[index];
}

void Model::update_target_tensor() {
  const Shape& out = shapes_.back();
  if (scene_.loss == LossKind::kMse) {
    target_ = tensor_from(scene_.target, out);
  } else {
    target_ = zeros(out);
    target_.data()[scene_.target_class] = 1.0f;
  }
}

float Model::evaluate_loss() {
  const Tensor* x = &input_;
  for (auto& layer : layers_) {
    layer->forward(*x);
    x = &layer->output();
  }
  loss_ = scene_.loss == LossKind::kMse ? mse_loss(*x, scene_.target, loss_grad_)
                                        : cross_entropy_loss(*x, scene_.target_class, loss_grad_);
  return loss_;
}

void Model::forward() { evaluate_loss(); }

void Model::backward() {
  const Tensor* g = &loss_grad_;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    (*it)->zero_grad();
    (*it)->backward(*g);
    g = &(*it)->grad_input();
  }
}

void Model::refresh() {
  forward();
  backward();
}

std::vector<Param*> Model::all_params() { return params_; }

// Applies one optimizer update; if it produces a non-finite value, restores the parameters and
// the optimizer state exactly as they were, so the last finite state is kept. The backup
// buffers are members so the training loop does not allocate.
void Model::update_parameters_or_throw() {
  std::vector<Param*>& params = params_;
  backup_.resize(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    copy_into(backup_[k].value, params[k]->value);
    copy_into(backup_[k].momentum, params[k]->momentum);
    copy_into(backup_[k].velocity, params[k]->velocity);
    copy_into(backup_[k].delta, params[k]->delta);
  }
  const Optimizer saved_optimizer = optimizer_;
  optimizer_.step(params);
  for (Param* p : params) {
    if (all_finite(p->value)) continue;
    for (std::size_t k = 0; k < params.size(); ++k) {
      copy_into(params[k]->value, backup_[k].value);
      copy_into(params[k]->momentum, backup_[k].momentum);
      copy_into(params[k]->velocity, backup_[k].velocity);
      copy_into(params[k]->delta, backup_[k].delta);
    }
    optimizer_ = saved_optimizer;
    throw SceneError("training stopped: the update made a parameter infinite or NaN (the learning rate " +
                     nlohmann::json(optimizer_.spec().lr).dump() + " is probably too high); the last finite state is kept");
  }
}

// Forward, backward and update, without the refresh that makes the tensors describe the new
// parameters (train() refreshes once at the end).
float Model::train_once() {
  forward();
  const float loss_before = loss_;
  if (!std::isfinite(loss_before)) {
    throw SceneError("training stopped: the loss is " + std::string(std::isnan(loss_before) ? "NaN" : "infinite") +
                     "; lower the learning rate or reset the parameters");
  }
  backward();
  update_parameters_or_throw();
  if (loss_history_.size() >= kMaxHistory) loss_history_.erase(loss_history_.begin(), loss_history_.begin() + kMaxHistory / 2);
  loss_history_.push_back(loss_before);
  return loss_before;
}

float Model::step() {
  try {
    const float loss_before = train_once();
    refresh();
    return loss_before;
  } catch (...) {
    refresh();
    throw;
  }
}

std::vector<float> Model::train(int steps) {
  if (steps < 0 || steps > 1'000'000) throw SceneError("train: steps must be between 0 and 1000000");
  std::vector<float> losses;
  losses.reserve(static_cast<std::size_t>(steps));
  try {
    for (int k = 0; k < steps; ++k) losses.push_back(train_once());
  } catch (...) {
    refresh();
    throw;
  }
  refresh();
  return losses;
}

nlohmann::json Model::to_scene_json() const {
  Scene current = scene_;
  current.input = to_vector(input_);
  for (std::size_t index = 0; index < layers_.size(); ++index) {
    for (const Param& p : layers_[index]->params()) {
      (p.name == "weight" ? current.layers[index].weight : current.layers[index].bias) = to_vector(p.value);
    }
  }
  current.optimizer = optimizer_.spec();
  return scene_to_json(current);
}

void Model::set_input(const std::vector<float>& values) {
  if (values.size() != input_.size()) {
    throw SceneError("input: got " + std::to_string(values.size()) + " values, expected " +
                     std::to_string(input_.size()) + " (" + shape_to_string(shape_of(input_)) + ")");
  }
  if (!all_finite(values)) throw SceneError("input: every value must be a finite number");
  std::copy(values.begin(), values.end(), input_.begin());
  refresh();
}

void Model::set_input_cell(int channel, int row, int col, float value) {
  const Shape shape = shape_of(input_);
  const bool is_map = shape.size() == 3;
  const bool in_range = is_map ? (channel >= 0 && row >= 0 && col >= 0 && std::size_t(channel) < shape[0] &&
                                  std::size_t(row) < shape[1] && std::size_t(col) < shape[2])
                               : (channel == 0 && row == 0 && col >= 0 && std::size_t(col) < shape[0]);
  if (!in_range) {
    throw SceneError("input: cell (" + std::to_string(channel) + ", " + std::to_string(row) + ", " + std::to_string(col) +
                     ") is outside the input " + shape_to_string(shape));
  }
  require_finite(value, "input value");
  const std::size_t index = is_map ? (std::size_t(channel) * shape[1] + std::size_t(row)) * shape[2] + std::size_t(col)
                                   : std::size_t(col);
  input_.data()[index] = value;
  refresh();
}

namespace {

Param& find_param_or_throw(Layer& layer, std::size_t index, const std::string& name) {
  Param* p = layer.find_param(name);
  if (p == nullptr) {
    throw SceneError("layer " + std::to_string(index) + " (" + layer.type() + ") has no parameter \"" + name + "\"");
  }
  return *p;
}

}  // namespace

void Model::set_param(std::size_t layer, const std::string& name, const std::vector<float>& values) {
  Param& p = find_param_or_throw(mutable_layer(layer), layer, name);
  if (values.size() != p.value.size()) {
    throw SceneError("layer " + std::to_string(layer) + " (" + layers_[layer]->type() + "): " + name + " needs " +
                     std::to_string(p.value.size()) + " values (" + shape_to_string(shape_of(p.value)) + "), got " +
                     std::to_string(values.size()));
  }
  if (!all_finite(values)) throw SceneError(name + ": every value must be a finite number");
  std::copy(values.begin(), values.end(), p.value.begin());
  refresh();
}

void Model::set_param_element(std::size_t layer, const std::string& name, std::size_t index, float value) {
  Param& p = find_param_or_throw(mutable_layer(layer), layer, name);
  if (index >= p.value.size()) {
    throw SceneError(name + " element " + std::to_string(index) + " is out of range (it has " +
                     std::to_string(p.value.size()) + ")");
  }
  require_finite(value, name + " value");
  p.value.data()[index] = value;
  refresh();
}

void Model::set_target(const nlohmann::json& target) {
  // the scene parser's and validator's own checks and messages, on the target alone
  std::vector<float> values = scene_.target;
  int class_index = scene_.target_class;
  read_target(target, scene_.loss, values, class_index);
  check_target(scene_.loss, values, class_index, shapes_.back());
  scene_.target = std::move(values);
  scene_.target_class = class_index;
  update_target_tensor();
  refresh();
}

void Model::set_optimizer(const nlohmann::json& spec) {
  const OptimizerSpec parsed = optimizer_from_json(spec);
  std::vector<Param*> params = all_params();
  optimizer_.set_spec(parsed, params);
  scene_.optimizer = parsed;
}

void Model::reset_optimizer() {
  std::vector<Param*> params = all_params();
  optimizer_.reset(params);
}

// --- mini-batches ---

void Model::check_batch(const float* inputs, std::size_t count, const BatchTargets* targets, const int* labels) const {
  if (count == 0 || inputs == nullptr) throw SceneError("batch: no samples");
  const std::size_t values = count * input_.size();
  for (std::size_t k = 0; k < values; ++k) {
    if (!std::isfinite(inputs[k])) {
      throw SceneError("batch: input value " + std::to_string(k % input_.size()) + " of sample " +
                       std::to_string(k / input_.size()) + " is not a finite number");
    }
  }
  const std::size_t outputs = element_count(shapes_.back());
  if (targets != nullptr && scene_.loss == LossKind::kMse) {
    if (targets->values == nullptr) throw SceneError("batch: an mse scene needs a target vector per sample");
    for (std::size_t k = 0; k < count * outputs; ++k) {
      if (!std::isfinite(targets->values[k])) throw SceneError("batch: every target value must be a finite number");
    }
  }
  if (targets != nullptr && scene_.loss == LossKind::kCrossEntropy) {
    if (targets->labels == nullptr) throw SceneError("batch: a cross_entropy scene needs a class index per sample");
    labels = targets->labels;
  }
  if (labels != nullptr) {
    for (std::size_t k = 0; k < count; ++k) {
      if (labels[k] < 0 || std::size_t(labels[k]) >= outputs) {
        throw SceneError("batch: label " + std::to_string(labels[k]) + " of sample " + std::to_string(k) +
                         " is not a class index (0 to " + std::to_string(outputs - 1) + ")");
      }
    }
  }
}

// Runs sample `index` of a batch through every layer; with targets, also the loss and loss_grad_.
float Model::forward_sample(const float* input, const BatchTargets* targets, std::size_t index) {
  reshape_to(sample_, input_.shape());
  std::copy(input, input + input_.size(), sample_.data());
  const Tensor* x = &sample_;
  for (auto& layer : layers_) {
    layer->forward(*x);
    x = &layer->output();
  }
  if (targets == nullptr) return 0.0f;
  if (scene_.loss == LossKind::kMse) {
    const std::size_t outputs = x->size();
    sample_target_.assign(targets->values + index * outputs, targets->values + (index + 1) * outputs);
    return mse_loss(*x, sample_target_, loss_grad_);
  }
  return cross_entropy_loss(*x, targets->labels[index], loss_grad_);
}

// Zero grads; per sample forward, then backward of loss_grad / count adding into the param grads
// (layers add, they never zero); one update. No refresh.
float Model::train_batch_once(const float* inputs, std::size_t count, const BatchTargets& targets) {
  for (auto& layer : layers_) layer->zero_grad();
  const float scale = 1.0f / static_cast<float>(count);
  double total = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    const float sample_loss = forward_sample(inputs + k * input_.size(), &targets, k);
    if (!std::isfinite(sample_loss)) {
      throw SceneError("training stopped: the loss of batch sample " + std::to_string(k) + " is " +
                       (std::isnan(sample_loss) ? "NaN" : "infinite") + "; lower the learning rate or reset the parameters");
    }
    total += sample_loss;
    for (float& g : loss_grad_) g *= scale;
    const Tensor* g = &loss_grad_;
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
      (*it)->backward(*g);
      g = &(*it)->grad_input();
    }
  }
  update_parameters_or_throw();
  const float mean_loss = static_cast<float>(total / static_cast<double>(count));
  if (loss_history_.size() >= kMaxHistory) loss_history_.erase(loss_history_.begin(), loss_history_.begin() + kMaxHistory / 2);
  loss_history_.push_back(mean_loss);
  return mean_loss;
}

float Model::train_batch(const float* inputs, std::size_t count, const BatchTargets& targets) {
  return train_batches(inputs, count, targets, count).front();
}

std::vector<float> Model::train_batches(const float* inputs, std::size_t count, const BatchTargets& targets,
                                        std::size_t batch_size) {
  if (batch_size == 0) throw SceneError("batch: the batch size must be at least 1");
  check_batch(inputs, count, &targets, nullptr);
  std::vector<float> losses;
  losses.reserve((count + batch_size - 1) / batch_size);
  try {
    for (std::size_t first = 0; first < count; first += batch_size) {
      const std::size_t n = std::min(batch_size, count - first);
      const BatchTargets part{targets.labels ? targets.labels + first : nullptr,
                              targets.values ? targets.values + first * element_count(shapes_.back()) : nullptr};
      losses.push_back(train_batch_once(inputs + first * input_.size(), n, part));
    }
  } catch (...) {
    refresh();
    throw;
  }
  refresh();
  return losses;
}

Evaluation Model::evaluate(const float* inputs, std::size_t count, const int* labels) {
  check_batch(inputs, count, nullptr, labels);
  Evaluation result;
  result.predictions.resize(count);
  const bool with_loss = labels != nullptr && scene_.loss == LossKind::kCrossEntropy;
  double total = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    forward_sample(inputs + k * input_.size(), nullptr, k);
    const Tensor& out = layers_.back()->output();
    const int predicted = static_cast<int>(std::max_element(out.begin(), out.end()) - out.begin());
    result.predictions[k] = predicted;
    if (labels != nullptr && predicted == labels[k]) ++result.correct;
    if (with_loss) total += cross_entropy_loss(out, labels[k], loss_grad_);
  }
  result.mean_loss = with_loss ? static_cast<float>(total / static_cast<double>(count)) : std::nanf("");
  forward();  // the layers' tensors describe the model's own input again (gradients were not touched)
  return result;
}

std::vector<float> Model::predict(const float* input) {
  check_batch(input, 1, nullptr, nullptr);
  forward_sample(input, nullptr, 0);
  const Tensor& out = layers_.back()->output();
  std::vector<float> result(out.begin(), out.end());
  forward();
  return result;
}

}  // namespace cnnlens
