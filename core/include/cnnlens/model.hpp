// The façade over the core: a scene turned into a runnable graph. Everything the page and the
// wasm module can do goes through here, so native tests cover it.
//
// The executor: nodes run in list order; every edge (the input and each node's output) owns its
// value and its gradient, batch-first [N, ...]; a node's backward adds into the gradients of the
// edges it read, so an edge read by several nodes sums their contributions. The loss is the mean
// over the batch (PyTorch's default reduction).
//
// State rule: whenever a tensor is read, it describes the scene's own input with the current
// parameters, forward and backward. Calls that train on other samples, predict or evaluate leave
// the edges holding their batch; the scene's own sample is recomputed lazily on the next read — a
// display pass that neither updates running statistics nor draws new dropout masks.
// A call that throws changes nothing.
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

class Model;

// A read-only window on one node of a model: its spec, its layer and the edges around it. Reading
// through it brings the model up to date first (the state rule).
class NodeView {
 public:
  NodeView(const Model& model, std::size_t index) : model_(&model), index_(index) {}

  std::size_t index() const { return index_; }
  const NodeSpec& spec() const;
  const std::string& id() const { return spec().id; }
  const char* type() const;
  const Layer& layer() const;

  std::size_t input_count() const;
  const Tensor& input(std::size_t k = 0) const;       // the value of the k-th edge it reads
  const Tensor& grad_input(std::size_t k = 0) const;  // that edge's gradient (summed over all its readers)
  const Tensor& output() const;
  const Tensor& grad_output() const;
  const std::vector<Param>& params() const { return layer().params(); }
  const std::vector<Buffer>& buffers() const { return layer().buffers(); }

  // Every tensor by name and role: input, output, grad_output, grad_input (input.1, grad_input.1 ...
  // for further inputs), then for each param "weight", "weight.grad" and its optimizer state
  // ("weight.momentum", "weight.velocity", "weight.delta") once it exists, then the buffers.
  std::vector<NamedTensor> tensors() const;

 private:
  const Model* model_;
  std::size_t index_;
};

class Model {
 public:
  explicit Model(Scene scene);
  static Model from_json(const std::string& scene_text);

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  // --- running ---
  void forward();   // outputs and loss from the current parameters (a display pass)
  void backward();  // every gradient; parameter grads are zeroed first, not accumulated across calls
  // One optimizer step on the scene's own input: forward, backward, update. Returns the loss
  // measured before the update. Throws SceneError (and keeps the last finite state) when the loss
  // or a parameter stops being finite, or the scene has no loss.
  float step();
  // `steps` optimizer steps; returns the loss of each. On divergence it throws, keeping the steps
  // before the one that diverged.
  std::vector<float> train(int steps);

  // --- mini-batches (samples other than the scene's own input) ---
  // `inputs` holds `count` samples of the sample shape back to back. One optimizer step on them as
  // one batch (batch statistics, the mean loss); returns that mean loss, measured before the
  // update, and records it in the loss history. Throws SceneError on bad arguments (nothing
  // changes) or divergence (as step()).
  float train_batch(const float* inputs, std::size_t count, const BatchTargets& targets);
  // Consecutive batches of `batch_size` samples (the last one may be smaller), one optimizer step
  // each; returns each batch's mean loss. On divergence it throws, keeping the batches before.
  std::vector<float> train_batches(const float* inputs, std::size_t count, const BatchTargets& targets,
                                   std::size_t batch_size);
  // --- data-parallel training (copies of one model, e.g. one per Web Worker, share a batch) ---
  // Each copy computes the gradient of its shard of the batch (shard_gradients) and sends it to
  // the others; each adds them all in the same fixed order, sets the sum (set_gradients) and
  // takes the same step (apply_gradients), so the copies stay identical. parameters_into and
  // set_parameters bring a copy in line. Only for graphs whose nodes don't mix the samples of a
  // batch in training (no batch norm, no dropout in train mode): there a shard's gradient is
  // exactly its part of the batch's.
  bool splits_batches() const { return training_chunk_ != 0; }
  // The parameter gradients of `count` samples as part of a batch of `batch_total` (the loss
  // gradient is scaled by 1/batch_total); nothing else changes. Returns the shard's loss sum.
  double shard_gradients(const float* inputs, std::size_t count, const BatchTargets& targets, std::size_t batch_total);
  // Every parameter (value or gradient) back to back, nodes in order, weight before bias.
  std::size_t parameter_count() const;
  void parameters_into(float* out) const;
  void gradients_into(float* out) const;
  void set_parameters(const float* values);  // throws (changing nothing) on a value that is not finite
  void set_gradients(const float* grads);     // the batch's gradient, e.g. the shards' sum
  // The optimizer step with the gradients of shard_gradients or set_gradients (once); records
  // `mean_loss` as the step's loss (as train_batch).
  void apply_gradients(float mean_loss);
  // Forward passes in eval mode (no gradient or statistics changes), e.g. test-set accuracy;
  // `labels` may be null.
  Evaluation evaluate(const float* inputs, std::size_t count, const int* labels);
  // The network's outputs (logits for cross_entropy) for `count` samples, batch-first, in eval
  // mode; run in chunks as evaluate does.
  std::vector<float> predict(const float* inputs, std::size_t count = 1);
  // The same, written to `out` (count * output_size() floats): no allocation once warm.
  void predict_into(const float* inputs, std::size_t count, float* out);
  std::size_t sample_size() const { return sample_size_; }  // floats per input sample
  std::size_t output_size() const { return output_size_; }  // floats per sample of the last node's output

  bool has_loss() const { return scene_.loss != LossKind::kNone; }
  float loss() const;                          // batch mean of the scene's own input
  const std::vector<float>& losses() const;    // per sample
  // Losses of the recent steps (the last 5,000 to 10,000 on long runs, so memory stays flat).
  const std::vector<float>& loss_history() const { return loss_history_; }
  int steps_taken() const { return optimizer_.steps_taken(); }

  // --- reading ---
  const Scene& scene() const { return scene_; }  // architecture; parameters live in the layers
  const GraphShapes& shapes() const { return shapes_; }
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t layer_count() const { return nodes_.size(); }
  NodeView node(std::size_t index) const;       // throws SceneError when out of range
  NodeView node(const std::string& id) const;   // throws SceneError for an unknown id
  NodeView layer(std::size_t index) const { return node(index); }
  std::size_t node_index(const std::string& id) const;
  const Tensor& input() const { return input_; }  // the scene's own input, batch-first
  const Tensor& grad_input() const;               // dL/d(input)
  const Tensor& output() const;                   // the last node's output
  const Tensor& loss_grad() const;                // dL/d(last output)
  const Tensor& target() const { return target_; }  // mse target, or one-hot classes, shaped like the output
  nlohmann::json to_scene_json() const;              // the scene with current values
  const OptimizerSpec& optimizer() const { return optimizer_.spec(); }

  // --- editing: each checks its arguments first and throws SceneError, changing nothing ---
  void set_input(const std::vector<float>& values);
  void set_input_cell(int channel, int row, int col, float value);  // sample 0
  void set_input_element(std::size_t index, float value);           // flat index into the batch
  void set_param(std::size_t node, const std::string& name, const std::vector<float>& values);
  void set_param_element(std::size_t node, const std::string& name, std::size_t index, float value);
  void set_target(const nlohmann::json& target);  // as the scene's "target" field
  void set_optimizer(const nlohmann::json& spec);
  void reset_optimizer();
  // The optimizer's state (step count, moments, last change) and the loss history, copied; and
  // putting such a copy back. restore checks every size first and throws SceneError
  // "optimizer_state_mismatch" (changing nothing) when the copy belongs to other parameters.
  OptimizerState optimizer_state() const;
  void restore_optimizer_state(const OptimizerState& state);

  // For tools that perturb parameters (the gradient check): raw access, then refresh().
  std::vector<Param*> all_params();
  Layer& mutable_layer(std::size_t index);
  Tensor& mutable_input() { return input_; }
  float evaluate_loss();  // a display forward pass and the loss; leaves the forward tensors updated
  void refresh();         // display forward + backward
  // Brings every tensor up to date with the state rule; the readers above call it.
  void ensure_fresh() const;

  // Edge and node access for NodeView: edge -1 is the input, k node k's output.
  const Layer& node_layer(std::size_t index) const;
  const std::vector<int>& node_inputs(std::size_t index) const;
  const Tensor& edge_value(int edge) const;
  const Tensor& edge_grad(int edge) const;

 private:
  struct Node {
    std::unique_ptr<Layer> layer;
    std::vector<int> inputs;  // edges read: -1 the input, k node k's output
  };

  RunContext context(bool training_pass) const;
  void plan_passes();  // once the nodes exist
  void run_forward(const Tensor& input, const RunContext& context);
  // The loss of the pass just run (sets loss_ and losses_); `batch` and `total` as in loss.hpp.
  float compute_loss(const float* target_values, const int* target_classes, std::size_t batch = 0,
                     double* total = nullptr);
  // backprop with the parameter gradients started afresh; `input_gradient`: also dL/d(input)
  // (the display pass)
  void run_backward(const RunContext& context, bool input_gradient = true);
  // Edge gradients from the loss's. `fresh_params`: the parameter gradients start at zero
  // (written by the layers that can, zeroed first for the others); otherwise added into.
  void backprop(const RunContext& context, bool input_gradient, bool fresh_params);
  void save_statistics();                        // running statistics before a training pass, for undoing it
  void restore_statistics();
  [[noreturn]] void throw_loss_not_finite(std::size_t first_sample, std::size_t batch) const;
  void update_target_tensor();
  void update_parameters_or_throw();
  void require_loss(const char* what) const;
  float train_on(const Tensor& input, const float* target_values, const int* target_classes);
  float train_in_chunks(const float* inputs, std::size_t count, const float* target_values, const int* target_classes);
  // Zeroes the parameter gradients, then adds those of `count` samples, a chunk at a time, as part
  // of a batch of `batch_total`; returns their loss sum.
  double gradients_in_chunks(const float* inputs, std::size_t count, const float* target_values,
                             const int* target_classes, std::size_t batch_total);
  float train_checked_batch(const float* inputs, std::size_t count, const float* target_values, const int* target_classes);
  void predict_checked(const float* inputs, std::size_t count, float* out);  // predict_into after check_batch
  // `at_once`: how many samples one pass will hold (the batch size, or evaluate's chunk).
  void check_batch(const float* inputs, std::size_t count, const BatchTargets* targets, const int* labels,
                   std::size_t at_once) const;
  void load_batch(const float* inputs, std::size_t count);
  void record_loss(float loss);

  Scene scene_;
  GraphShapes shapes_;
  std::size_t sample_size_ = 0;      // from scene_ and shapes_, kept so per-sample calls need no shape arithmetic
  std::size_t output_size_ = 0;
  std::size_t samples_that_fit_ = 1; // most samples one pass can hold (the widest edge's limit)
  // Samples per pass when a batch runs in chunks (see train_in_chunks); 0: batches run whole,
  // because a node mixes samples in training.
  std::size_t training_chunk_ = 0;
  bool shard_ready_ = false;  // the parameter gradients are a shard's, not yet applied
  std::size_t inference_chunk_ = 1;  // samples per pass in predict and evaluate
  std::vector<Node> nodes_;
  Tensor input_;                     // the scene's own input [N, ...]
  Tensor batch_;                     // samples from train_batch/evaluate/predict [n, ...]
  std::vector<Tensor> values_;       // node k's output edge
  std::vector<Tensor> grads_;        // its gradient
  Tensor input_grad_;
  bool running_batch_ = false;       // the edges describe batch_, not input_ (a flag, not a pointer: Model moves)
  Tensor target_;
  Optimizer optimizer_;
  float loss_ = 0.0f;
  std::vector<float> losses_;
  std::vector<float> loss_history_;
  std::vector<Tensor> backup_statistics_;
  std::vector<Param*> params_;          // every node's params, in order (stable: nodes never change)
  std::vector<Buffer*> statistics_;     // every running statistic, in order
  std::vector<float> batch_targets_;
  // Scratch lists of one node's input edges, reused by every pass so a step allocates nothing.
  Inputs scratch_inputs_;
  GradInputs scratch_grad_inputs_;
  // The passes' plan (plan_passes). Per edge (the input first, then node k's output at k + 1):
  // the node that writes its gradient fresh (its one reader, if that writes_fresh_gradients), or
  // -1 (zero-filled). Per node, in hidden passes: the ReLU it runs in its forward, or routes its
  // backward through, or -1; and whether a neighbour runs it in the pass under way.
  std::vector<int> fresh_writer_;
  std::vector<int> absorbs_relu_;
  std::vector<int> routes_relu_;
  std::vector<char> skipped_;
  std::vector<Tensor*> zeroed_param_grads_;  // of the layers that don't write fresh gradients
  bool dirty_ = true;                   // the edges do not describe the scene's own input
};

// The trace (docs/scene-format.md): every tensor of the model's current state, as JSON, with the
// model's recent loss history or the one given (e.g. everything train() returned). Version-1
// scenes give the version-1 trace ("layers", tensors per sample); version 2 the graph trace.
nlohmann::json trace(const Model& model);
nlohmann::json trace(const Model& model, const std::vector<float>& loss_history);

}  // namespace cnnlens
