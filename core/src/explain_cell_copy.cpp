// Explanations of the kinds that only move values: flatten (each output is one input cell, and
// its gradient returns there).
#include "cnnlens/layers/flatten.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {
namespace {

json explain_flatten(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const bool grad = tensor == "grad_input";
  json r = grad ? record(c, "copy", "flatten.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index))
                : record(c, "copy", "flatten.forward", "output", cell(node.output(), c.sample, c.index));
  r["source"] = ref_json(grad ? c.at("grad_output", c.index) : c.at("input", c.index));
  r["total"] = grad ? cell(node.grad_output(), c.sample, c.index) : cell(x, c.sample, c.index);
  if (x.dimension() == 4) {  // the map cell, as (channel, row, col)
    const Map3 m = map_of(x);
    const int k = int(c.index);
    r["map_cell"] = {k / (m.h * m.w), (k / m.w) % m.h, k % m.w};
  }
  return r;
}

}  // namespace

std::optional<json> explain_copies(const Context& c, const std::string& tensor) {
  const Layer& layer = c.model.node(c.node).layer();
  const bool output = tensor == "output", grad_input = tensor == "grad_input";
  if (dynamic_cast<const Flatten*>(&layer) && (output || grad_input)) return explain_flatten(c, tensor);
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
