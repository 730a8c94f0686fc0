// The runtime side of a layer kind: a forward/backward pair over batch-first tensors. The
// executor owns every edge (value and gradient); a layer owns only its parameters and buffers,
// each listed by name and role so the page and the trace discover them without knowing the kind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cnnlens/tensor.hpp"

namespace cnnlens {

// A learnable tensor with its gradient and the optimizer's per-parameter state.
struct Param {
  std::string name;         // "weight", "bias", ...
  Tensor value;
  Tensor grad;              // dL/d(value), same shape; backward() accumulates into it
  // Optimizer state; a default Tensor (dimension 0) means "not started yet".
  Tensor momentum;          // SGD velocity, or Adam's first moment m
  Tensor velocity;          // Adam's second moment v (empty unless Adam ran)
  Tensor delta;             // the change the last optimizer step made (empty before any step)
  std::string source_name;  // the name it had in a model file ("conv1.weight"), kept through save
};

// What a buffer is for, so views can draw it without knowing the kind.
enum class BufferRole {
  kStatistic,  // running statistics: part of the model, saved in the scene (batch norm)
  kBatch,      // statistics of the current batch, recomputed by every forward pass
  kMask,       // a random mask of the current pass (dropout)
  kRouting,    // where each output cell came from (max-pool argmax)
};
const char* role_name(BufferRole role);

struct Buffer {
  std::string name;
  BufferRole role;
  Tensor value;
  std::string source_name;
};

// A non-owning name -> tensor pair, valid until the model is changed or destroyed.
struct NamedTensor {
  std::string name;
  const Tensor* tensor;
  std::string role;  // "output", "grad", "param", "param.grad", "optimizer", "statistic", "batch", "mask", "routing", ...
};

// How a pass runs. The display pass (recomputing the scene's own sample for reading) keeps the
// mode but neither updates running statistics nor draws new masks.
struct RunContext {
  bool training = true;            // train mode: batch statistics, dropout active
  bool update_statistics = true;   // batch norm updates running_mean/running_var
  std::uint32_t seed = 1;
  std::uint64_t step = 0;          // optimizer steps taken: dropout masks derive from (seed, step, node)
  std::size_t node_index = 0;
  // false for inference (predict, evaluate): no backward pass reads what this forward leaves,
  // so a layer may skip what only its backward needs (max pooling's winning cells)
  bool backward_follows = true;
  // Backward only, and only for layers whose writes_fresh_gradients() is true. Bit k set:
  // *grad_inputs[k] was not zeroed because this node is the edge's only reader, so backward
  // writes every value of it (as 0 + its term, the same bits as adding into zeros). A zero-fill
  // and a read of every edge gradient saved: a tenth of a small network's backward memory traffic.
  std::uint32_t fresh_grad_inputs = 0;
  // The parameters' gradients were not zeroed: backward writes them (its first sample's terms
  // written, as 0 + term, the later ones added).
  bool fresh_param_grads = false;
  // The pass's edges are never read but for its result: a training step (its display pass is
  // recomputed when someone looks), a prediction, an evaluation. The executor then runs a ReLU
  // inside its neighbours (below), leaving the edges between them unwritten.
  bool edges_hidden = false;
  // Forward, for layers whose absorbs_relu() is true: apply max(0, .) to the output (the ReLU
  // reading it was fused in; the output tensor is the ReLU's).
  bool then_relu = false;
  // Backward, for layers whose routes_through_relu() is true: the input edge is a ReLU's output,
  // and *grad_inputs[0] is the gradient of the ReLU's input: each term passes where the ReLU's
  // output is positive, as the ReLU's backward would have passed it.
  bool through_relu = false;
};

using Inputs = std::vector<const Tensor*>;
using GradInputs = std::vector<Tensor*>;

class Layer {
 public:
  virtual ~Layer() = default;

  // Reads the input edges (batch-first), writes the output edge (resized as needed).
  virtual void forward(const Inputs& inputs, Tensor& output, const RunContext& context) = 0;

  // Reads dL/d(output); ADDS dL/d(input k) into *grad_inputs[k] (sized like the input; other
  // consumers of the same edge add theirs too) and every parameter's gradient into its grad.
  // A null grad_inputs[k] means nobody needs that gradient. The context's fresh_* flags turn
  // "adds" into "writes" for layers that say they can.
  virtual void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output,
                        const GradInputs& grad_inputs, const RunContext& context) = 0;

  // Whether backward() honours RunContext::fresh_grad_inputs and fresh_param_grads. The
  // executor zero-fills the gradients of the layers that don't.
  virtual bool writes_fresh_gradients() const { return false; }

  // Fusing a ReLU (RunContext::then_relu, through_relu) saves a pass over a feature map each way.
  virtual bool is_relu() const { return false; }
  virtual bool absorbs_relu() const { return false; }
  virtual bool routes_through_relu() const { return false; }

  std::vector<Param>& params() { return params_; }
  const std::vector<Param>& params() const { return params_; }
  std::vector<Buffer>& buffers() { return buffers_; }
  const std::vector<Buffer>& buffers() const { return buffers_; }
  Param* find_param(const std::string& name);
  Buffer* find_buffer(const std::string& name);
  const Param& param(const std::string& name) const;  // throws std::logic_error if absent
  Param& param(const std::string& name);

  void zero_grad();

 protected:
  std::vector<Param> params_;
  std::vector<Buffer> buffers_;
};

// Adds src into dst element by element (same size).
void add_into(Tensor& dst, const Tensor& src);

}  // namespace cnnlens
