// The façade over the core: a scene turned into a runnable network. Everything the page and the
// wasm module can do goes through here, so native tests cover it.
//
// State rule: after the constructor and after every call that changes something (a setter, step,
// train), the model has run forward and backward again, so every tensor it lists describes the
// current parameters and input. A call that throws changes nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cnnlens/layer.hpp"
#include "cnnlens/optimizer.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {

class Model {
 public:
  explicit Model(Scene scene);
  static Model from_json(const std::string& scene_text);

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  // --- running ---
  void forward();   // outputs and loss from the current parameters
  void backward();  // every gradient; parameter grads are zeroed first, not accumulated across calls
  // One optimizer step: forward, backward, update, then forward and backward again. Returns the
  // loss measured before the update. Throws SceneError (and keeps the last finite state) when
  // the loss or a parameter stops being finite.
  float step();
  // `steps` optimizer steps, then one forward and backward; returns the loss of each step. On
  // divergence it throws, keeping the steps before the one that diverged.
  std::vector<float> train(int steps);

  float loss() const { return loss_; }
  // Losses of the recent steps (the last 5,000 to 10,000 on long runs, so memory stays flat).
  const std::vector<float>& loss_history() const { return loss_history_; }
  int steps_taken() const { return optimizer_.steps_taken(); }

  // --- reading ---
  const Scene& scene() const { return scene_; }  // architecture; parameters live in the layers
  std::size_t layer_count() const { return layers_.size(); }
  const Layer& layer(std::size_t index) const;
  const Tensor& input() const { return input_; }
  const Tensor& loss_grad() const { return loss_grad_; }  // dL/d(last output)
  const Tensor& target() const { return target_; }        // mse target, or the one-hot class vector
  nlohmann::json to_scene_json() const;                   // the scene with current values
  const OptimizerSpec& optimizer() const { return optimizer_.spec(); }

  // --- editing: each checks its arguments first, throws SceneError, then refreshes ---
  void set_input(const std::vector<float>& values);
  void set_input_cell(int channel, int row, int col, float value);
  void set_param(std::size_t layer, const std::string& name, const std::vector<float>& values);
  void set_param_element(std::size_t layer, const std::string& name, std::size_t index, float value);
  void set_target(const nlohmann::json& target);  // numbers for mse, a class index for cross_entropy
  void set_optimizer(const nlohmann::json& spec);
  void reset_optimizer();

  // For tools that perturb parameters (the gradient check): raw access, then refresh().
  std::vector<Param*> all_params();
  Layer& mutable_layer(std::size_t index);
  Tensor& mutable_input() { return input_; }
  float evaluate_loss();  // forward only; leaves the forward tensors updated
  void refresh();         // forward + backward

 private:
  void update_target_tensor();
  void update_parameters_or_throw();
  float train_once();

  Scene scene_;
  std::vector<Shape> shapes_;  // input shape of each layer, then the output shape
  Tensor input_;
  Tensor target_;
  std::vector<std::unique_ptr<Layer>> layers_;
  Optimizer optimizer_;
  float loss_ = 0.0f;
  Tensor loss_grad_;
  std::vector<float> loss_history_;
  std::vector<Param> backup_;  // parameters and optimizer state before the current update
};

// The trace (docs/scene-format.md): every tensor of the model's current state, as JSON, with
// the model's recent loss history or the one given (e.g. everything train() returned).
nlohmann::json trace(const Model& model);
nlohmann::json trace(const Model& model, const std::vector<float>& loss_history);

}  // namespace cnnlens
