// Model: owns the layers, the loss and the optimizer, and keeps them consistent after each call.
#include "cnnlens/model.hpp"

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

std::vector<Param*> Model::all_params() {
  std::vector<Param*> params;
  for (auto& layer : layers_) {
    for (Param& p : layer->params()) params.push_back(&p);
  }
  return params;
}

// Applies one optimizer update; if it produces a non-finite value, restores the parameters and
// the optimizer state exactly as they were, so the last finite state is kept. The backup
// buffers are members so the training loop does not allocate.
void Model::update_parameters_or_throw() {
  std::vector<Param*> params = all_params();
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
  Scene candidate = scene_;
  nlohmann::json j = scene_to_json(candidate);
  // Re-read the target through the scene parser so the same checks and messages apply.
  j["target"] = target;
  j["input"]["data"] = to_vector(input_);
  const Scene parsed = scene_from_json(j);
  scene_.target = parsed.target;
  scene_.target_class = parsed.target_class;
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

}  // namespace cnnlens
