// ONNX graph -> version-2 scene. The decoded graph (onnx_proto.hpp) is walked once in its node
// order. Every ONNX value becomes one of three things:
//   a constant  (initializers, Constant nodes, and everything computed from constants and from
//                the shapes that follow from the input: Shape -> Gather -> Unsqueeze -> Concat),
//   an edge     (the scene's input or a node already emitted, with its batch-first shape),
//   a pending element-wise expression (Sub/Div/Mul/Add by constants, Erf, Pow, Tanh of one):
//                resolved when a layer reads it, as input normalisation or as GELU; GELU's two
//                PyTorch patterns are recognised as soon as they are complete.
// Ops map onto the core's layer kinds; each node is checked by its kind's own shape rule as it is
// emitted, and the whole scene by validate_scene() at the end. docs/onnx.md is the contract.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/onnx.hpp"
#include "cnnlens/registry.hpp"
#include "onnx_proto.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;
using onnx::Attribute;
using onnx::Node;

constexpr const char* kSupportedOps =
    "Add, AveragePool, BatchNormalization, Cast, Clip, Concat, Constant, Conv, ConvTranspose, Div, Dropout, Elu, "
    "Erf (in GELU), Flatten, Gather (of shapes), Gelu, Gemm, GlobalAveragePool, GlobalMaxPool, Identity, LeakyRelu, "
    "LogSoftmax, MatMul, MaxPool, Mul, Pad, Pow (in GELU), PRelu, Relu, Reshape, Shape, Sigmoid, Softmax, Squeeze, "
    "Sub, Tanh, Transpose (of constants), Unsqueeze";

// Shortest decimal that reads back as the same float32: ONNX stores attributes as float32, PyTorch
// its hyper-parameters as doubles (1e-5f becomes 1e-05, not 9.99999974738e-06).
double tidy(double value) {
  const float target = static_cast<float>(value);
  char text[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    const double parsed = std::strtod(text, nullptr);
    if (static_cast<float>(parsed) == target) return parsed;
  }
  return value;
}

struct Value {
  enum Kind { kConst, kEdge, kExpr } kind = kConst;
  onnx::Tensor constant;  // kConst
  int edge = -1;          // kEdge: -1 the scene's input, k >= 0 emitted node k
  Shape shape;            // kEdge and kExpr: batch-first
  // kExpr: the element-wise op, its argument value names and the node that computed it.
  std::string op;
  std::vector<std::string> args;
  const Node* node = nullptr;
};

struct Emitted {
  NodeSpec spec;
  std::string name;        // the ONNX node's name (made unique at the end)
  std::vector<int> inputs;  // edges
  Shape shape;
  bool open_bias = false;  // a MatMul's dense node whose bias an Add may still give
};

class Importer {
 public:
  explicit Importer(const onnx::Model& model) : model_(model), graph_(model.graph) {}

  Scene run();

 private:
  const onnx::Model& model_;
  const onnx::Graph& graph_;
  std::int64_t opset_ = 0;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::vector<Emitted> emitted_;
  Shape input_shape_;
  std::string input_name_;
  bool training_ = false;
  json normalize_;
  const Node* node_ = nullptr;  // the node being read, for messages

  // --- messages
  std::string where() const {
    if (node_ == nullptr) return "the ONNX graph";
    return "node " + (node_->name.empty() ? (node_->outputs.empty() ? std::string("?") : node_->outputs[0]) : node_->name) +
           " (" + node_->op_type + ")";
  }
  [[noreturn]] void fail(const std::string& code, const std::string& message, json details = json::object()) const {
    ErrorPlace place;
    if (node_ != nullptr) {
      place.node = node_->name;
      place.type = node_->op_type;
      details["op_type"] = node_->op_type;
    }
    throw SceneError(code, place, std::move(details), where() + ": " + message);
  }

  // --- values
  const Value& value(const std::string& name) {
    auto it = values_.find(name);
    if (it == values_.end()) fail("onnx_unknown_value", "reads \"" + name + "\", which no earlier node or initializer gives (is the graph topologically sorted?)");
    return it->second;
  }
  bool has_input(std::size_t k) const { return node_->inputs.size() > k && !node_->inputs[k].empty(); }
  const std::string& input(std::size_t k) {
    if (!has_input(k)) fail("onnx_missing_input", "input " + std::to_string(k + 1) + " is missing");
    return node_->inputs[k];
  }
  void set_output(const Value& v, std::size_t k = 0) {
    if (node_->outputs.size() <= k || node_->outputs[k].empty()) return;
    values_[node_->outputs[k]] = v;
  }
  bool output_used(std::size_t k) const {
    if (node_->outputs.size() <= k || node_->outputs[k].empty()) return false;
    auto it = uses_.find(node_->outputs[k]);
    return it != uses_.end() && it->second > 0;
  }
  void set_edge(int edge) {
    Value v;
    v.kind = Value::kEdge;
    v.edge = edge;
    v.shape = edge < 0 ? input_shape_ : emitted_[std::size_t(edge)].shape;
    set_output(v);
  }
  void set_constant(onnx::Tensor t) {
    Value v;
    v.kind = Value::kConst;
    v.constant = std::move(t);
    set_output(v);
  }

  const onnx::Tensor& constant(std::size_t k, const char* what) {
    const Value& v = value(input(k));
    if (v.kind != Value::kConst) fail("onnx_not_constant", std::string(what) + " must be a constant (an initializer or computed from them)");
    return v.constant;
  }
  const std::vector<float>& floats(const onnx::Tensor& t, const char* what) {
    if (!t.is_float()) {
      fail("onnx_element_type", std::string(what) + " \"" + t.name + "\" has element type " + onnx::data_type_name(t.data_type) +
                                    "; CNN Lens reads float32 tensors",
           {{"element_type", onnx::data_type_name(t.data_type)}});
    }
    return t.floats;
  }
  const std::vector<std::int64_t>& ints(const onnx::Tensor& t, const char* what) {
    if (t.data_type != onnx::kInt64) {
      fail("onnx_element_type", std::string(what) + " has element type " + onnx::data_type_name(t.data_type) + "; integers expected",
           {{"element_type", onnx::data_type_name(t.data_type)}});
    }
    return t.ints;
  }
  double scalar(const onnx::Tensor& t, const char* what) {
    if (t.size() != 1) fail("onnx_not_scalar", std::string(what) + " must be a single value");
    if (t.is_float()) return t.floats.at(0);
    if (t.data_type == onnx::kInt64) return double(t.ints.at(0));
    return floats(t, what).at(0);
  }

  // The edge an op reads: a pending expression is resolved (normalisation, tanh) or refused.
  const Value& edge_value(std::size_t k);
  int resolve(const std::string& name);
  bool is_edge_or_expr(const std::string& name) {
    const Value& v = value(name);
    return v.kind != Value::kConst;
  }

  // --- attributes
  const Attribute* attr(const char* name, int type) {
    const Attribute* a = node_->attribute(name);
    if (a != nullptr && a->type != 0 && a->type != type) fail("onnx_malformed", std::string("attribute ") + name + " has the wrong type");
    return a;
  }
  std::int64_t attr_int(const char* name, std::int64_t fallback) {
    const Attribute* a = attr(name, onnx::kAttrInt);
    return a ? a->i : fallback;
  }
  double attr_float(const char* name, double fallback) {
    const Attribute* a = attr(name, onnx::kAttrFloat);
    return a ? double(a->f) : fallback;
  }
  std::string attr_string(const char* name, const std::string& fallback) {
    const Attribute* a = attr(name, onnx::kAttrString);
    return a ? a->s : fallback;
  }
  std::vector<std::int64_t> attr_ints(const char* name, std::vector<std::int64_t> fallback) {
    const Attribute* a = attr(name, onnx::kAttrInts);
    return a ? a->ints : fallback;
  }

  // --- emitting
  int emit(const std::string& type, json fields, std::vector<int> inputs, std::map<std::string, TensorData> tensors);
  void replace_kind(int index, const std::string& type, json fields);
  std::string node_name() const {
    if (!node_->name.empty()) return node_->name;
    return node_->outputs.empty() ? node_->op_type : node_->outputs[0];
  }
  static TensorData tensor_data(std::vector<float> data, const std::string& name) { return TensorData{std::move(data), name}; }

  // Input 0 with the same elements in `dims` (Squeeze, Unsqueeze, Reshape): a constant just takes
  // them; an activation passes through when they are its own, becomes a flatten for
  // [N, C, H, W] -> [N, features], and is refused otherwise, with the message `no_kind` gives
  // for the activation's shape and `dims` (made only then).
  /** the refusal for a shape change with no layer kind, given both shapes written as "1x2" */
  using NoKindMessage = std::function<std::string(const std::string& from, const std::string& to)>;
  void give_dims(const Value& v, std::vector<std::int64_t> dims, const NoKindMessage& no_kind);

  // --- ops
  void read_node();
  void op_constant();
  void op_shape();
  void op_gather();
  void op_squeeze_unsqueeze(bool unsqueeze);
  void op_concat();
  void op_cast();
  void op_transpose();
  void op_reshape();
  void op_flatten();
  void op_binary();
  void op_conv(bool transpose);
  void op_batchnorm();
  void op_pool(bool max);
  void op_global_pool(bool max);
  void op_gemm();
  void op_matmul();
  void op_activation(const std::string& type, json fields);
  void op_prelu();
  void op_clip();
  void op_softmax(const std::string& type);
  void op_dropout();
  void op_pad();
  void op_gelu();
  void try_gelu();

  std::array<int, 4> spatial_padding(const Shape& in, std::int64_t kh, std::int64_t kw, std::int64_t sh, std::int64_t sw,
                                     std::int64_t dh, std::int64_t dw);

  // expression matching
  void factors(const std::string& name, double& k, std::vector<std::string>& out, int depth);
  void terms(const std::string& name, double& c, std::vector<std::string>& out, int depth);
  bool same_edge(const std::string& a, const std::string& b);
  bool affine(const std::string& name, std::vector<double>& a, std::vector<double>& b, int depth);

  void read_input();
  Scene assemble();
};

bool near(double value, double want) { return std::abs(value - want) <= 1e-4 * std::abs(want) + 1e-7; }

// ---------------------------------------------------------------- constants

onnx::Tensor int_tensor(std::vector<std::int64_t> values, std::vector<std::int64_t> dims) {
  onnx::Tensor t;
  t.data_type = onnx::kInt64;
  t.ints = std::move(values);
  t.dims = std::move(dims);
  return t;
}

// Element-wise arithmetic on constants with NumPy broadcasting.
onnx::Tensor broadcast_op(const onnx::Tensor& a, const onnx::Tensor& b, char op, bool& ok) {
  ok = false;
  onnx::Tensor out;
  const std::size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<std::int64_t> ad(rank, 1), bd(rank, 1), od(rank, 1);
  std::copy(a.dims.begin(), a.dims.end(), ad.begin() + std::ptrdiff_t(rank - a.dims.size()));
  std::copy(b.dims.begin(), b.dims.end(), bd.begin() + std::ptrdiff_t(rank - b.dims.size()));
  for (std::size_t k = 0; k < rank; ++k) {
    if (ad[k] != bd[k] && ad[k] != 1 && bd[k] != 1) return out;
    od[k] = std::max(ad[k], bd[k]);
  }
  out.dims = od;
  const std::size_t count = out.size();
  if (count > limits::kMaxParameters) return out;
  const bool as_float = a.is_float() || b.is_float();
  out.data_type = as_float ? onnx::kFloat : onnx::kInt64;
  std::vector<std::size_t> out_strides(rank, 1), a_strides(rank, 0), b_strides(rank, 0);
  for (std::size_t k = rank; k-- > 1;) out_strides[k - 1] = out_strides[k] * std::size_t(od[k]);
  for (std::size_t k = rank, sa = 1, sb = 1; k-- > 0;) {
    a_strides[k] = ad[k] == 1 ? 0 : sa;
    b_strides[k] = bd[k] == 1 ? 0 : sb;
    sa *= std::size_t(ad[k]);
    sb *= std::size_t(bd[k]);
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t ia = 0, ib = 0;
    for (std::size_t k = 0; k < rank; ++k) {
      const std::size_t coord = (i / out_strides[k]) % std::size_t(od[k]);
      ia += coord * a_strides[k];
      ib += coord * b_strides[k];
    }
    if (as_float) {
      const double x = a.is_float() ? a.floats[ia] : double(a.ints[ia]);
      const double y = b.is_float() ? b.floats[ib] : double(b.ints[ib]);
      const double r = op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y;
      out.floats.push_back(static_cast<float>(r));
    } else {
      const std::int64_t x = a.ints[ia], y = b.ints[ib];
      if (op == '/' && y == 0) return out;
      out.ints.push_back(op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y);
    }
  }
  ok = true;
  return out;
}

// Transpose of a constant of any rank.
onnx::Tensor transpose_tensor(const onnx::Tensor& t, std::vector<std::int64_t> perm) {
  const std::size_t rank = t.dims.size();
  if (perm.empty()) {
    for (std::size_t k = rank; k-- > 0;) perm.push_back(std::int64_t(k));
  }
  onnx::Tensor out;
  out.name = t.name;
  out.data_type = t.data_type;
  out.dims.resize(rank);
  for (std::size_t k = 0; k < rank; ++k) out.dims[k] = t.dims[std::size_t(perm[k])];
  std::vector<std::size_t> in_strides(rank, 1);
  for (std::size_t k = rank; k-- > 1;) in_strides[k - 1] = in_strides[k] * std::size_t(t.dims[k]);
  const std::size_t count = t.size();
  if (t.is_float()) out.floats.resize(count);
  else out.ints.resize(count);
  std::vector<std::size_t> coord(rank, 0);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t src = 0;
    for (std::size_t k = 0; k < rank; ++k) src += coord[k] * in_strides[std::size_t(perm[k])];
    if (t.is_float()) out.floats[i] = t.floats[src];
    else out.ints[i] = t.ints[src];
    for (std::size_t k = rank; k-- > 0;) {
      if (++coord[k] < std::size_t(out.dims[k])) break;
      coord[k] = 0;
    }
  }
  return out;
}

std::vector<std::int64_t> shape_dims(const Shape& s) { return std::vector<std::int64_t>(s.begin(), s.end()); }
// As shape_to_string: "1x2x1".
std::string dims_to_string(const std::vector<std::int64_t>& dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i > 0 ? "x" : "") + std::to_string(dims[i]);
  return text;
}

// The dims of a constant or of an activation.
std::vector<std::int64_t> dims_of(const Value& v) { return v.kind == Value::kConst ? v.constant.dims : shape_dims(v.shape); }

// ---------------------------------------------------------------- reading

const Value& Importer::edge_value(std::size_t k) {
  const std::string& name = input(k);
  const Value& v = value(name);
  if (v.kind == Value::kConst) fail("onnx_constant_activation", "input \"" + name + "\" is a constant where an activation is expected");
  if (v.kind == Value::kExpr) resolve(name);
  return value(name);
}

int Importer::emit(const std::string& type, json fields, std::vector<int> inputs, std::map<std::string, TensorData> tensors) {
  if (emitted_.size() >= limits::kMaxNodes) {
    fail("too_many_nodes", "the model needs more than " + std::to_string(limits::kMaxNodes) + " nodes, the core's limit",
         {{"max", limits::kMaxNodes}});
  }
  fields["id"] = "n";
  fields["type"] = type;
  Emitted e;
  e.spec = parse_node(fields);
  e.name = node_name();
  e.spec.id = e.name;
  e.inputs = std::move(inputs);
  InputShapes shapes;
  for (int edge : e.inputs) shapes.push_back(edge < 0 ? input_shape_ : emitted_[std::size_t(edge)].shape);
  e.shape = e.spec.kind->output_shape(e.spec, shapes);
  for (auto& t : tensors) e.spec.tensors[t.first] = std::move(t.second);
  emitted_.push_back(std::move(e));
  return int(emitted_.size()) - 1;
}

void Importer::replace_kind(int index, const std::string& type, json fields) {
  Emitted& e = emitted_[std::size_t(index)];
  fields["id"] = "n";
  fields["type"] = type;
  NodeSpec spec = parse_node(fields);
  spec.tensors = std::move(e.spec.tensors);
  e.spec = std::move(spec);
  e.name = node_name();
  e.spec.id = e.name;
}

// A pending expression read by a layer: input normalisation, a tanh of one, or refused.
int Importer::resolve(const std::string& name) {
  Value& v = values_.at(name);
  if (v.kind == Value::kEdge) return v.edge;
  std::vector<double> a, b;
  if (affine(name, a, b, 0)) {
    if (!normalize_.is_null() || uses_[input_name_] != 1) {
      const Node* saved = node_;
      node_ = v.node;
      (void)saved;
      fail("onnx_expression", "input normalisation must be the only use of the graph input");
    }
    json mean = json::array(), stdev = json::array();
    for (std::size_t c = 0; c < a.size(); ++c) {
      if (a[c] == 0.0) fail("onnx_expression", "input normalisation divides by zero");
      mean.push_back(tidy(-b[c] / a[c]));
      stdev.push_back(tidy(1.0 / a[c]));
    }
    normalize_ = {{"mean", mean}, {"std", stdev}};
    v.kind = Value::kEdge;
    v.edge = -1;
    v.shape = input_shape_;
    return -1;
  }
  const Node* saved = node_;
  node_ = v.node;
  if (v.op == "Tanh" && v.args.size() == 1) {
    const int in = resolve(v.args[0]);
    const int out = emit("tanh", json::object(), {in}, {});
    Value& again = values_.at(name);
    again.kind = Value::kEdge;
    again.edge = out;
    again.shape = emitted_[std::size_t(out)].shape;
    node_ = saved;
    return out;
  }
  if (v.op == "Add" && v.args.size() == 2 && value(v.args[0]).kind != Value::kConst && value(v.args[1]).kind != Value::kConst) {
    const std::string first = v.args[0], second = v.args[1];
    const int x = resolve(first);
    const int y = resolve(second);
    const int out = emit("add", json::object(), {x, y}, {});
    Value& again = values_.at(name);
    again.kind = Value::kEdge;
    again.edge = out;
    again.shape = emitted_[std::size_t(out)].shape;
    node_ = saved;
    return out;
  }
  fail("onnx_expression",
       "this element-wise " + v.op + " on an activation does not map onto a layer: Sub, Div, Mul and Add by constants "
       "fold only as input normalisation (right after the graph input), inside GELU's patterns, or as a MatMul's bias");
}

// value = k * product(out): Mul chains, division by constants, Pow by 2 or 3.
void Importer::factors(const std::string& name, double& k, std::vector<std::string>& out, int depth) {
  const Value& v = value(name);
  if (depth < 32 && v.kind == Value::kConst && v.constant.size() == 1 && (v.constant.is_float() || v.constant.data_type == onnx::kInt64)) {
    k *= scalar(v.constant, "factor");
    return;
  }
  if (depth < 32 && v.kind == Value::kExpr) {
    if (v.op == "Mul") {
      factors(v.args[0], k, out, depth + 1);
      factors(v.args[1], k, out, depth + 1);
      return;
    }
    const Value& second = value(v.args.size() > 1 ? v.args[1] : v.args[0]);
    if (v.op == "Div" && second.kind == Value::kConst && second.constant.size() == 1) {
      factors(v.args[0], k, out, depth + 1);
      k /= scalar(second.constant, "divisor");
      return;
    }
    if (v.op == "Pow" && second.kind == Value::kConst && second.constant.size() == 1) {
      const double e = scalar(second.constant, "exponent");
      if (e == 2.0 || e == 3.0) {
        for (int j = 0; j < int(e); ++j) factors(v.args[0], k, out, depth + 1);
        return;
      }
    }
  }
  out.push_back(name);
}

// value = c + sum(out): Add chains and constant terms.
void Importer::terms(const std::string& name, double& c, std::vector<std::string>& out, int depth) {
  const Value& v = value(name);
  if (v.kind == Value::kConst && v.constant.size() == 1 && (v.constant.is_float() || v.constant.data_type == onnx::kInt64)) {
    c += scalar(v.constant, "term");
    return;
  }
  if (depth < 32 && v.kind == Value::kExpr && v.op == "Add") {
    terms(v.args[0], c, out, depth + 1);
    terms(v.args[1], c, out, depth + 1);
    return;
  }
  out.push_back(name);
}

bool Importer::same_edge(const std::string& a, const std::string& b) {
  const Value& x = value(a);
  const Value& y = value(b);
  return x.kind == Value::kEdge && y.kind == Value::kEdge && x.edge == y.edge;
}

// GELU as PyTorch exports it, once the expression is complete:
//   erf:  0.5 * x * (1 + erf(x / sqrt 2))
//   tanh: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
void Importer::try_gelu() {
  if (node_->outputs.empty() || node_->outputs[0].empty()) return;
  const std::string& out = node_->outputs[0];
  double k = 1.0;
  std::vector<std::string> f;
  factors(out, k, f, 0);
  if (f.size() != 2 || !near(k, 0.5)) return;
  for (int order = 0; order < 2; ++order) {
    const std::string& x = f[std::size_t(order)];
    const std::string& rest = f[std::size_t(1 - order)];
    if (value(x).kind != Value::kEdge) continue;
    double c = 0.0;
    std::vector<std::string> t;
    terms(rest, c, t, 0);
    if (t.size() != 1 || !near(c, 1.0)) continue;
    const Value& inner = value(t[0]);
    if (inner.kind != Value::kExpr || inner.args.size() != 1) continue;
    std::string approximate;
    double k2 = 1.0;
    std::vector<std::string> g;
    factors(inner.args[0], k2, g, 0);
    if (inner.op == "Erf" && g.size() == 1 && near(k2, 0.7071067811865476) && same_edge(g[0], x)) {
      approximate = "none";
    } else if (inner.op == "Tanh" && g.size() == 1 && near(k2, 0.7978845608028654)) {
      double c2 = 0.0;
      std::vector<std::string> s;
      terms(g[0], c2, s, 0);
      if (s.size() != 2 || c2 != 0.0) continue;
      for (int j = 0; j < 2 && approximate.empty(); ++j) {
        double k3 = 1.0;
        std::vector<std::string> cube;
        factors(s[std::size_t(1 - j)], k3, cube, 0);
        if (same_edge(s[std::size_t(j)], x) && near(k3, 0.044715) && cube.size() == 3 && same_edge(cube[0], x) &&
            same_edge(cube[1], x) && same_edge(cube[2], x)) {
          approximate = "tanh";
        }
      }
    }
    if (approximate.empty()) continue;
    const int in = value(x).edge;
    set_edge(emit("gelu", {{"approximate", approximate}}, {in}, {}));
    return;
  }
}

// value = a[c] * input + b[c] per channel (axis 1), for input normalisation.
bool Importer::affine(const std::string& name, std::vector<double>& a, std::vector<double>& b, int depth) {
  const Value& v = value(name);
  const std::size_t channels = input_shape_.at(1);
  if (v.kind == Value::kEdge) {
    if (v.edge != -1) return false;
    a.assign(channels, 1.0);
    b.assign(channels, 0.0);
    return true;
  }
  if (v.kind != Value::kExpr || depth > 16 || v.args.size() != 2) return false;
  const bool const_first = value(v.args[0]).kind == Value::kConst;
  const Value& c = value(v.args[const_first ? 0 : 1]);
  if (c.kind != Value::kConst || !c.constant.is_float()) return false;
  // Per channel: scalar, [C], [C, 1, 1] or [1, C, 1, 1] (for [N, C, H, W]); [F] or [1, F] for [N, F].
  std::vector<double> per(channels);
  const std::size_t n = c.constant.size();
  if (n == 1) {
    std::fill(per.begin(), per.end(), c.constant.floats[0]);
  } else if (n == channels) {
    const auto& d = c.constant.dims;
    std::size_t non_one = 0;
    for (std::int64_t x : d) non_one += x != 1;
    const std::size_t rank = input_shape_.size();
    const bool channel_axis = d.size() + 1 >= rank && d.size() <= rank && non_one == 1 &&
                              d[d.size() - (rank - 1)] == std::int64_t(channels);
    if (!channel_axis) return false;
    for (std::size_t k = 0; k < n; ++k) per[k] = c.constant.floats[k];
  } else {
    return false;
  }
  if (!affine(v.args[const_first ? 1 : 0], a, b, depth + 1)) return false;
  for (std::size_t k = 0; k < channels; ++k) {
    if (v.op == "Add") {
      b[k] += per[k];
    } else if (v.op == "Sub") {
      if (const_first) { a[k] = -a[k]; b[k] = per[k] - b[k]; }
      else b[k] -= per[k];
    } else if (v.op == "Mul") {
      a[k] *= per[k];
      b[k] *= per[k];
    } else if (v.op == "Div" && !const_first) {
      a[k] /= per[k];
      b[k] /= per[k];
    } else {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- ops on constants and shapes

void Importer::op_constant() {
  onnx::Tensor t;
  if (const Attribute* a = attr("value", onnx::kAttrTensor); a && !a->t.empty()) {
    t = a->t[0];
  } else if (const Attribute* f = attr("value_float", onnx::kAttrFloat)) {
    t.data_type = onnx::kFloat;
    t.floats = {f->f};
  } else if (const Attribute* fs = attr("value_floats", onnx::kAttrFloats)) {
    t.data_type = onnx::kFloat;
    t.floats = fs->floats;
    t.dims = {std::int64_t(fs->floats.size())};
  } else if (const Attribute* i = attr("value_int", onnx::kAttrInt)) {
    t = int_tensor({i->i}, {});
  } else if (const Attribute* is = attr("value_ints", onnx::kAttrInts)) {
    t = int_tensor(is->ints, {std::int64_t(is->ints.size())});
  } else {
    fail("onnx_unsupported_attribute", "a Constant needs value, value_float(s) or value_int(s)");
  }
  t.name.clear();
  set_constant(std::move(t));
}

void Importer::op_shape() {
  const Value& v = value(input(0));
  std::vector<std::int64_t> dims = dims_of(v);
  const std::int64_t rank = std::int64_t(dims.size());
  std::int64_t start = attr_int("start", 0), end = attr_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<std::int64_t>(start, 0, rank);
  end = std::clamp<std::int64_t>(end, start, rank);
  std::vector<std::int64_t> out(dims.begin() + start, dims.begin() + end);
  const std::int64_t n = std::int64_t(out.size());
  set_constant(int_tensor(std::move(out), {n}));
}

void Importer::op_gather() {
  const onnx::Tensor& data = constant(0, "Gather's data");
  const onnx::Tensor& indices = constant(1, "Gather's indices");
  const std::int64_t axis = attr_int("axis", 0);
  if (data.dims.size() != 1 || (axis != 0 && axis != -1)) fail("onnx_unsupported_attribute", "Gather is read only on 1-D constants such as shapes");
  const auto& idx = ints(indices, "Gather's indices");
  const std::int64_t n = data.dims[0];
  onnx::Tensor out;
  out.data_type = data.data_type;
  out.dims = indices.dims;
  for (std::int64_t i : idx) {
    if (i < 0) i += n;
    if (i < 0 || i >= n) fail("onnx_out_of_range", "Gather index out of range");
    if (data.is_float()) out.floats.push_back(data.floats[std::size_t(i)]);
    else if (data.data_type == onnx::kInt64) out.ints.push_back(data.ints[std::size_t(i)]);
    else floats(data, "Gather's data");
  }
  set_constant(std::move(out));
}

void Importer::op_squeeze_unsqueeze(bool unsqueeze) {
  std::vector<std::int64_t> axes;
  if (opset_ >= 13) {
    if (has_input(1)) axes = ints(constant(1, "axes"), "axes");
  } else {
    axes = attr_ints("axes", {});
  }
  const Value& v = value(input(0));
  std::vector<std::int64_t> dims = dims_of(v);
  const std::int64_t out_rank = std::int64_t(dims.size()) + (unsqueeze ? std::int64_t(axes.size()) : 0);
  std::vector<std::int64_t> out;
  if (unsqueeze) {
    std::set<std::int64_t> at;
    for (std::int64_t a : axes) at.insert(a < 0 ? a + out_rank : a);
    std::size_t src = 0;
    for (std::int64_t k = 0; k < out_rank; ++k) {
      if (at.count(k)) out.push_back(1);
      else if (src < dims.size()) out.push_back(dims[src++]);
      else fail("onnx_out_of_range", "Unsqueeze axes out of range");
    }
  } else {
    std::set<std::int64_t> at;
    for (std::int64_t a : axes) at.insert(a < 0 ? a + std::int64_t(dims.size()) : a);
    for (std::size_t k = 0; k < dims.size(); ++k) {
      const bool drop = axes.empty() ? dims[k] == 1 : at.count(std::int64_t(k)) > 0;
      if (drop && dims[k] != 1) fail("onnx_out_of_range", "Squeeze of an axis whose size is not 1");
      if (!drop) out.push_back(dims[k]);
    }
  }
  // On an activation, [N, C, 1, 1] -> [N, C] (after global pooling) is a flatten.
  give_dims(v, std::move(out), [unsqueeze](const std::string& from, const std::string& to) {
    return std::string(unsqueeze ? "an Unsqueeze" : "a Squeeze") + " of an activation " + from + " to " + to +
           " has no layer kind (the core's tensors are [N, C, H, W] or [N, F])";
  });
}

void Importer::give_dims(const Value& v, std::vector<std::int64_t> dims, const NoKindMessage& no_kind) {
  if (v.kind == Value::kConst) {
    onnx::Tensor t = v.constant;
    t.dims = std::move(dims);
    set_constant(std::move(t));
    return;
  }
  const Value& e = edge_value(0);
  if (dims == shape_dims(e.shape)) {
    set_edge(e.edge);
  } else if (dims.size() == 2 && e.shape.size() == 4 && std::size_t(dims[0]) == e.shape[0]) {
    set_edge(emit("flatten", json::object(), {e.edge}, {}));
  } else {
    fail("onnx_unsupported_shape", no_kind(shape_to_string(e.shape), dims_to_string(dims)));
  }
}

void Importer::op_concat() {
  std::int64_t axis = attr_int("axis", 0);
  bool all_const = true;
  for (std::size_t k = 0; k < node_->inputs.size(); ++k) all_const = all_const && value(input(k)).kind == Value::kConst;
  if (all_const) {
    onnx::Tensor out;
    out.data_type = onnx::kUndefined;
    std::int64_t total = 0;
    for (std::size_t k = 0; k < node_->inputs.size(); ++k) {
      const onnx::Tensor& t = value(input(k)).constant;
      if (t.dims.size() != 1) fail("onnx_unsupported_shape", "Concat of constants is read only for 1-D constants such as shapes");
      if (out.data_type == onnx::kUndefined) out.data_type = t.data_type;
      if (t.data_type != out.data_type) fail("onnx_element_type", "Concat of constants of different element types");
      if (t.is_float()) out.floats.insert(out.floats.end(), t.floats.begin(), t.floats.end());
      else out.ints.insert(out.ints.end(), t.ints.begin(), t.ints.end());
      total += t.dims[0];
    }
    out.dims = {total};
    set_constant(std::move(out));
    return;
  }
  std::vector<int> edges;
  std::size_t rank = 0;
  for (std::size_t k = 0; k < node_->inputs.size(); ++k) {
    const Value& e = edge_value(k);
    rank = e.shape.size();
    edges.push_back(e.edge);
  }
  if (axis < 0) axis += std::int64_t(rank);
  if (axis != 1) fail("onnx_unsupported_attribute", "Concat of activations is read along the channel axis (1) only, got axis " + std::to_string(axis));
  if (edges.size() == 1) {
    set_edge(edges[0]);
    return;
  }
  set_edge(emit("concat", json::object(), edges, {}));
}

void Importer::op_cast() {
  const std::int64_t to = attr_int("to", 0);
  const Value& v = value(input(0));
  if (v.kind != Value::kConst) {
    if (to != onnx::kFloat) fail("onnx_element_type", "a Cast of an activation to " + std::string(onnx::data_type_name(int(to))) + " is not supported");
    const Value& e = edge_value(0);
    set_edge(e.edge);
    return;
  }
  onnx::Tensor t = v.constant;
  if (to == onnx::kFloat) {
    if (t.data_type == onnx::kInt64) {
      for (std::int64_t i : t.ints) t.floats.push_back(float(i));
      t.ints.clear();
    } else {
      floats(t, "Cast's input");
    }
    t.data_type = onnx::kFloat;
  } else if (to == onnx::kInt64 || to == onnx::kInt32 || to == onnx::kBool) {
    if (t.is_float()) {
      for (float f : t.floats) t.ints.push_back(to == onnx::kBool ? (f != 0.0f) : std::int64_t(f));
      t.floats.clear();
    } else {
      ints(t, "Cast's input");
    }
    t.data_type = onnx::kInt64;
  } else {
    fail("onnx_element_type", "Cast to " + std::string(onnx::data_type_name(int(to))) + " is not supported");
  }
  set_constant(std::move(t));
}

void Importer::op_transpose() {
  const Value& v = value(input(0));
  if (v.kind != Value::kConst) {
    fail("onnx_transpose_activation",
         "a Transpose of activations is not supported: CNN Lens computes in PyTorch's channels-first layout "
         "[N, C, H, W], and NHWC graphs (as tf2onnx writes them) would need their layout changed; export the model "
         "channels-first (tf2onnx --inputs-as-nchw) or from PyTorch");
  }
  std::vector<std::int64_t> perm = attr_ints("perm", {});
  const std::size_t rank = v.constant.dims.size();
  if (!perm.empty()) {
    std::vector<std::int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < sorted.size(); ++k) {
      if (sorted[k] != std::int64_t(k) || sorted.size() != rank) fail("onnx_malformed", "Transpose perm is not a permutation of the axes");
    }
  }
  set_constant(transpose_tensor(v.constant, perm));
}

void Importer::op_reshape() {
  const Value& v = value(input(0));
  const auto& target_in = ints(constant(1, "Reshape's shape"), "Reshape's shape");
  std::vector<std::int64_t> dims = dims_of(v);
  std::int64_t total = 1;
  for (std::int64_t d : dims) total *= d;
  std::vector<std::int64_t> target = target_in;
  const bool allowzero = attr_int("allowzero", 0) != 0;
  std::int64_t known = 1, infer = -1;
  for (std::size_t k = 0; k < target.size(); ++k) {
    if (target[k] == 0 && !allowzero) {
      if (k >= dims.size()) fail("onnx_malformed", "Reshape copies a dimension the input does not have");
      target[k] = dims[k];
    }
    if (target[k] == -1) {
      if (infer >= 0) fail("onnx_malformed", "Reshape has two -1 dimensions");
      infer = std::int64_t(k);
    } else if (target[k] < 0) {
      fail("onnx_malformed", "Reshape has a negative dimension");
    } else {
      known *= target[k];
      if (known > std::int64_t(limits::kMaxParameters)) fail("onnx_malformed", "Reshape's shape is too large");
    }
  }
  if (infer >= 0) {
    if (known == 0 || total % known != 0) fail("onnx_malformed", "Reshape cannot infer its -1 dimension");
    target[std::size_t(infer)] = total / known;
  } else if (known != total) {
    fail("onnx_malformed", "Reshape changes the number of elements");
  }
  give_dims(v, std::move(target), [](const std::string& from, const std::string& to) {
    return "a Reshape of " + from + " to " + to +
           " has no layer kind: the batch must stay first and the result be [N, features] (as x.view(x.size(0), -1))";
  });
}

void Importer::op_flatten() {
  const Value& e = edge_value(0);
  std::int64_t axis = attr_int("axis", 1);
  if (axis < 0) axis += std::int64_t(e.shape.size());
  if (axis != 1) fail("onnx_unsupported_attribute", "Flatten is read with axis 1 (the batch first), got axis " + std::to_string(axis));
  if (e.shape.size() == 2) {
    set_edge(e.edge);
    return;
  }
  set_edge(emit("flatten", json::object(), {e.edge}, {}));
}

// Add, Sub, Mul, Div, Pow: folded on constants, a residual Add on two activations, a MatMul's bias,
// or a pending expression.
void Importer::op_binary() {
  const std::string& op = node_->op_type;
  const Value& a = value(input(0));
  const Value& b = value(input(1));
  if (a.kind == Value::kConst && b.kind == Value::kConst) {
    if (op == "Pow") fail("onnx_expression", "Pow of constants is not folded");
    bool ok = false;
    onnx::Tensor out = broadcast_op(a.constant, b.constant, op == "Add" ? '+' : op == "Sub" ? '-' : op == "Mul" ? '*' : '/', ok);
    if (!ok) fail("onnx_expression", "these constants cannot be combined (shapes, element types or a division by zero)");
    set_constant(std::move(out));
    return;
  }
  if (op == "Add" && a.kind == Value::kEdge && b.kind == Value::kEdge) {
    const int x = edge_value(0).edge;
    const int y = edge_value(1).edge;
    set_edge(emit("add", json::object(), {x, y}, {}));
    return;
  }
  if (op == "Add") {
    const bool const_first = a.kind == Value::kConst;
    const Value& act = const_first ? b : a;
    const std::string& act_name = input(const_first ? 1 : 0);
    if (act.kind == Value::kEdge && act.edge >= 0 && uses_[act_name] == 1) {
      Emitted& producer = emitted_[std::size_t(act.edge)];
      const onnx::Tensor& bias = (const_first ? a : b).constant;
      const std::size_t outs = producer.shape.at(1);
      if (producer.open_bias && bias.is_float() && (bias.size() == outs || bias.size() == 1) &&
          act.edge == int(emitted_.size()) - 1) {
        std::vector<float> data(outs, bias.floats.at(0));
        if (bias.size() == outs) data = bias.floats;
        producer.spec.tensors["bias"] = tensor_data(std::move(data), bias.size() == outs ? bias.name : "");
        producer.open_bias = false;
        producer.name = node_name();
        producer.spec.id = producer.name;
        set_edge(act.edge);
        return;
      }
    }
  }
  Value v;
  v.kind = Value::kExpr;
  v.op = op;
  v.args = {input(0), input(1)};
  v.node = node_;
  v.shape = a.kind != Value::kConst ? a.shape : b.shape;
  set_output(v);
  if (op == "Mul") try_gelu();
}

std::array<int, 4> Importer::spatial_padding(const Shape& in, std::int64_t kh, std::int64_t kw, std::int64_t sh,
                                             std::int64_t sw, std::int64_t dh, std::int64_t dw) {
  const std::string auto_pad = attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    const auto pads = attr_ints("pads", {0, 0, 0, 0});
    if (pads.size() != 4) fail("onnx_unsupported_attribute", "pads must have 4 values (2-D ops only)");
    for (std::int64_t p : pads) {
      if (p < 0 || p > std::int64_t(limits::kMaxWindow)) fail("onnx_out_of_range", "pads out of range: " + json(pads).dump());
    }
    return {int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3])};
  }
  if (auto_pad == "VALID") return {0, 0, 0, 0};
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") fail("onnx_unsupported_attribute", "unknown auto_pad \"" + auto_pad + "\"");
  std::array<int, 4> p{};
  const std::int64_t sizes[2] = {std::int64_t(in.at(2)), std::int64_t(in.at(3))};
  const std::int64_t k[2] = {kh, kw}, s[2] = {sh, sw}, d[2] = {dh, dw};
  for (int axis = 0; axis < 2; ++axis) {
    if (s[axis] < 1) fail("onnx_out_of_range", "strides must be at least 1");
    const std::int64_t out = (sizes[axis] + s[axis] - 1) / s[axis];
    const std::int64_t total = std::max<std::int64_t>((out - 1) * s[axis] + (k[axis] - 1) * d[axis] + 1 - sizes[axis], 0);
    const std::int64_t small = total / 2, large = total - small;
    p[std::size_t(axis)] = int(auto_pad == "SAME_UPPER" ? small : large);  // begin
    p[std::size_t(axis) + 2] = int(auto_pad == "SAME_UPPER" ? large : small);  // end
  }
  return p;
}

json pair_json(std::int64_t h, std::int64_t w) { return json::array({h, w}); }

void Importer::op_conv(bool transpose) {
  const Value& x = edge_value(0);
  if (x.shape.size() != 4) fail("onnx_unsupported_shape", "only 2-D convolutions are read; the input is " + shape_to_string(x.shape));
  const onnx::Tensor& w = constant(1, "the weight");
  if (w.dims.size() != 4) fail("onnx_unsupported_shape", "only 2-D convolutions are read (weight of rank 4)");
  const auto& wd = floats(w, "weight");
  const auto kernel = attr_ints("kernel_shape", {w.dims[2], w.dims[3]});
  const auto strides = attr_ints("strides", {1, 1});
  const auto dilations = attr_ints("dilations", {1, 1});
  const std::int64_t group = attr_int("group", 1);
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2) fail("onnx_unsupported_attribute", "only 2-D convolutions are read");
  if (kernel[0] != w.dims[2] || kernel[1] != w.dims[3]) fail("onnx_malformed", "kernel_shape differs from the weight's shape");
  if (group < 1) fail("onnx_out_of_range", "group must be at least 1");
  std::map<std::string, TensorData> tensors;
  tensors["weight"] = tensor_data(wd, w.name);
  const std::int64_t outs = transpose ? w.dims[1] * group : w.dims[0];
  if (has_input(2)) {
    const onnx::Tensor& b = constant(2, "the bias");
    if (std::int64_t(b.size()) != outs) fail("onnx_malformed", "the bias has " + std::to_string(b.size()) + " values for " + std::to_string(outs) + " output channels");
    tensors["bias"] = tensor_data(floats(b, "bias"), b.name);
  } else {
    tensors["bias"] = tensor_data(std::vector<float>(std::size_t(std::max<std::int64_t>(outs, 0)), 0.0f), "");
  }
  json fields = {{"out_channels", outs}, {"kernel_size", pair_json(kernel[0], kernel[1])},
                 {"stride", pair_json(strides[0], strides[1])}, {"dilation", pair_json(dilations[0], dilations[1])},
                 {"groups", group}};
  if (!transpose) {
    const auto p = spatial_padding(x.shape, kernel[0], kernel[1], strides[0], strides[1], dilations[0], dilations[1]);
    fields["padding"] = json::array({p[0], p[1], p[2], p[3]});
    set_edge(emit("conv2d", fields, {x.edge}, std::move(tensors)));
    return;
  }
  auto output_padding = attr_ints("output_padding", {0, 0});
  if (output_padding.size() != 2) fail("onnx_unsupported_attribute", "output_padding must have 2 values");
  const std::string auto_pad = attr_string("auto_pad", "NOTSET");
  std::array<std::int64_t, 4> pads{0, 0, 0, 0};
  const auto output_shape = attr_ints("output_shape", {});
  if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // ONNX: total_padding = stride * (in - 1) + output_padding + ((k - 1) * dilation + 1) - out.
    for (int axis = 0; axis < 2; ++axis) {
      const std::int64_t in = std::int64_t(x.shape[std::size_t(2 + axis)]);
      std::int64_t out = in * strides[std::size_t(axis)];
      if (!output_shape.empty()) out = output_shape[output_shape.size() - 2 + std::size_t(axis)];
      const std::int64_t total = strides[std::size_t(axis)] * (in - 1) + output_padding[std::size_t(axis)] +
                                 (kernel[std::size_t(axis)] - 1) * dilations[std::size_t(axis)] + 1 - out;
      if (total < 0) fail("onnx_unsupported_attribute", "output_shape larger than the transposed convolution's full output is not supported");
      const std::int64_t small = total / 2, large = total - small;
      const bool upper = auto_pad == "SAME_UPPER";
      pads[std::size_t(axis)] = upper ? small : large;
      pads[std::size_t(axis) + 2] = upper ? large : small;
    }
  } else if (auto_pad == "NOTSET") {
    const auto p = attr_ints("pads", {0, 0, 0, 0});
    if (p.size() != 4) fail("onnx_unsupported_attribute", "pads must have 4 values (2-D ops only)");
    for (int k = 0; k < 4; ++k) pads[std::size_t(k)] = p[std::size_t(k)];
  }
  fields["padding"] = json::array({pads[0], pads[1], pads[2], pads[3]});
  fields["output_padding"] = pair_json(output_padding[0], output_padding[1]);
  set_edge(emit("conv_transpose2d", fields, {x.edge}, std::move(tensors)));
}

void Importer::op_batchnorm() {
  const Value& x = edge_value(0);
  if (opset_ < 9 && attr_int("spatial", 1) == 0) fail("onnx_unsupported_attribute", "BatchNormalization with spatial = 0 is not supported");
  bool training = false;
  if (opset_ >= 14) {
    training = attr_int("training_mode", 0) != 0;
  } else {
    for (std::size_t k = 1; k < node_->outputs.size(); ++k) training = training || !node_->outputs[k].empty();
  }
  training_ = training_ || training;
  const char* names[4] = {"weight", "bias", "running_mean", "running_var"};
  std::map<std::string, TensorData> tensors;
  for (int k = 0; k < 4; ++k) {
    const onnx::Tensor& t = constant(std::size_t(k + 1), names[k]);
    tensors[names[k]] = tensor_data(floats(t, names[k]), t.name);
  }
  const double eps = tidy(attr_float("epsilon", 1e-5));
  const double momentum = tidy(1.0 - tidy(attr_float("momentum", 0.9)));  // ONNX's momentum is 1 - PyTorch's
  json fields = {{"eps", eps}, {"momentum", momentum}};
  const char* kind = x.shape.size() == 4 ? "batchnorm2d" : "batchnorm1d";
  set_edge(emit(kind, fields, {x.edge}, std::move(tensors)));
}

void Importer::op_pool(bool max) {
  const Value& x = edge_value(0);
  if (x.shape.size() != 4) fail("onnx_unsupported_shape", "only 2-D pooling is read; the input is " + shape_to_string(x.shape));
  const auto kernel = attr_ints("kernel_shape", {});
  if (kernel.size() != 2) fail("onnx_unsupported_attribute", "only 2-D pooling is read (kernel_shape of 2 values)");
  const auto strides = attr_ints("strides", {1, 1});
  const auto dilations = attr_ints("dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2) fail("onnx_unsupported_attribute", "only 2-D pooling is read");
  const auto p = spatial_padding(x.shape, kernel[0], kernel[1], strides[0], strides[1], dilations[0], dilations[1]);
  json fields = {{"kernel_size", pair_json(kernel[0], kernel[1])}, {"stride", pair_json(strides[0], strides[1])},
                 {"padding", json::array({p[0], p[1], p[2], p[3]})}, {"ceil_mode", attr_int("ceil_mode", 0) != 0}};
  if (max) {
    if (output_used(1)) fail("onnx_unsupported_attribute", "MaxPool's Indices output is not supported");
    fields["dilation"] = pair_json(dilations[0], dilations[1]);
  } else {
    if (dilations[0] != 1 || dilations[1] != 1) fail("onnx_unsupported_attribute", "AveragePool with dilations is not supported");
    fields["count_include_pad"] = attr_int("count_include_pad", 0) != 0;
  }
  set_edge(emit(max ? "maxpool2d" : "avgpool2d", fields, {x.edge}, {}));
}

void Importer::op_global_pool(bool max) {
  const Value& x = edge_value(0);
  set_edge(emit(max ? "global_maxpool2d" : "global_avgpool2d", json::object(), {x.edge}, {}));
}

void Importer::op_gemm() {
  const Value& x = edge_value(0);
  if (attr_int("transA", 0) != 0) fail("onnx_unsupported_attribute", "Gemm with transA = 1 is not supported");
  const onnx::Tensor& b_in = constant(1, "Gemm's B (the weight)");
  if (b_in.dims.size() != 2) fail("onnx_unsupported_shape", "Gemm's B must be 2-D");
  floats(b_in, "weight");
  onnx::Tensor w = attr_int("transB", 0) != 0 ? b_in : transpose_tensor(b_in, {1, 0});  // PyTorch's [out, in]
  const double alpha = attr_float("alpha", 1.0), beta = attr_float("beta", 1.0);
  if (alpha != 1.0) {
    for (float& v : w.floats) v = float(v * alpha);
  }
  const std::size_t outs = std::size_t(w.dims[0]);
  std::vector<float> bias(outs, 0.0f);
  std::string bias_name;
  if (has_input(2)) {
    const onnx::Tensor& c = constant(2, "Gemm's C (the bias)");
    const auto& cd = floats(c, "bias");
    if (c.size() == outs) bias = cd;
    else if (c.size() == 1) bias.assign(outs, cd[0]);
    else fail("onnx_unsupported_shape", "Gemm's C must have one value per output feature");
    if (beta != 1.0) {
      for (float& v : bias) v = float(v * beta);
    }
    bias_name = c.size() == outs ? c.name : "";
  }
  std::map<std::string, TensorData> tensors;
  tensors["weight"] = tensor_data(w.floats, b_in.name);
  tensors["bias"] = tensor_data(std::move(bias), bias_name);
  set_edge(emit("dense", {{"out_features", outs}}, {x.edge}, std::move(tensors)));
}

void Importer::op_matmul() {
  const Value& x = edge_value(0);
  const Value& bv = value(input(1));
  if (bv.kind != Value::kConst) fail("onnx_unsupported_shape", "MatMul of two activations is not supported (the second operand must be a weight)");
  const onnx::Tensor& b = bv.constant;
  if (b.dims.size() != 2 || x.shape.size() != 2) fail("onnx_unsupported_shape", "MatMul is read as [N, in] x [in, out] only");
  floats(b, "weight");
  const onnx::Tensor w = transpose_tensor(b, {1, 0});
  std::map<std::string, TensorData> tensors;
  tensors["weight"] = tensor_data(w.floats, b.name);
  tensors["bias"] = tensor_data(std::vector<float>(std::size_t(w.dims[0]), 0.0f), "");
  const int index = emit("dense", {{"out_features", w.dims[0]}}, {x.edge}, std::move(tensors));
  emitted_[std::size_t(index)].open_bias = true;
  set_edge(index);
}

void Importer::op_activation(const std::string& type, json fields) {
  const Value& v = value(input(0));
  if (type == "tanh" && v.kind == Value::kExpr) {  // may be inside GELU's tanh pattern
    Value e;
    e.kind = Value::kExpr;
    e.op = "Tanh";
    e.args = {input(0)};
    e.node = node_;
    e.shape = v.shape;
    set_output(e);
    return;
  }
  const Value& x = edge_value(0);
  set_edge(emit(type, std::move(fields), {x.edge}, {}));
}

void Importer::op_prelu() {
  const Value& x = edge_value(0);
  const onnx::Tensor& slope = constant(1, "PRelu's slope");
  const auto& data = floats(slope, "slope");
  std::map<std::string, TensorData> tensors;
  tensors["weight"] = tensor_data(data, slope.name);
  set_edge(emit("prelu", {{"num_parameters", data.size()}}, {x.edge}, std::move(tensors)));
}

void Importer::op_clip() {
  double low = -std::numeric_limits<double>::infinity(), high = std::numeric_limits<double>::infinity();
  if (opset_ < 11) {
    low = attr_float("min", -std::numeric_limits<float>::max());
    high = attr_float("max", std::numeric_limits<float>::max());
  } else {
    if (has_input(1)) low = scalar(constant(1, "Clip's min"), "Clip's min");
    if (has_input(2)) high = scalar(constant(2, "Clip's max"), "Clip's max");
  }
  const Value& x = edge_value(0);
  const bool no_max = high >= std::numeric_limits<float>::max();
  if (low == 0.0 && no_max) {
    set_edge(emit("relu", json::object(), {x.edge}, {}));
    return;
  }
  if (low != 0.0 || high != 6.0) {
    fail("onnx_unsupported_attribute", "Clip is read as ReLU6 (min 0, max 6) or ReLU (min 0) only; got min " + json(low).dump() +
                                           ", max " + json(high).dump());
  }
  // PyTorch exports F.relu6 as Relu then Clip(0, 6): one relu6 node, named after the Clip.
  if (x.edge >= 0 && x.edge == int(emitted_.size()) - 1 && uses_[input(0)] == 1 && emitted_[std::size_t(x.edge)].spec.type == "relu") {
    replace_kind(x.edge, "relu6", json::object());
    set_edge(x.edge);
    return;
  }
  set_edge(emit("relu6", json::object(), {x.edge}, {}));
}

void Importer::op_softmax(const std::string& type) {
  const Value& x = edge_value(0);
  std::int64_t axis = attr_int("axis", opset_ >= 13 ? -1 : 1);
  if (axis < 0) axis += std::int64_t(x.shape.size());
  if (x.shape.size() != 2 || axis != 1) {
    fail("onnx_unsupported_shape", node_->op_type + " is read over the features of [N, F] only (axis 1); the input is " +
                                       shape_to_string(x.shape) + " with axis " + std::to_string(axis));
  }
  set_edge(emit(type, json::object(), {x.edge}, {}));
}

void Importer::op_dropout() {
  const Value& x = edge_value(0);
  double ratio = 0.5;
  bool training = false;
  if (opset_ < 12) {
    ratio = attr_float("ratio", 0.5);
  } else {
    if (has_input(1)) ratio = scalar(constant(1, "Dropout's ratio"), "Dropout's ratio");
    if (has_input(2)) training = scalar(constant(2, "Dropout's training_mode"), "Dropout's training_mode") != 0.0;
  }
  if (output_used(1)) fail("onnx_unsupported_attribute", "Dropout's mask output is not supported");
  training_ = training_ || training;
  if (ratio == 0.0) {
    set_edge(x.edge);
    return;
  }
  set_edge(emit("dropout", {{"p", tidy(ratio)}}, {x.edge}, {}));
}

void Importer::op_pad() {
  const Value& x = edge_value(0);
  std::string mode = attr_string("mode", "constant");
  std::vector<std::int64_t> pads;
  double fill = 0.0;
  if (opset_ < 11) {
    pads = attr_ints("pads", {});
    fill = attr_float("value", 0.0);
  } else {
    pads = ints(constant(1, "Pad's pads"), "Pad's pads");
    if (has_input(2)) fill = scalar(constant(2, "Pad's constant_value"), "Pad's constant_value");
    if (has_input(3)) fail("onnx_unsupported_attribute", "Pad with axes is not supported");
  }
  if (x.shape.size() != 4 || pads.size() != 8) fail("onnx_unsupported_shape", "Pad is read on [N, C, H, W] only");
  if (pads[0] || pads[1] || pads[4] || pads[5]) fail("onnx_unsupported_attribute", "Pad of the batch or channel axis is not supported");
  for (std::int64_t p : pads) {
    if (p < 0 || p > std::int64_t(limits::kMaxWindow)) fail("onnx_out_of_range", "Pad's pads out of range (negative pads crop, which is not supported)");
  }
  if (fill != 0.0) fail("onnx_unsupported_attribute", "Pad with a constant other than 0 is not supported");
  const char* kind_mode = mode == "constant" ? "zeros" : mode == "reflect" ? "reflect" : mode == "edge" ? "replicate" : nullptr;
  if (kind_mode == nullptr) fail("onnx_unsupported_attribute", "Pad mode \"" + mode + "\" is not supported (constant, reflect, edge)");
  json fields = {{"padding", json::array({pads[2], pads[3], pads[6], pads[7]})}, {"mode", kind_mode}};
  set_edge(emit("pad2d", fields, {x.edge}, {}));
}

void Importer::op_gelu() {
  const Value& x = edge_value(0);
  const std::string approximate = attr_string("approximate", "none");
  if (approximate != "none" && approximate != "tanh") fail("onnx_unsupported_attribute", "Gelu approximate \"" + approximate + "\"");
  set_edge(emit("gelu", {{"approximate", approximate}}, {x.edge}, {}));
}

void Importer::read_node() {
  const std::string& op = node_->op_type;
  if (!node_->domain.empty() && node_->domain != "ai.onnx") {
    fail("onnx_unsupported_op", "op " + op + " of domain \"" + node_->domain + "\" is not supported; supported ops (domain ai.onnx): " + kSupportedOps,
         {{"domain", node_->domain}, {"supported", kSupportedOps}});
  }
  if (op == "Constant") op_constant();
  else if (op == "Identity") {
    const Value& v = value(input(0));
    Value copy = v;
    set_output(copy);
  }
  else if (op == "Shape") op_shape();
  else if (op == "Gather") op_gather();
  else if (op == "Unsqueeze") op_squeeze_unsqueeze(true);
  else if (op == "Squeeze") op_squeeze_unsqueeze(false);
  else if (op == "Concat") op_concat();
  else if (op == "Cast") op_cast();
  else if (op == "Transpose") op_transpose();
  else if (op == "Reshape") op_reshape();
  else if (op == "Flatten") op_flatten();
  else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") op_binary();
  else if (op == "Erf") {
    const Value& v = value(input(0));
    if (v.kind == Value::kConst) fail("onnx_expression", "Erf of a constant is not folded");
    Value e;
    e.kind = Value::kExpr;
    e.op = "Erf";
    e.args = {input(0)};
    e.node = node_;
    e.shape = v.shape;
    set_output(e);
  }
  else if (op == "Conv") op_conv(false);
  else if (op == "ConvTranspose") op_conv(true);
  else if (op == "BatchNormalization") op_batchnorm();
  else if (op == "MaxPool") op_pool(true);
  else if (op == "AveragePool") op_pool(false);
  else if (op == "GlobalAveragePool") op_global_pool(false);
  else if (op == "GlobalMaxPool") op_global_pool(true);
  else if (op == "Gemm") op_gemm();
  else if (op == "MatMul") op_matmul();
  else if (op == "Relu") op_activation("relu", json::object());
  else if (op == "Sigmoid") op_activation("sigmoid", json::object());
  else if (op == "Tanh") op_activation("tanh", json::object());
  else if (op == "LeakyRelu") op_activation("leaky_relu", {{"negative_slope", tidy(attr_float("alpha", 0.01))}});
  else if (op == "Elu") op_activation("elu", {{"alpha", tidy(attr_float("alpha", 1.0))}});
  else if (op == "PRelu") op_prelu();
  else if (op == "Clip") op_clip();
  else if (op == "Softmax") op_softmax("softmax");
  else if (op == "LogSoftmax") op_softmax("log_softmax");
  else if (op == "Dropout") op_dropout();
  else if (op == "Pad") op_pad();
  else if (op == "Gelu") op_gelu();
  else {
    fail("onnx_unsupported_op", "op " + op + " is not supported; supported ops: " + kSupportedOps,
         {{"supported", kSupportedOps}});
  }
}

// ---------------------------------------------------------------- the scene

void Importer::read_input() {
  std::set<std::string> initializer_names;
  for (const onnx::Tensor& t : graph_.initializers) initializer_names.insert(t.name);
  const onnx::ValueInfo* in = nullptr;
  for (const onnx::ValueInfo& v : graph_.inputs) {
    if (initializer_names.count(v.name)) continue;
    if (in != nullptr) fail("onnx_inputs", "the graph has more than one input (\"" + in->name + "\", \"" + v.name + "\"); CNN Lens reads networks of one input");
    in = &v;
  }
  if (in == nullptr) fail("onnx_inputs", "the graph has no input");
  if (in->elem_type != onnx::kFloat) {
    fail("onnx_element_type", "the graph input \"" + in->name + "\" has element type " + onnx::data_type_name(in->elem_type) + "; CNN Lens reads float32 inputs",
         {{"element_type", onnx::data_type_name(in->elem_type)}});
  }
  if (!in->has_shape || (in->dims.size() != 4 && in->dims.size() != 2)) {
    fail("onnx_input_shape", "the graph input \"" + in->name + "\" must be [N, C, H, W] or [N, F], with its shape given");
  }
  Shape shape;
  for (std::size_t k = 0; k < in->dims.size(); ++k) {
    std::int64_t d = in->dims[k];
    if (d < 0) {
      if (k != 0) fail("onnx_input_shape", "the graph input \"" + in->name + "\" has a symbolic size on axis " + std::to_string(k) + "; only the batch may be symbolic");
      d = 1;
    }
    const std::size_t limit = k == 0 ? limits::kMaxBatch
                              : in->dims.size() == 2 ? limits::kMaxTensorElements
                              : k == 1 ? limits::kMaxChannels : limits::kMaxSide;
    if (d < 1 || std::size_t(d) > limit) {
      throw SceneError("out_of_range", {"", 0, "", "input"}, {{"axis", k}, {"value", d}, {"max", limit}},
                       "the graph input \"" + in->name + "\" has size " + std::to_string(d) + " on axis " + std::to_string(k) +
                           ", outside the core's limit (1 to " + std::to_string(limit) + ")");
    }
    shape.push_back(std::size_t(d));
  }
  if (element_count(shape) > limits::kMaxTensorElements) {
    throw SceneError("tensor_size", {"", 0, "", "input"}, {{"max", limits::kMaxTensorElements}},
                     "the graph input has more than " + std::to_string(limits::kMaxTensorElements) + " values, the core's limit");
  }
  input_shape_ = shape;
  input_name_ = in->name;
  Value v;
  v.kind = Value::kEdge;
  v.edge = -1;
  v.shape = shape;
  values_[in->name] = v;
}

Scene Importer::run() {
  auto it = model_.opsets.find("");
  if (it == model_.opsets.end()) fail("onnx_opset", "the model imports no ai.onnx opset");
  opset_ = it->second;
  if (opset_ < 7 || opset_ > 20) {
    fail("onnx_opset", "opset " + std::to_string(opset_) + " is not supported (opsets 7 to 20 are read)", {{"opset", opset_}});
  }
  if (graph_.has_sparse_initializers) fail("onnx_unsupported_op", "sparse initializers are not supported");
  std::size_t total = 0;
  for (const onnx::Tensor& t : graph_.initializers) {
    total += t.size();
    if (total > limits::kMaxParameters) {
      throw SceneError("too_many_parameters", {}, {{"max", limits::kMaxParameters}},
                       "the model has more than " + std::to_string(limits::kMaxParameters) + " parameters, the core's limit");
    }
  }
  read_input();
  for (const onnx::Tensor& t : graph_.initializers) {
    if (values_.count(t.name)) continue;
    Value v;
    v.kind = Value::kConst;
    v.constant = t;
    values_[t.name] = std::move(v);
  }
  for (const Node& n : graph_.nodes) {
    for (const std::string& name : n.inputs) {
      if (!name.empty()) ++uses_[name];
    }
  }
  for (const onnx::ValueInfo& o : graph_.outputs) ++uses_[o.name];
  for (const Node& n : graph_.nodes) {
    node_ = &n;
    read_node();
  }
  node_ = nullptr;
  // The network's output: the one graph output that is an activation (batch norm's running
  // statistics, listed as outputs by a training-mode export, are kept as buffers).
  const onnx::ValueInfo* out = nullptr;
  for (const onnx::ValueInfo& o : graph_.outputs) {
    auto v = values_.find(o.name);
    if (v == values_.end()) fail("onnx_unknown_value", "the graph output \"" + o.name + "\" is computed by no node");
    bool statistic = false;
    for (const Node& n : graph_.nodes) {
      if (n.op_type == "BatchNormalization") {
        for (std::size_t k = 1; k < n.outputs.size(); ++k) statistic = statistic || n.outputs[k] == o.name;
      }
    }
    if (statistic || v->second.kind == Value::kConst) continue;
    if (out != nullptr) fail("onnx_outputs", "the graph has more than one output (\"" + out->name + "\", \"" + o.name + "\"); CNN Lens reads networks of one output");
    out = &o;
  }
  if (out == nullptr) fail("onnx_outputs", "the graph has no output computed from its input");
  const int last = resolve(out->name);
  if (last != int(emitted_.size()) - 1 || last < 0) {
    fail("onnx_outputs", "the graph output \"" + out->name + "\" is not the last layer computed (or the graph computes nothing)");
  }
  return assemble();
}

std::string sanitize_id(const std::string& name) {
  std::string id;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == ':' || c == '/' || c == '-';
    id += ok ? c : '_';
  }
  if (id.size() > 120) id.resize(120);
  return id.empty() ? std::string("node") : id;
}

// Every number of a JSON value is finite (JSON has no NaN or infinity: nlohmann writes them as null).
bool finite_json(const json& j) {
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured()) {
    for (const json& item : j) {
      if (!finite_json(item)) return false;
    }
  }
  return true;
}

// A value that is not finite would be written as null and the printed scene would not read back
// (found by tests/fuzz/onnx_fuzzer.cpp): refused, naming the tensor or the setting.
void check_finite(const NodeSpec& spec) {
  for (const auto& [name, tensor] : spec.tensors) {
    for (float v : tensor.data) {
      if (!std::isfinite(v)) {
        spec.fail("onnx_not_finite", name, {{"tensor", tensor.name.empty() ? name : tensor.name}},
                  "tensor \"" + (tensor.name.empty() ? name : tensor.name) + "\" holds a value that is not a finite number");
      }
    }
  }
  for (const auto& field : spec.fields.items()) {
    if (!finite_json(field.value())) spec.fail("onnx_not_finite", field.key(), json::object(), field.key() + " is not a finite number");
  }
}

Scene Importer::assemble() {
  Scene scene;
  scene.version = 2;
  scene.input_shape = input_shape_;
  scene.batched = true;
  scene.input.assign(element_count(input_shape_), 0.0f);
  scene.loss = LossKind::kNone;
  scene.optimizer = OptimizerSpec{};
  scene.optimizer.lr = 0.01;
  scene.mode = training_ ? Mode::kTrain : Mode::kEval;
  scene.seed = 1;
  scene.extra = json::object();
  if (!normalize_.is_null()) scene.extra["input.normalize"] = normalize_;
  // Ids: the ONNX names made valid; duplicates (and "input") get _2, _3, ...
  std::set<std::string> taken = {"input"};
  std::vector<std::string> ids;
  for (const Emitted& e : emitted_) {
    const std::string base = sanitize_id(e.name);
    std::string id = base;
    for (int k = 2; taken.count(id); ++k) id = base + "_" + std::to_string(k);
    taken.insert(id);
    ids.push_back(id);
  }
  for (std::size_t k = 0; k < emitted_.size(); ++k) {
    NodeSpec spec = std::move(emitted_[k].spec);
    spec.id = ids[k];
    spec.position = int(k + 1);
    spec.inputs.clear();
    for (int edge : emitted_[k].inputs) spec.inputs.push_back(edge < 0 ? std::string("input") : ids[std::size_t(edge)]);
    check_finite(spec);
    scene.nodes.push_back(std::move(spec));
  }
  if (!finite_json(normalize_)) fail("onnx_not_finite", "the input normalisation's mean or std is not a finite number");
  validate_scene(scene);
  return scene;
}

}  // namespace

std::string onnx_supported_ops() { return kSupportedOps; }

Scene import_onnx(const std::string& bytes) {
  const onnx::Model model = onnx::decode_model(bytes);
  Importer importer(model);
  return importer.run();
}

}  // namespace cnnlens
