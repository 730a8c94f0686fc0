// The executor: the one forward loop and the one backward loop over the graph, and a training
// step (forward, loss, backward, update, with the undo that keeps the last finite state). Kept
// apart from model.cpp (the façade: construction, reading, editing) because these are the hot
// loops: the wasm build compiles this file for speed and the façade for size.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/kernels/simd.hpp"
#include "cnnlens/loss.hpp"
#include "cnnlens/model.hpp"
#include "model_internal.hpp"

namespace cnnlens {

// x * 0 is NaN exactly when x is infinite or NaN, and 0 otherwise: one NaN-propagating sum over
// four lanes checks a whole tensor without a branch per value (every parameter is checked at
// every step, setParameters and setGradients check what they are given).
bool detail::all_finite(const float* values, std::size_t count) {
  using namespace kernels;
  const f32x4 zero = splat4(0.0f);
  f32x4 acc = zero;
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) acc = add4(acc, mul4(load4(values + k), zero));
  float rest = sum4(acc);
  for (; k < count; ++k) rest += values[k] * 0.0f;
  return !std::isnan(rest);
}

namespace {

using nlohmann::json;

// Keeps memory flat on endless runs: past this many losses the oldest half is dropped.
constexpr std::size_t kMaxHistory = 10'000;

bool all_finite(const Tensor& t) { return detail::all_finite(t.data(), t.size()); }
using detail::field_place;

}  // namespace

RunContext Model::context(bool training_pass) const {
  RunContext c;
  c.training = scene_.mode == Mode::kTrain;
  c.update_statistics = training_pass && c.training;
  c.seed = scene_.seed;
  c.step = std::uint64_t(optimizer_.steps_taken());
  return c;
}

const Tensor& Model::edge_value(int edge) const {
  if (edge >= 0) return values_[std::size_t(edge)];
  return running_batch_ ? batch_ : input_;
}
const Tensor& Model::edge_grad(int edge) const { return edge < 0 ? input_grad_ : grads_[std::size_t(edge)]; }

// Node by node in order. In a pass whose edges are hidden, a ReLU after a layer that can absorb
// it runs inside that layer, which writes the ReLU's output; its own output edge stays unwritten.
void Model::run_forward(const Tensor& input, const RunContext& base) {
  running_batch_ = &input == &batch_;
  std::fill(skipped_.begin(), skipped_.end(), 0);  // a pass cut short by an error may have left one
  Inputs& inputs = scratch_inputs_;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    if (skipped_[k]) continue;
    inputs.clear();
    for (int edge : nodes_[k].inputs) inputs.push_back(&edge_value(edge));
    RunContext c = base;
    c.node_index = k;
    const int relu = base.edges_hidden ? absorbs_relu_[k] : -1;
    if (relu < 0) {
      nodes_[k].layer->forward(inputs, values_[k], c);
      continue;
    }
    c.then_relu = true;
    nodes_[k].layer->forward(inputs, values_[std::size_t(relu)], c);
    reshape_to(values_[k], values_[std::size_t(relu)].shape());  // its gradient is sized by it
    skipped_[std::size_t(relu)] = 1;
  }
}

float Model::compute_loss(const float* target_values, const int* target_classes, std::size_t batch, double* total) {
  const Tensor& out = values_.back();
  loss_ = scene_.loss == LossKind::kMse ? mse_loss(out, target_values, grads_.back(), losses_, batch, total)
                                        : cross_entropy_loss(out, target_classes, grads_.back(), losses_, batch, total);
  return loss_;
}

void Model::run_backward(const RunContext& base, bool input_gradient) { backprop(base, input_gradient, true); }

// Walks the nodes backwards; each adds into (or, told so, writes) the gradients of the edges it
// read and of its parameters. An edge gradient is zero-filled first unless its only reader
// writes it fresh. Without `input_gradient` the nodes that read the input are told nobody needs
// its gradient (a null pointer): a training step on another sample never shows it, and for the
// first convolution it is a third of its backward.
void Model::backprop(const RunContext& base, bool input_gradient, bool fresh_params) {
  shard_ready_ = false;
  for (std::size_t k = 0; k + 1 < nodes_.size(); ++k) {
    reshape_to(grads_[k], values_[k].shape());
    if (fresh_writer_[k + 1] < 0) grads_[k].fill(0.0f);
  }
  if (input_gradient) {
    reshape_to(input_grad_, edge_value(-1).shape());
    if (fresh_writer_[0] < 0) input_grad_.fill(0.0f);
  }
  if (fresh_params) {
    for (Tensor* grad : zeroed_param_grads_) grad->fill(0.0f);
  }
  std::fill(skipped_.begin(), skipped_.end(), 0);
  Tensor* input_grad = input_gradient ? &input_grad_ : nullptr;
  const auto grad_of = [&](int edge) { return edge < 0 ? input_grad : &grads_[std::size_t(edge)]; };
  Inputs& inputs = scratch_inputs_;
  GradInputs& grad_inputs = scratch_grad_inputs_;
  for (std::size_t k = nodes_.size(); k-- > 0;) {
    if (skipped_[k]) continue;
    inputs.clear();
    grad_inputs.clear();
    RunContext c = base;
    c.node_index = k;
    c.fresh_param_grads = fresh_params;
    for (int edge : nodes_[k].inputs) {
      const bool fresh = fresh_writer_[std::size_t(edge + 1)] == int(k) && inputs.size() < 32;
      if (fresh) c.fresh_grad_inputs |= 1u << inputs.size();
      inputs.push_back(&edge_value(edge));
      grad_inputs.push_back(grad_of(edge));
    }
    // In a hidden pass, a layer routing through the ReLU before it writes the ReLU's input
    // gradient itself; the ReLU's backward (and its output's gradient) is skipped.
    const int relu = base.edges_hidden ? routes_relu_[k] : -1;
    if (relu >= 0) {
      grad_inputs[0] = grad_of(nodes_[std::size_t(relu)].inputs[0]);
      c.fresh_grad_inputs = 1u;
      c.through_relu = true;
      skipped_[std::size_t(relu)] = 1;
    }
    nodes_[k].layer->backward(inputs, values_[k], grads_[k], grad_inputs, c);
  }
}

// Applies one optimizer update, or, if it would make a parameter infinite or NaN, none: the
// parameters and the optimizer state stay as they were, and the running statistics the step's
// forward pass updated are put back, so the last finite state is kept.
void Model::update_parameters_or_throw() {
  // Running statistics that overflowed (a batch variance of inf) count as divergence too: a
  // model whose state cannot be saved as a scene must not be kept.
  bool finite = true;
  for (const Buffer* b : statistics_) finite = finite && all_finite(b->value);
  if (finite && optimizer_.step_if_finite(params_)) return;
  restore_statistics();
  throw SceneError("diverged", field_place("optimizer"), {{"lr", optimizer_.spec().lr}},
                   "training stopped: the update made a parameter or a running statistic infinite or NaN (the learning rate " +
                       json(optimizer_.spec().lr).dump() + " is probably too high); the last finite state is kept");
}

void Model::record_loss(float loss) {
  if (loss_history_.size() >= kMaxHistory) loss_history_.erase(loss_history_.begin(), loss_history_.begin() + kMaxHistory / 2);
  loss_history_.push_back(loss);
}

void Model::save_statistics() {
  backup_statistics_.resize(statistics_.size());
  for (std::size_t k = 0; k < statistics_.size(); ++k) copy_into(backup_statistics_[k], statistics_[k]->value);
}

void Model::restore_statistics() {
  for (std::size_t k = 0; k < statistics_.size(); ++k) copy_into(statistics_[k]->value, backup_statistics_[k]);
}

// losses_ holds the pass whose first sample is `first_sample` of a batch of `batch`.
void Model::throw_loss_not_finite(std::size_t first_sample, std::size_t batch) const {
  std::size_t worst = 0;
  while (worst + 1 < losses_.size() && std::isfinite(losses_[worst])) ++worst;
  const std::size_t sample = first_sample + worst;
  throw SceneError("loss_not_finite", field_place("loss"), {{"sample", sample}},
                   std::string("training stopped: the loss") + (batch > 1 ? " of batch sample " + std::to_string(sample) : "") +
                       " is " + (std::isnan(losses_[worst]) ? "NaN" : "infinite") +
                       "; lower the learning rate or reset the parameters");
}

// One training step on `input` (the scene's own or a batch): forward (updating running
// statistics), loss, backward, update. The edges then describe the pre-update pass: stale.
float Model::train_on(const Tensor& input, const float* target_values, const int* target_classes) {
  save_statistics();
  dirty_ = true;
  RunContext c = context(true);
  c.edges_hidden = true;
  try {
    run_forward(input, c);
  } catch (const SceneError&) {
    // A layer may refuse the batch (batch norm with one value per channel) after earlier
    // nodes of the same pass updated their running statistics: undo those.
    restore_statistics();
    throw;
  }
  const float loss_before = compute_loss(target_values, target_classes);
  if (!std::isfinite(loss_before)) {
    restore_statistics();
    throw_loss_not_finite(0, input.shape()[0]);
  }
  run_backward(c, false);
  update_parameters_or_throw();
  record_loss(loss_before);
  return loss_before;
}

// The same step on `count` samples, run `training_chunk_` at a time so each chunk's tensors stay
// in the caches (a whole batch of 64x64 feature maps streams through memory). Exactly the step
// of one pass: each chunk's loss gradient is scaled by the whole batch, and every layer adds its
// parameter gradients sample by sample, in the same order either way. Only for graphs where no
// node mixes samples in training (training_chunk_ > 0).
float Model::train_in_chunks(const float* inputs, std::size_t count, const float* target_values,
                             const int* target_classes) {
  save_statistics();
  dirty_ = true;
  const double total = gradients_in_chunks(inputs, count, target_values, target_classes, count);
  update_parameters_or_throw();
  const float loss_before = static_cast<float>(total / static_cast<double>(count));
  record_loss(loss_before);
  return loss_before;
}

double Model::gradients_in_chunks(const float* inputs, std::size_t count, const float* target_values,
                                  const int* target_classes, std::size_t batch_total) {
  RunContext c = context(true);
  c.edges_hidden = true;
  double total = 0.0;
  for (std::size_t first = 0; first < count; first += training_chunk_) {
    const std::size_t n = std::min(training_chunk_, count - first);
    load_batch(inputs + first * sample_size_, n);
    run_forward(batch_, c);
    compute_loss(target_values ? target_values + first * output_size_ : nullptr,
                 target_classes ? target_classes + first : nullptr, batch_total, &total);
    if (!std::isfinite(total)) throw_loss_not_finite(first, count);
    backprop(c, false, first == 0);
  }
  return total;
}

}  // namespace cnnlens
