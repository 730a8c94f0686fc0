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

// Targets of a batch of samples: `count` class indices for cross_entropy, or `count` target
// vectors of the output's size, back to back, for mse. Only the one the scene's loss needs is read.
struct BatchTargets {
  const int* labels = nullptr;
  const float* values = nullptr;
};

// What Model::evaluate found: the predicted class (argmax of the output) of each sample and,
// given labels, how many were right and (cross_entropy only, else NaN) the mean loss.
struct Evaluation {
  std::vector<int> predictions;
  std::size_t correct = 0;
  float mean_loss = 0.0f;
};

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

  // --- mini-batches (samples other than the scene's own input) ---
  // `inputs` holds `count` samples of the input's shape back to back. One optimizer step whose
  // gradient is the mean of the samples' gradients (PyTorch's mean reduction: the loss is the
  // mean of the per-sample losses); returns that mean loss, measured before the update, and
  // records it in the loss history. Then refreshes like step(): the tensors the model lists
  // describe its own input and target with the new parameters. Throws SceneError on bad
  // arguments (nothing changes) or divergence (as step()).
  float train_batch(const float* inputs, std::size_t count, const BatchTargets& targets);
  // Consecutive batches of `batch_size` samples (the last one may be smaller), one optimizer
  // step each, one refresh at the end; returns each batch's mean loss. On divergence it throws,
  // keeping the batches before the one that diverged.
  std::vector<float> train_batches(const float* inputs, std::size_t count, const BatchTargets& targets,
                                   std::size_t batch_size);
  // Forward passes only (no gradient changes), e.g. test-set accuracy; `labels` may be null.
  // The model's own tensors are restored afterwards.
  Evaluation evaluate(const float* inputs, std::size_t count, const int* labels);
  // The network's output (logits for cross_entropy) for one sample; the model's tensors are restored.
  std::vector<float> predict(const float* input);

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
  void check_batch(const float* inputs, std::size_t count, const BatchTargets* targets, const int* labels) const;
  float forward_sample(const float* input, const BatchTargets* targets, std::size_t index);
  float train_batch_once(const float* inputs, std::size_t count, const BatchTargets& targets);

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
  std::vector<Param*> params_;  // every layer's params, in order (stable: layers never change)
  Tensor sample_;                     // the batch sample being run, in the input's shape
  std::vector<float> sample_target_;  // its mse target
};

// The trace (docs/scene-format.md): every tensor of the model's current state, as JSON, with
// the model's recent loss history or the one given (e.g. everything train() returned).
nlohmann::json trace(const Model& model);
nlohmann::json trace(const Model& model, const std::vector<float>& loss_history);

}  // namespace cnnlens
