// The batch-norm layer both batch-norm kinds build; the derivation is in batchnorm.hpp. Sums run
// in double, one channel at a time over its N*S values.
#include "cnnlens/layers/batchnorm.hpp"

#include <cmath>
#include <utility>

namespace cnnlens {
namespace {

// [N, C, S] view of a batch-first [N, C, H, W] or [N, F] tensor.
struct Layout {
  std::size_t n, c, s;
};

Layout layout_of(const Tensor& x) {
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  return {n, c, x.size() / (n * c)};
}

}  // namespace

std::vector<FieldSpec> batchnorm_fields() {
  return {
      {"eps", FieldType::kNumber, 1e-5, 1e-12, 1.0, {}, "", false},
      {"momentum", FieldType::kNumber, 0.1, 0.0, 1.0, {}, "", false},
  };
}

std::vector<TensorDecl> batchnorm_params(const NodeSpec&, const InputShapes& inputs) {
  const Shape c{inputs[0][1]};
  return {{"weight", c, Init::kOnes}, {"bias", c, Init::kZeros}};
}

std::vector<TensorDecl> batchnorm_buffers(const NodeSpec&, const InputShapes& inputs) {
  const Shape c{inputs[0][1]};
  return {{"running_mean", c, Init::kZeros, 0.0f, BufferRole::kStatistic, true},
          {"running_var", c, Init::kOnes, 0.0f, BufferRole::kStatistic, true},
          {"batch_mean", c, Init::kZeros, 0.0f, BufferRole::kBatch, false},
          {"batch_var", c, Init::kZeros, 0.0f, BufferRole::kBatch, false}};
}

std::unique_ptr<Layer> batchnorm_create(const NodeSpec& node, const InputShapes&, const Shape&, std::vector<Param> params,
                                        std::vector<Buffer> buffers) {
  return std::make_unique<BatchNorm>(node, std::move(params), std::move(buffers));
}

BatchNorm::BatchNorm(const NodeSpec& node, std::vector<Param> params, std::vector<Buffer> buffers)
    : eps_(node.number("eps")), momentum_(node.number("momentum")), place_(node.place()), label_(node.label()) {
  params_ = std::move(params);
  buffers_ = std::move(buffers);
}

void BatchNorm::forward(const Inputs& inputs, Tensor& output, const RunContext& context) {
  const Tensor& x = *inputs[0];
  const Layout l = layout_of(x);
  const std::size_t m = l.n * l.s;
  if (context.training && m == 1) {
    Shape got(x.shape().begin(), x.shape().end());
    throw SceneError("one_value_per_channel", ErrorPlace{place_.node, place_.layer, place_.type, "inputs"},
                     {{"input", got}},
                     label_ + ": expected more than 1 value per channel when training, got input " + shape_to_string(got) +
                         " (train on a batch of at least 2 samples, or use eval mode)");
  }
  reshape_to(output, x.shape());
  const float* gamma = params_[0].value.data();
  const float* beta = params_[1].value.data();
  float* running_mean = buffers_[0].value.data();
  float* running_var = buffers_[1].value.data();
  float* batch_mean = buffers_[2].value.data();
  float* batch_var = buffers_[3].value.data();
  mean_.assign(l.c, 0.0);
  istd_.assign(l.c, 0.0);
  used_batch_ = context.training;
  for (std::size_t c = 0; c < l.c; ++c) {
    double sum = 0.0;
    for (std::size_t n = 0; n < l.n; ++n) {
      const float* xs = x.data() + (n * l.c + c) * l.s;
      for (std::size_t i = 0; i < l.s; ++i) sum += xs[i];
    }
    const double mean = sum / double(m);
    double squares = 0.0;
    for (std::size_t n = 0; n < l.n; ++n) {
      const float* xs = x.data() + (n * l.c + c) * l.s;
      for (std::size_t i = 0; i < l.s; ++i) squares += (xs[i] - mean) * (xs[i] - mean);
    }
    const double var = squares / double(m);
    batch_mean[c] = float(mean);
    batch_var[c] = float(var);
    if (context.training) {
      mean_[c] = mean;
      istd_[c] = 1.0 / std::sqrt(var + eps_);
      if (context.update_statistics) {
        const double unbiased = squares / double(m - 1);
        running_mean[c] = float((1.0 - momentum_) * running_mean[c] + momentum_ * mean);
        running_var[c] = float((1.0 - momentum_) * running_var[c] + momentum_ * unbiased);
      }
    } else {
      mean_[c] = running_mean[c];
      istd_[c] = 1.0 / std::sqrt(double(running_var[c]) + eps_);
    }
    for (std::size_t n = 0; n < l.n; ++n) {
      const float* xs = x.data() + (n * l.c + c) * l.s;
      float* ys = output.data() + (n * l.c + c) * l.s;
      for (std::size_t i = 0; i < l.s; ++i) ys[i] = float(gamma[c] * ((xs[i] - mean_[c]) * istd_[c]) + beta[c]);
    }
  }
}

void BatchNorm::backward(const Inputs& inputs, const Tensor&, const Tensor& grad_output, const GradInputs& grad_inputs,
                         const RunContext&) {
  const Tensor& x = *inputs[0];
  const Layout l = layout_of(x);
  const double m = double(l.n * l.s);
  const float* gamma = params_[0].value.data();
  float* grad_gamma = params_[0].grad.data();
  float* grad_beta = params_[1].grad.data();
  Tensor* gx = grad_inputs[0];
  for (std::size_t c = 0; c < l.c; ++c) {
    const double mean = mean_[c], istd = istd_[c];
    double sum_g = 0.0, sum_g_xhat = 0.0;
    for (std::size_t n = 0; n < l.n; ++n) {
      const std::size_t at = (n * l.c + c) * l.s;
      for (std::size_t i = 0; i < l.s; ++i) {
        const double g = grad_output.data()[at + i];
        sum_g += g;
        sum_g_xhat += g * (x.data()[at + i] - mean) * istd;
      }
    }
    grad_gamma[c] += float(sum_g_xhat);
    grad_beta[c] += float(sum_g);
    if (gx == nullptr) continue;
    const double scale = gamma[c] * istd;
    for (std::size_t n = 0; n < l.n; ++n) {
      const std::size_t at = (n * l.c + c) * l.s;
      for (std::size_t i = 0; i < l.s; ++i) {
        const double g = grad_output.data()[at + i];
        if (used_batch_) {
          const double xhat = (x.data()[at + i] - mean) * istd;
          gx->data()[at + i] += float(scale / m * (m * g - sum_g - xhat * sum_g_xhat));
        } else {
          gx->data()[at + i] += float(scale * g);
        }
      }
    }
  }
}

}  // namespace cnnlens
