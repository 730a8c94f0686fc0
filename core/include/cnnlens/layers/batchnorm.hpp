// What batchnorm2d and batchnorm1d share (PyTorch's _BatchNorm): per-channel normalisation of a
// batch-first input seen as [N, C, S] (S = H*W for maps, 1 for vectors), each channel over its
// m = N*S values.
//
// Forward, train mode:  mu_c = mean of channel c,  var_c = mean of (x - mu_c)^2 (biased),
//           xhat = (x - mu_c) / sqrt(var_c + eps),  y = gamma_c * xhat + beta_c;
//           when context.update_statistics: running_mean = (1 - momentum) running_mean + momentum mu_c,
//           running_var = (1 - momentum) running_var + momentum var_c * m / (m - 1) (unbiased).
//           m == 1 is an error (PyTorch's "Expected more than 1 value per channel when training").
// Forward, eval mode:   the same with mu_c = running_mean[c], var_c = running_var[c]; nothing updates.
// Backward: with g = dL/dy, istd = 1 / sqrt(var_c + eps) and sums over the channel's m values,
//           dL/dbeta_c = sum g,   dL/dgamma_c = sum g xhat.
//           Eval: mu and var are constants, so dL/dx = g gamma_c istd.
//           Train: mu and var depend on every x of the channel. dL/dxhat = g gamma;
//             dL/dvar = sum(dL/dxhat (x - mu)) * -1/2 istd^3,  dL/dmu = -istd sum dL/dxhat (the
//             dvar/dmu term is a multiple of sum(x - mu) = 0), and dx = dxhat istd + dvar 2(x - mu)/m + dmu/m,
//           which folds to  dL/dx = gamma istd / m * (m g - sum g - xhat sum(g xhat)).
// Buffers:  weight, bias, running_mean, running_var (saved), batch_mean, batch_var [C]; batch_var is
//           the biased variance the batch is normalised with. Both batch buffers are recomputed by
//           every forward, in eval mode too (for display; eval mode does not use them).
#pragma once

#include <vector>

#include "cnnlens/kind.hpp"

namespace cnnlens {

class BatchNorm : public Layer {
 public:
  // `params`: weight, bias; `buffers`: running_mean, running_var, batch_mean, batch_var (as declared).
  BatchNorm(const NodeSpec& node, std::vector<Param> params, std::vector<Buffer> buffers);

  void forward(const Inputs& inputs, Tensor& output, const RunContext& context) override;
  void backward(const Inputs& inputs, const Tensor& output, const Tensor& grad_output, const GradInputs& grad_inputs,
                const RunContext& context) override;

  double eps() const { return eps_; }
  double momentum() const { return momentum_; }

 private:
  double eps_, momentum_;
  ErrorPlace place_;   // for the one error a forward pass can raise
  std::string label_;  // "node bn1 (batchnorm2d)"
  // What the last forward normalised with, per channel: backward recomputes xhat from these, so
  // it never depends on running statistics that the forward's own update has since moved.
  std::vector<double> mean_, istd_;
  bool used_batch_ = true;
};

// The kinds' shared declarations: fields eps and momentum, params weight/bias, the four buffers.
std::vector<FieldSpec> batchnorm_fields();
std::vector<TensorDecl> batchnorm_params(const NodeSpec& node, const InputShapes& inputs);
std::vector<TensorDecl> batchnorm_buffers(const NodeSpec& node, const InputShapes& inputs);
std::unique_ptr<Layer> batchnorm_create(const NodeSpec& node, const InputShapes& inputs, const Shape& output,
                                        std::vector<Param> params, std::vector<Buffer> buffers);

}  // namespace cnnlens
