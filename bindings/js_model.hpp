// The one class JS sees: a cnnlens::Model plus conversions between C++ and JS values. It holds no
// logic of its own; every method forwards to the core and turns failures into JS Errors.
#pragma once

#include <memory>
#include <string>

#include <emscripten/val.h>

#include "cnnlens/model.hpp"
#include "js_errors.hpp"

namespace cnnlens::js {

using emscripten::val;

class JsModel {
 public:
  explicit JsModel(const std::string& scene_json);

  // Strings arrive as `val` (JS strings) rather than std::string: Embind frees a std::string
  // argument's wire buffer only when the call returns, so every thrown error would leak it.

  // running
  void forward();
  void backward();
  double step();
  val train(int steps);
  double loss() const;
  val loss_history() const;
  int steps_taken() const;
  emscripten::val trace() const;
  emscripten::val to_json() const;

  // reading
  int layer_count() const;
  std::string layer_type(int layer) const;
  val layer_tensors(int layer) const;
  val view(int layer, const val& name) const;

  // the graph, by node id (tensors batch-first, as the core holds them)
  val node_ids() const;
  val node_tensors(const val& id) const;
  val node_view(const val& id, const val& name) const;
  val node_copy(const val& id, const val& name) const;
  void set_node_param(const val& id, const val& name, const val& values);
  void set_node_param_element(const val& id, const val& name, int index, double value);
  val losses() const;
  val copy(int layer, const val& name) const;
  val input_view() const;
  val input_shape() const;
  val output_shape() const;
  val loss_grad_view() const;
  val target_view() const;
  val optimizer() const;

  // editing
  void set_input(const val& values);
  void set_input_cell(int channel, int row, int col, double value);
  void set_param(int layer, const val& name, const val& values);
  void set_param_element(int layer, const val& name, int index, double value);
  void set_target(const val& target_json);
  void set_optimizer(const val& optimizer_json);
  void reset_optimizer();
  // the optimizer's step count, moments and last change, and the loss history (js_optimizer_state.cpp)
  val optimizer_state() const;
  void set_optimizer_state(const val& state);

  // mini-batches: samples as Float32Array (or Uint8Array pixels, scaled by 1/255), targets as
  // class indices (cross_entropy) or concatenated target vectors (mse)
  double train_batch(const val& inputs, const val& targets);
  val train_batches(const val& inputs, const val& targets, int batch_size);
  val evaluate(const val& inputs, const val& labels);
  val predict(const val& inputs);  // any whole number of samples; their outputs, batch-first
  // data-parallel training across copies of the model (docs/api.md "Sharing a batch between workers")
  bool splits_batches() const;
  double shard_gradients(const val& inputs, const val& targets, int batch_total);
  val parameters() const;
  val gradients() const;
  void set_parameters(const val& values);
  void set_gradients(const val& values);
  val parameters_into(const val& out);
  val gradients_into(const val& out);
  void apply_gradients(double mean_loss);
  // The fast lane under trainBatch and predict (fast_calls.js): JS writes the samples and then
  // the targets into the staging area whose byte address stage() returns, then calls these with
  // lengths only. predict_staged leaves the outputs right after the samples; returns their count.
  int stage(int input_values, int target_values);
  double train_staged(int input_values, int target_values, bool bytes);
  int predict_staged(int input_values, bool bytes);

  // explanations
  val explain_conv(int layer, int channel, int row, int col) const;
  val explain_pool(int layer, int channel, int row, int col) const;
  val explain_conv_weight_grad(int layer, int out_channel, int in_channel, int kernel_row, int kernel_col) const;
  val explain_conv_input_grad(int layer, int channel, int row, int col) const;
  val explain_cell(int node, const val& tensor, int sample, int index, int max_terms) const;
  val gradient_check();
  val loss_landscape(int layer_a, const val& name_a, int index_a, int layer_b, const val& name_b, int index_b,
                     double half_width, int resolution);

 private:
  const Tensor& find_tensor(int layer, const val& name) const;
  const Tensor& find_node_tensor(const val& id, const val& name) const;

  // Sizes the staging area for a call's samples and targets (or outputs); returns its start.
  float* stage_area(std::size_t input_values, std::size_t target_values);
  // Checks and reading of the staging area (see js_model.cpp).
  std::size_t count_samples(std::size_t input_values, std::size_t expected_samples) const;
  std::size_t staged_samples(std::size_t input_values, std::size_t target_values, bool bytes);
  const int* staged_labels(std::size_t offset, std::size_t n, std::size_t count);  // class indices into labels_
  BatchTargets staged_targets(std::size_t offset, std::size_t n, std::size_t count);
  // Copies a `val` call's samples (and targets, if given) into the staging area; returns the sample values' count.
  std::size_t stage_from_js(const val& inputs, const val* targets, const char* targets_name);
  // trainBatch and trainBatches' arguments, staged and checked: how many samples, and their targets.
  struct StagedBatch {
    std::size_t count;
    BatchTargets targets;
  };
  StagedBatch stage_training_call(const val& inputs, const val& targets);
  // A flat parameter (or gradient) vector from JS, checked for length, in staging_.
  const float* stage_parameters(const val& values, const char* what);
  val flat_copy(void (Model::*into)(float*) const) const;
  val flat_into(void (Model::*into)(float*) const, const val& out, const char* what);

  std::unique_ptr<Model> model_;
  // Samples and targets of the last batch call, kept so repeated calls reuse the memory.
  std::vector<float> staging_;
  std::vector<int> labels_;
};

// Every code an Error from this module can carry (cnnlens/error_codes.hpp).
val error_codes();

// Every layer kind with its fields, defaults, limits and parameters (registry.hpp).
val layer_kinds();

// Bytes of the wasm heap in use by malloc, for leak tests.
double heap_in_use();

// Bench hook: `iterations` rounds of register-resident f32x4 multiply-add chains
// (kernels::simd_peak_loop); JS times the call. Returns a value derived from the result.
double simd_peak(int iterations);
int simd_peak_flops_per_iteration();

}  // namespace cnnlens::js
