// Explanations of batch normalisation (batchnorm2d and batchnorm1d, one BatchNorm layer): each cell
// normalised with its channel's statistics (the batch's in train mode, the running ones in eval
// mode), the three paths of its input gradient, how dL/dgamma and dL/dbeta sum over the batch and
// the positions, and the batch statistics themselves as sums. Sums run in double in the layer's
// order, so they reproduce its numbers.
#include <cmath>

#include "cnnlens/layers/batchnorm.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {
namespace {

// [N, C, S] view of the node's input (S = H*W for maps, 1 for vectors) and one channel's statistics.
struct Channel {
  std::size_t n, c, s;    // layout
  std::size_t channel;    // the channel explained
  std::size_t m;          // values per channel in the batch: N * S
  bool batch;             // normalised with the batch's statistics (train mode)
  double mean, var, istd;
  std::size_t at(std::size_t i) const { return channel * s + i; }  // position i of the channel, within one sample
};

Channel channel_of(const Context& c, const BatchNorm& bn, std::size_t channel) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  Channel ch{x.shape()[0], x.shape()[1], 0, channel, 0, c.model.scene().mode == Mode::kTrain, 0.0, 0.0, 0.0};
  ch.s = sample_size(x) / ch.c;
  ch.m = ch.n * ch.s;
  if (ch.batch) {
    double sum = 0.0, squares = 0.0;
    for (std::size_t n = 0; n < ch.n; ++n) {
      for (std::size_t i = 0; i < ch.s; ++i) sum += cell(x, n, ch.at(i));
    }
    ch.mean = sum / double(ch.m);
    for (std::size_t n = 0; n < ch.n; ++n) {
      for (std::size_t i = 0; i < ch.s; ++i) squares += (cell(x, n, ch.at(i)) - ch.mean) * (cell(x, n, ch.at(i)) - ch.mean);
    }
    ch.var = squares / double(ch.m);
    ch.istd = 1.0 / std::sqrt(ch.var + bn.eps());
  } else {
    ch.mean = bn.buffers()[0].value.data()[channel];
    ch.var = bn.buffers()[1].value.data()[channel];
    ch.istd = 1.0 / std::sqrt(ch.var + bn.eps());
  }
  return ch;
}

// The statistics a record names: which ones, their values and the buffers holding them.
void write_statistics(const Context& c, const BatchNorm& bn, const Channel& ch, json& r) {
  r["channel"] = ch.channel;
  r["statistics"] = ch.batch ? "batch" : "running";
  r["mean"] = ch.mean;
  r["mean_ref"] = ref_json(c.param(ch.batch ? "batch_mean" : "running_mean", ch.channel));
  r["var"] = ch.var;
  r["var_ref"] = ref_json(c.param(ch.batch ? "batch_var" : "running_var", ch.channel));
  r["eps"] = bn.eps();
  r["std"] = std::sqrt(ch.var + bn.eps());
  r["inv_std"] = ch.istd;
  if (ch.batch) r["count"] = ch.m;  // the N * S values the batch statistics are taken over
}

json explain_batchnorm(const Context& c, const BatchNorm& bn, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const std::size_t channels = x.shape()[1];
  const std::size_t per_channel = sample_size(x) / channels;
  const bool param = tensor != "output" && tensor != "grad_input";
  const Channel ch = channel_of(c, bn, param ? c.index : c.index / per_channel);
  const double gamma = bn.params()[0].value.data()[ch.channel], beta = bn.params()[1].value.data()[ch.channel];

  if (tensor == "output") {
    // y = gamma (x - mean) / sqrt(var + eps) + beta
    const double xv = cell(x, c.sample, c.index), xhat = (xv - ch.mean) * ch.istd;
    json r = record(c, "normalize", "batchnorm.forward", "output", cell(node.output(), c.sample, c.index));
    r["x"] = xv;
    r["x_ref"] = ref_json(c.at("input", c.index));
    write_statistics(c, bn, ch, r);
    r["xhat"] = xhat;
    r["gamma"] = gamma;
    r["gamma_ref"] = ref_json(c.param("weight", ch.channel));
    r["beta"] = beta;
    r["beta_ref"] = ref_json(c.param("bias", ch.channel));
    r["total"] = gamma * xhat + beta;
    return r;
  }

  const Tensor& g = node.grad_output();
  if (tensor == "grad_input" && !ch.batch) {
    // Eval: mean and var are constants, so y is linear in x with slope gamma / sqrt(var + eps):
    // dL/dx = dL/dy * gamma * inv_std.
    const double gv = cell(g, c.sample, c.index);
    json r = record(c, "chain", "batchnorm.grad_input_eval", "grad_input", cell(node.grad_input(), c.sample, c.index));
    r["x"] = cell(x, c.sample, c.index);
    r["x_ref"] = ref_json(c.at("input", c.index));
    r["grad_output"] = gv;
    r["grad_output_ref"] = ref_json(c.at("grad_output", c.index));
    write_statistics(c, bn, ch, r);
    r["slope"] = gamma * ch.istd;
    r["slope_factors"] = {{{"label", "gamma"}, {"value", gamma}}, {{"label", "1/sqrt(var+eps)"}, {"value", ch.istd}}};
    r["slope_ref"] = ref_json(c.param("weight", ch.channel));
    r["total"] = gv * gamma * ch.istd;
    return r;
  }

  // The two channel sums every gradient below uses, over the batch and the positions:
  // sum_g = sum g (= dL/dbeta), sum_g_xhat = sum g * xhat (= dL/dgamma).
  double sum_g = 0.0, sum_g_xhat = 0.0;
  for (std::size_t n = 0; n < ch.n; ++n) {
    for (std::size_t i = 0; i < ch.s; ++i) {
      const double gv = cell(g, n, ch.at(i));
      sum_g += gv;
      sum_g_xhat += gv * (cell(x, n, ch.at(i)) - ch.mean) * ch.istd;
    }
  }

  if (tensor == "grad_input") {
    // Train: mean and var depend on every x of the channel. With xhat = (x - mean) * inv_std,
    // dL/dxhat = g * gamma; dL/dvar = sum(dL/dxhat (x - mean)) * -inv_std^3 / 2;
    // dL/dmean = -inv_std * sum dL/dxhat (the dvar/dmean term vanishes: sum(x - mean) = 0);
    // dx = dxhat * inv_std + dvar * 2 (x - mean) / m + dmean / m, which folds to
    // dL/dx = gamma * inv_std / m * (m g - sum g - xhat * sum(g xhat)): three paths, written out.
    const double gv = cell(g, c.sample, c.index);
    const double xhat = (cell(x, c.sample, c.index) - ch.mean) * ch.istd;
    const double scale = gamma * ch.istd, m = double(ch.m);
    json r = record(c, "normalize_grad", "batchnorm.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
    r["x"] = cell(x, c.sample, c.index);
    r["x_ref"] = ref_json(c.at("input", c.index));
    r["grad_output"] = gv;
    r["grad_output_ref"] = ref_json(c.at("grad_output", c.index));
    write_statistics(c, bn, ch, r);
    r["xhat"] = xhat;
    r["gamma"] = gamma;
    r["gamma_ref"] = ref_json(c.param("weight", ch.channel));
    r["sum_grad"] = sum_g;
    r["sum_grad_ref"] = ref_json(c.param("bias.grad", ch.channel));
    r["sum_grad_xhat"] = sum_g_xhat;
    r["sum_grad_xhat_ref"] = ref_json(c.param("weight.grad", ch.channel));
    const double direct = scale * gv, through_mean = -scale * sum_g / m, through_var = -scale * xhat * sum_g_xhat / m;
    r["paths"] = {{{"label", "direct"}, {"value", direct}},
                  {{"label", "mean"}, {"value", through_mean}},
                  {{"label", "variance"}, {"value", through_var}}};
    r["total"] = direct + through_mean + through_var;
    return r;
  }

  if (tensor == "weight.grad" || tensor == "bias.grad") {
    // dL/dgamma_c = sum over samples and positions of g * xhat; dL/dbeta_c = sum of g.
    const bool weight = tensor == "weight.grad";
    json r = record(c, "sum", weight ? "batchnorm.weight_grad" : "batchnorm.bias_grad", tensor.c_str(),
                    bn.params()[weight ? 0 : 1].grad.data()[ch.channel], true);
    write_statistics(c, bn, ch, r);
    SumBuilder sum(ch.m);
    for (std::size_t n = 0; n < ch.n; ++n) {
      for (std::size_t i = 0; i < ch.s; ++i) {
        const std::size_t k = ch.at(i);
        if (weight) {
          sum.add(cell(g, n, k), c.at("grad_output", n, k), (cell(x, n, k) - ch.mean) * ch.istd, c.at("input", n, k));
        } else {
          sum.add(cell(g, n, k), c.at("grad_output", n, k), 1.0, {});
        }
      }
    }
    sum.write(r, c.max_terms);
    return r;
  }

  // batch_mean / batch_var: the batch's own statistics of the channel (computed in eval mode too, for display).
  const bool mean = tensor == "batch_mean";
  json r = record(c, "sum", mean ? "batchnorm.batch_mean" : "batchnorm.batch_var", tensor.c_str(),
                  bn.buffers()[mean ? 2 : 3].value.data()[ch.channel], true);
  Channel batch = ch;
  if (!ch.batch) {  // eval mode normalises with the running statistics, but the buffers still hold the batch's
    double sum = 0.0;
    for (std::size_t n = 0; n < ch.n; ++n) {
      for (std::size_t i = 0; i < ch.s; ++i) sum += cell(x, n, ch.at(i));
    }
    batch.mean = sum / double(ch.n * ch.s);
  }
  r["channel"] = ch.channel;
  r["count"] = ch.n * ch.s;
  if (!mean) r["mean"] = batch.mean;
  SumBuilder sum(ch.n * ch.s);
  const double m = double(ch.n * ch.s);
  for (std::size_t n = 0; n < ch.n; ++n) {
    for (std::size_t i = 0; i < ch.s; ++i) {
      const std::size_t k = ch.at(i);
      const double xv = cell(x, n, k);
      // mean: x * 1/m; var (biased): (x - mean) * (x - mean)/m
      if (mean) sum.add(xv, c.at("input", n, k), 1.0 / m, {});
      else sum.add(xv - batch.mean, c.at("input", n, k), (xv - batch.mean) / m, {});
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

}  // namespace

std::optional<json> explain_normalization(const Context& c, const std::string& tensor) {
  const auto* bn = dynamic_cast<const BatchNorm*>(&c.model.node(c.node).layer());
  if (bn == nullptr) return std::nullopt;
  if (tensor != "output" && tensor != "grad_input" && tensor != "weight.grad" && tensor != "bias.grad" &&
      tensor != "batch_mean" && tensor != "batch_var") {
    return std::nullopt;
  }
  return explain_batchnorm(c, *bn, tensor);
}

}  // namespace cnnlens::explain_detail
