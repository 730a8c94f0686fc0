// Explanations of dense layers: each output is a weighted sum of the sample's features plus a
// bias; backward, the input gradient sums over the outputs and the parameter gradients over the batch.
#include "cnnlens/layers/dense.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {
namespace {

json explain_dense_layer(const Context& c, const Dense& layer, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const Tensor& w = layer.params()[0].value;
  const std::size_t outs = w.shape()[0], ins = w.shape()[1], batch = x.shape()[0];
  if (tensor == "output") {
    const std::size_t j = c.index;
    json r = record(c, "sum", "dense.forward", "output", cell(node.output(), c.sample, j));
    SumBuilder sum(ins);
    for (std::size_t i = 0; i < ins; ++i) {
      sum.add(w.data()[j * ins + i], c.param("weight", j * ins + i), cell(x, c.sample, i), c.at("input", i));
    }
    const double bias = layer.params()[1].value.data()[j];
    r["constant"] = {{"value", bias}, {"ref", ref_json(c.param("bias", j))}};
    sum.write(r, c.max_terms, bias);
    return r;
  }
  if (tensor == "grad_input") {
    // z_j = sum_i w_ji x_i + b_j, so dL/dx_i = sum_j w_ji * dL/dz_j
    const std::size_t i = c.index;
    json r = record(c, "sum", "dense.grad_input", "grad_input", cell(node.grad_input(), c.sample, i));
    SumBuilder sum(outs);
    for (std::size_t j = 0; j < outs; ++j) {
      sum.add(w.data()[j * ins + i], c.param("weight", j * ins + i), cell(node.grad_output(), c.sample, j),
              c.at("grad_output", j));
    }
    sum.write(r, c.max_terms);
    return r;
  }
  const Tensor& g = node.grad_output();
  if (tensor == "weight.grad") {
    // dL/dw_ji = sum over the batch of x_i * dL/dz_j
    const std::size_t j = c.index / ins, i = c.index % ins;
    json r = record(c, "sum", "dense.weight_grad", "weight.grad", layer.params()[0].grad.data()[c.index], true);
    SumBuilder sum(batch);
    for (std::size_t n = 0; n < batch; ++n) {
      sum.add(cell(x, n, i), {c.n(), "input", long(n), i}, cell(g, n, j), {c.n(), "grad_output", long(n), j});
    }
    sum.write(r, c.max_terms);
    return r;
  }
  // bias.grad: sum over the batch of dL/dz_j
  json r = record(c, "sum", "dense.bias_grad", "bias.grad", layer.params()[1].grad.data()[c.index], true);
  SumBuilder sum(batch);
  for (std::size_t n = 0; n < batch; ++n) sum.add(cell(g, n, c.index), {c.n(), "grad_output", long(n), c.index}, 1.0, {});
  sum.write(r, c.max_terms);
  return r;
}

}  // namespace

std::optional<json> explain_dense(const Context& c, const std::string& tensor) {
  const auto* d = dynamic_cast<const Dense*>(&c.model.node(c.node).layer());
  if (d == nullptr || (tensor != "output" && tensor != "grad_input" && tensor != "weight.grad" && tensor != "bias.grad")) {
    return std::nullopt;
  }
  return explain_dense_layer(c, *d, tensor);
}

}  // namespace cnnlens::explain_detail
