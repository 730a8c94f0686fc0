// Cell-by-cell explanations as typed records (explain_cell.hpp): the entry point, the record
// header and sum writer every family shares, the loss, and the graph's edges (a node's input is its
// producer's output; a gradient arriving at an edge is what its readers sent back). The kinds'
// own arithmetic lives in the family files (explain_cell_internal.hpp); indexing there mirrors
// each layer's own loops, so the written-out sums reproduce the numbers the layers produced.
#include "cnnlens/explain_cell.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "explain_cell_internal.hpp"

namespace cnnlens {
namespace explain_detail {

json ref_json(const Ref& r) {
  json object(json::value_t::object);
  auto& map = object.get_ref<json::object_t&>();
  map.emplace("node", r.node);
  map.emplace("tensor", r.tensor);
  if (r.sample >= 0) map.emplace("sample", r.sample);
  map.emplace("index", r.index);
  return object;
}

void SumBuilder::write(json& record, std::size_t max_terms, double constant) const {
  std::vector<std::size_t> nonzero, zero;
  double total = constant;
  for (std::size_t k = 0; k < terms_.size(); ++k) {
    total += terms_[k].product;
    (terms_[k].product != 0.0 ? nonzero : zero).push_back(k);
  }
  std::vector<std::size_t> shown;
  double omitted_sum = 0.0;
  std::size_t omitted = 0;
  if (nonzero.size() > max_terms) {
    std::vector<std::size_t> order = nonzero;
    std::nth_element(order.begin(), order.begin() + long(max_terms), order.end(), [&](std::size_t x, std::size_t y) {
      return std::fabs(terms_[x].product) > std::fabs(terms_[y].product);
    });
    shown.assign(order.begin(), order.begin() + long(max_terms));
    std::sort(shown.begin(), shown.end());
    for (auto it = order.begin() + long(max_terms); it != order.end(); ++it) omitted_sum += terms_[*it].product;
    omitted = nonzero.size() - max_terms;
  } else {
    shown = nonzero;
    if (terms_.size() <= max_terms) shown.insert(shown.end(), zero.begin(), zero.end());
  }
  json list = json::array();
  double shown_total = constant;
  for (std::size_t k : shown) {
    const Term& t = terms_[k];
    shown_total += t.product;
    json object(json::value_t::object);
    auto& map = object.get_ref<json::object_t&>();
    map.emplace("a", t.a);
    map.emplace("b", t.b);
    map.emplace("product", t.product);
    if (t.a_ref.node != kNoRef) map.emplace("a_ref", ref_json(t.a_ref));
    if (t.b_ref.node != kNoRef) map.emplace("b_ref", ref_json(t.b_ref));
    if (t.padding) map.emplace("padding", true);
    if (t.outside) map.emplace("position", json::array({t.position[0], t.position[1]}));
    list.push_back(std::move(object));
  }
  const std::size_t shown_zero = shown.size() - std::min(shown.size(), nonzero.size() - omitted);
  record["terms"] = std::move(list);
  record["term_count"] = terms_.size();
  record["zero_terms"] = zero.size();
  record["omitted_zero_terms"] = zero.size() - shown_zero;
  record["omitted_terms"] = omitted;
  record["omitted_sum"] = omitted_sum;
  record["shown_total"] = shown_total;
  record["total"] = total;
}

json record(const Context& c, const char* kind, const std::string& formula, const char* tensor, double value,
            bool is_param) {
  json r(json::value_t::object);
  r["kind"] = kind;
  r["formula"] = formula;
  r["cell"] = ref_json(is_param ? c.param(tensor, c.index) : c.at(tensor, c.index));
  r["type"] = c.model.node(c.node).type();
  r["node_id"] = c.model.node(c.node).id();
  r["value"] = value;
  return r;
}

namespace {
// "base" or "base.k", kept for the life of the program: refs hold the name as a plain pointer.
const char* slot_name(const char* base, std::size_t slot) {
  static std::set<std::string> names;
  const std::string name = slot == 0 ? std::string(base) : std::string(base) + "." + std::to_string(slot);
  return names.insert(name).first->c_str();
}
}  // namespace

void require_loss(const Model& model, const NodeView& node) {
  if (!model.has_loss()) {
    throw SceneError("no_loss", node.spec().place(), json::object(), "the scene has no loss, so no gradients to explain");
  }
}

const char* input_name(std::size_t slot) { return slot_name("input", slot); }
const char* grad_input_name(std::size_t slot) { return slot_name("grad_input", slot); }

int slot_of(const std::string& tensor, const char* base) {
  const std::string b = base;
  if (tensor == b) return 0;
  if (tensor.size() <= b.size() + 1 || tensor.compare(0, b.size(), b) != 0 || tensor[b.size()] != '.') return -1;
  int slot = 0;
  for (std::size_t k = b.size() + 1; k < tensor.size(); ++k) {
    if (tensor[k] < '0' || tensor[k] > '9' || slot > 1000) return -1;
    slot = slot * 10 + (tensor[k] - '0');
  }
  return slot;
}

}  // namespace explain_detail

namespace {

using namespace explain_detail;

[[noreturn]] void fail_tensor(const NodeView& node, const std::string& tensor) {
  throw SceneError("unknown_tensor", node.spec().place(), {{"tensor", tensor}},
                   "node " + node.id() + " (" + node.type() + ") has no tensor \"" + tensor + "\" to explain");
}

// ------------------------------------------------------------------ loss

json explain_loss(const Context& c) {
  const Model& model = c.model;
  const NodeView last = model.node(c.node);
  const Tensor& y = last.output();
  const Tensor& g = model.loss_grad();
  const std::size_t f = sample_size(y), n = y.shape()[0];
  const double value = cell(g, c.sample, c.index);
  const double out = cell(y, c.sample, c.index);
  const double target = cell(model.target(), c.sample, c.index);
  if (model.scene().loss == LossKind::kMse) {
    json r = record(c, "loss", "loss.mse", "grad_output", value);
    r["y"] = out;
    r["y_ref"] = ref_json(c.at("output", c.index));
    r["target"] = target;
    r["features"] = f;
    r["batch"] = n;
    r["total"] = 2.0 * (out - target) / double(f * n);
    return r;
  }
  // cross_entropy: (softmax(z)_i - onehot_i) / N, the softmax from the logits as the loss took it.
  const float* z = y.data() + c.sample * f;
  const double m = *std::max_element(z, z + f);
  double denominator = 0.0;
  for (std::size_t k = 0; k < f; ++k) denominator += std::exp(double(z[k]) - m);
  const double p = std::exp(out - m) / denominator;
  json r = record(c, "loss", "loss.cross_entropy", "grad_output", value);
  r["y"] = out;
  r["y_ref"] = ref_json(c.at("output", c.index));
  r["softmax"] = p;
  r["target"] = target;  // the one-hot entry: 1 for the true class
  r["batch"] = n;
  r["total"] = (p - target) / double(n);
  return r;
}

// ------------------------------------------------------------------ dispatch and edges

// Per-sample tensors are the edges and what lives beside them (masks, routing); parameters, running
// statistics and the batch statistics ([C]: one value per channel for the whole batch) are not.
bool per_sample(const std::string& role) {
  return role == "input" || role == "output" || role == "grad" || role == "routing" || role == "mask";
}

std::size_t tensor_size(const Model& model, std::size_t node_index, const std::string& tensor, bool& is_param) {
  const NodeView node = model.node(node_index);
  for (const NamedTensor& t : node.tensors()) {
    if (t.name != tensor) continue;
    is_param = !per_sample(t.role);
    return is_param ? t.tensor->size() : sample_size(*t.tensor);
  }
  fail_tensor(node, tensor);
}

using Readers = std::vector<std::pair<std::size_t, std::size_t>>;  // (node, input slot)

// Every (node, slot) that reads edge `edge` (-1: the scene's input, k: node k's output).
Readers readers_of(const Model& model, int edge) {
  Readers readers;
  for (std::size_t k = std::size_t(std::max(edge + 1, 0)); k < model.node_count(); ++k) {
    const std::vector<int>& ins = model.node_inputs(k);
    for (std::size_t s = 0; s < ins.size(); ++s) {
      if (ins[s] == edge) readers.push_back({k, s});
    }
  }
  return readers;
}

json explain_node(const Context& c, const std::string& tensor);

// The node's own arithmetic for `tensor`, by family; a kind no family writes out (or a parameter's
// value, a running statistic) gives the number alone.
json explain_own(const Context& c, const std::string& tensor) {
  for (auto family : {explain_activation, explain_dense, explain_pooling, explain_convolution, explain_normalization,
                      explain_copies}) {
    if (std::optional<json> r = family(c, tensor)) return std::move(*r);
  }
  const NodeView node = c.model.node(c.node);
  for (const NamedTensor& t : node.tensors()) {
    if (t.name != tensor) continue;
    const bool sample = per_sample(t.role);
    return record(c, "value", "value", tensor.c_str(), sample ? cell(*t.tensor, c.sample, c.index) : t.tensor->data()[c.index],
                  !sample);
  }
  fail_tensor(node, tensor);
}

// An edge read by several nodes (or twice by one) receives the sum of what each reader sends back
// (model.hpp: backward adds into the edge's gradient). The record sums the readers' parts, each
// the `total` of that reader's own arithmetic; `asked` (a reader) also gets its own record as
// "part", with its value the part it adds.
json explain_shared(const Context& c, const char* tensor, double value, const Readers& readers, int asked_node,
                    int asked_slot) {
  json r = record(c, "readers", "edge.readers", tensor, value);
  SumBuilder sum(readers.size());
  json list = json::array();
  for (const auto& [k, slot] : readers) {
    const char* name = grad_input_name(slot);
    json own = explain_own({c.model, k, c.sample, c.index, c.max_terms}, name);
    const double part = own.contains("total") ? own.at("total").get<double>() : own.at("value").get<double>();
    sum.add(part, {int(k), name, long(c.sample), c.index}, 1.0, {});
    list.push_back({{"node", k}, {"node_id", c.model.node(k).id()}, {"slot", slot}, {"value", part}});
    if (int(k) == asked_node && int(slot) == asked_slot) {
      own["value"] = part;
      r["part"] = std::move(own);
    }
  }
  r["readers"] = std::move(list);
  sum.write(r, c.max_terms);
  return r;
}

// dL/d(output of node k) is what the nodes reading it sent back: the loss for the last node, the
// one reader's grad_input record, or the sum of every reader's part when several read it.
json explain_grad_output(const Context& c) {
  const Model& model = c.model;
  if (c.node + 1 == model.node_count()) return explain_loss(c);
  const Readers readers = readers_of(model, int(c.node));
  const double value = cell(model.node(c.node).grad_output(), c.sample, c.index);
  if (readers.size() != 1) return explain_shared(c, "grad_output", value, readers, -1, -1);
  json r = explain_own({model, readers[0].first, c.sample, c.index, c.max_terms}, grad_input_name(readers[0].second));
  r["same_as"] = r["cell"];
  r["cell"] = ref_json(c.at("grad_output", c.index));
  return r;
}

json explain_node(const Context& c, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  if (tensor == "grad_output") return explain_grad_output(c);
  if (const int slot = slot_of(tensor, "input"); slot >= 0) {
    const int edge = c.model.node_inputs(c.node).at(std::size_t(slot));
    if (edge < 0) return record(c, "value", "input.value", input_name(std::size_t(slot)), cell(node.input(std::size_t(slot)), c.sample, c.index));
    json r = explain_node({c.model, std::size_t(edge), c.sample, c.index, c.max_terms}, "output");
    r["same_as"] = r["cell"];
    r["cell"] = ref_json(c.at(input_name(std::size_t(slot)), c.index));
    return r;
  }
  if (const int slot = slot_of(tensor, "grad_input"); slot >= 0) {
    const int edge = c.model.node_inputs(c.node).at(std::size_t(slot));
    const Readers readers = readers_of(c.model, edge);
    if (readers.size() > 1) {
      return explain_shared(c, grad_input_name(std::size_t(slot)), cell(node.grad_input(std::size_t(slot)), c.sample, c.index),
                            readers, c.n(), slot);
    }
  }
  return explain_own(c, tensor);
}

}  // namespace

json explain_cell(const Model& model, std::size_t node_index, const std::string& tensor, std::size_t sample,
                  std::size_t index, std::size_t max_terms) {
  model.ensure_fresh();
  const NodeView node = model.node(node_index);  // throws for a bad index
  if (tensor.rfind("grad_", 0) == 0 || tensor.find(".grad") != std::string::npos) explain_detail::require_loss(model, node);
  bool is_param = false;
  const std::size_t size = tensor_size(model, node_index, tensor, is_param);

  const std::size_t samples = model.input().shape()[0];
  if (index >= size || (!is_param && sample >= samples)) {
    throw SceneError("cell_out_of_range", node.spec().place(), {{"tensor", tensor}, {"index", index}, {"sample", sample}},
                     "cell " + std::to_string(index) + " of sample " + std::to_string(sample) + " is outside " +
                         tensor + " of node " + node.id());
  }
  return explain_node({model, node_index, is_param ? 0 : sample, index, std::max<std::size_t>(max_terms, 1)}, tensor);
}

}  // namespace cnnlens
