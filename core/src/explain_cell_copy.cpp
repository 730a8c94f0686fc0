// Explanations of the kinds that only move or add whole tensors: flatten (each output is one input
// cell, and its gradient returns there), add (a sum of its inputs; its gradient is copied to every
// branch), concat (each output channel comes from one input; the gradient is split back) and
// pad2d (each output copies one input cell or is a constant 0; a source cell's gradient sums every
// pad cell that copied it).
#include "cnnlens/kernels/pad.hpp"
#include "cnnlens/layers/add.hpp"
#include "cnnlens/layers/concat.hpp"
#include "cnnlens/layers/flatten.hpp"
#include "cnnlens/layers/pad2d.hpp"
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

// The node (or the scene's input) an input slot reads, by id.
std::string producer_id(const Model& model, std::size_t node, std::size_t slot) {
  const int edge = model.node_inputs(node).at(slot);
  return edge < 0 ? std::string("input") : model.node(std::size_t(edge)).id();
}

json explain_add(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const std::size_t inputs = node.input_count();
  if (tensor == "output") {
    // y = x_1 + x_2 + ... + x_k, cell by cell
    json r = record(c, "sum", "add.forward", "output", cell(node.output(), c.sample, c.index));
    SumBuilder sum(inputs);
    for (std::size_t k = 0; k < inputs; ++k) sum.add(cell(node.input(k), c.sample, c.index), c.at(input_name(k), c.index), 1.0, {});
    sum.write(r, c.max_terms);
    return r;
  }
  // dy/dx_k = 1 for every input, so each branch receives dL/dy unchanged (a copy, not a share).
  const std::size_t slot = std::size_t(slot_of(tensor, "grad_input"));
  json r = record(c, "copy", "add.grad_input", grad_input_name(slot), cell(node.grad_input(slot), c.sample, c.index));
  r["source"] = ref_json(c.at("grad_output", c.index));
  r["slot"] = slot;
  r["from"] = producer_id(c.model, c.node, slot);
  json copies = json::array();
  for (std::size_t k = 0; k < inputs; ++k) copies.push_back(ref_json(c.at(grad_input_name(k), c.index)));
  r["copies"] = copies;  // every branch gets the same number
  r["total"] = cell(node.grad_output(), c.sample, c.index);
  return r;
}

// Where input k's block starts in one sample of the output, and its per-channel size.
struct Block {
  std::size_t slot, offset, size, inner;
};
std::vector<Block> concat_blocks(const NodeView& node) {
  std::vector<Block> blocks;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < node.input_count(); ++k) {
    const Tensor& x = node.input(k);
    const std::size_t size = sample_size(x);
    blocks.push_back({k, offset, size, size / x.shape()[1]});
    offset += size;
  }
  return blocks;
}

json explain_concat(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const std::vector<Block> blocks = concat_blocks(node);
  const std::size_t inner = blocks[0].inner;  // every axis after the channels matches
  if (tensor == "output") {
    // Output channel j is channel j - (channels before input k) of input k: a copy.
    std::size_t k = 0;
    while (c.index >= blocks[k].offset + blocks[k].size) ++k;
    const std::size_t local = c.index - blocks[k].offset;
    json r = record(c, "copy", "concat.forward", "output", cell(node.output(), c.sample, c.index));
    r["source"] = ref_json(c.at(input_name(k), local));
    r["slot"] = k;
    r["from"] = producer_id(c.model, c.node, k);
    r["channel"] = c.index / inner;
    r["source_channel"] = local / inner;
    r["total"] = cell(node.input(k), c.sample, local);
    return r;
  }
  // Backward: each output value copied one input value, so input k's gradient is its block of dL/dy.
  const std::size_t slot = std::size_t(slot_of(tensor, "grad_input"));
  const std::size_t at = blocks[slot].offset + c.index;
  json r = record(c, "copy", "concat.grad_input", grad_input_name(slot), cell(node.grad_input(slot), c.sample, c.index));
  r["source"] = ref_json(c.at("grad_output", at));
  r["slot"] = slot;
  r["from"] = producer_id(c.model, c.node, slot);
  r["channel"] = c.index / inner;
  r["output_channel"] = at / inner;
  r["total"] = cell(node.grad_output(), c.sample, at);
  return r;
}

json explain_pad(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Padding4 p = node.spec().padding("padding");
  const std::string& mode_name = node.spec().choice("mode");
  const kernels::PadMode mode = kernels::pad_mode_from(mode_name);
  const Map3 in = map_of(node.input()), out = map_of(node.output());
  if (tensor == "output") {
    // y[c, u, v] = x[c, src(u - top), src(v - left)] (reflect / replicate), or 0 outside (zeros).
    const int ch = out.channel(c.index), u = out.row(c.index) - p.top, v = out.col(c.index) - p.left;
    const int su = kernels::pad_source(u, in.h, mode), sv = kernels::pad_source(v, in.w, mode);
    const bool constant = su < 0 || sv < 0;
    json r = record(c, "copy", constant ? "pad.constant" : "pad.forward", "output", cell(node.output(), c.sample, c.index));
    r["mode"] = mode_name;
    r["position"] = json::array({u, v});  // relative to the input map: outside it in the padding
    r["padded"] = u < 0 || v < 0 || u >= in.h || v >= in.w;
    if (constant) {
      r["total"] = 0.0;
    } else {
      const std::size_t k = in.at(ch, su, sv);
      r["source"] = ref_json(c.at("input", k));
      r["source_cell"] = json::array({ch, su, sv});
      r["total"] = cell(node.input(), c.sample, k);
    }
    return r;
  }
  // Backward: y copies chosen x cells, so dL/dx[a, b] sums g over every output cell that copied
  // (a, b): the cell's own place and, with reflect / replicate, the pad cells mirroring it.
  const int ch = in.channel(c.index), a = in.row(c.index), b = in.col(c.index);
  json r = record(c, "sum", "pad.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
  r["mode"] = mode_name;
  SumBuilder sum;
  const Tensor& g = node.grad_output();
  for (int row = 0; row < out.h; ++row) {
    if (kernels::pad_source(row - p.top, in.h, mode) != a) continue;
    for (int col = 0; col < out.w; ++col) {
      if (kernels::pad_source(col - p.left, in.w, mode) != b) continue;
      const std::size_t k = out.at(ch, row, col);
      Term& t = sum.add(cell(g, c.sample, k), c.at("grad_output", k), 1.0, {});
      if (row - p.top != a || col - p.left != b) t.place_outside(row - p.top, col - p.left);
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

}  // namespace

std::optional<json> explain_copies(const Context& c, const std::string& tensor) {
  const Layer& layer = c.model.node(c.node).layer();
  const bool output = tensor == "output", grad_input = tensor == "grad_input";
  if (dynamic_cast<const Flatten*>(&layer) && (output || grad_input)) return explain_flatten(c, tensor);
  if (dynamic_cast<const Pad2d*>(&layer) && (output || grad_input)) return explain_pad(c, tensor);
  const bool any_grad_input = slot_of(tensor, "grad_input") >= 0;
  if (dynamic_cast<const Add*>(&layer) && (output || any_grad_input)) return explain_add(c, tensor);
  if (dynamic_cast<const Concat*>(&layer) && (output || any_grad_input)) return explain_concat(c, tensor);
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
