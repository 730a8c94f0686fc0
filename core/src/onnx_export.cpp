// Scene -> ONNX model (opset 15, IR version 8), written with protozero's writer and onnx.proto's
// field numbers. Every parameter and running statistic becomes an initializer under its kept name
// (or "<node id>.<tensor>"); each kind becomes the ONNX op(s) PyTorch would export for it, so the
// file reads back through import_onnx into the same scene. Circular padding has no opset-15 form
// and is refused.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <protozero/pbf_writer.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/onnx.hpp"
#include "onnx_proto.hpp"

namespace cnnlens {
namespace {

using protozero::pbf_writer;

constexpr std::int64_t kOpset = 15;

struct Writer {
  std::vector<std::string> nodes, initializers;
  std::set<std::string> names;
  int counter = 0;

  std::string unique(const std::string& base) {
    std::string name = base;
    for (int k = 2; names.count(name); ++k) name = base + "_" + std::to_string(k);
    names.insert(name);
    return name;
  }

  std::string tensor(const std::string& base, const std::vector<std::int64_t>& dims, const std::vector<float>& data) {
    const std::string name = unique(base);
    std::string out;
    pbf_writer w(out);
    w.add_packed_int64(1, dims.begin(), dims.end());
    w.add_int32(2, onnx::kFloat);
    w.add_string(8, name);
    w.add_bytes(9, reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
    initializers.push_back(out);
    return name;
  }

  std::string ints(const std::string& base, const std::vector<std::int64_t>& data, bool scalar_bool = false) {
    const std::string name = unique(base);
    std::string out;
    pbf_writer w(out);
    if (!scalar_bool) {
      const std::int64_t n = std::int64_t(data.size());
      w.add_int64(1, n);
      w.add_int32(2, onnx::kInt64);
      w.add_string(8, name);
      w.add_bytes(9, reinterpret_cast<const char*>(data.data()), data.size() * sizeof(std::int64_t));
    } else {
      w.add_int32(2, onnx::kBool);
      w.add_string(8, name);
      const char value = data.at(0) != 0 ? 1 : 0;
      w.add_bytes(9, &value, 1);
    }
    initializers.push_back(out);
    return name;
  }

  std::string scalar(const std::string& base, float value) { return tensor(base, {}, {value}); }

  struct Attr {
    std::string name;
    int type;
    float f = 0;
    std::int64_t i = 0;
    std::string s;
    std::vector<std::int64_t> ints;
  };

  void node(const std::string& op, const std::string& name, const std::vector<std::string>& inputs,
            const std::string& output, const std::vector<Attr>& attrs = {}, const std::vector<std::string>& more_outputs = {}) {
    std::string out;
    pbf_writer w(out);
    for (const auto& i : inputs) w.add_string(1, i);
    w.add_string(2, output);
    for (const auto& o : more_outputs) w.add_string(2, o);
    w.add_string(3, name);
    w.add_string(4, op);
    for (const Attr& a : attrs) {
      std::string attr;
      pbf_writer aw(attr);
      aw.add_string(1, a.name);
      aw.add_int32(20, a.type);
      if (a.type == onnx::kAttrFloat) aw.add_float(2, a.f);
      if (a.type == onnx::kAttrInt) aw.add_int64(3, a.i);
      if (a.type == onnx::kAttrString) aw.add_bytes(4, a.s);
      if (a.type == onnx::kAttrInts) aw.add_packed_int64(8, a.ints.begin(), a.ints.end());
      w.add_message(5, attr);
    }
    nodes.push_back(out);
  }
};

Writer::Attr ints_attr(const char* name, std::vector<std::int64_t> v) { return {name, onnx::kAttrInts, 0, 0, "", std::move(v)}; }
Writer::Attr int_attr(const char* name, std::int64_t v) { return {name, onnx::kAttrInt, 0, v, "", {}}; }
Writer::Attr float_attr(const char* name, double v) { return {name, onnx::kAttrFloat, float(v), 0, "", {}}; }
Writer::Attr string_attr(const char* name, std::string v) { return {name, onnx::kAttrString, 0, 0, std::move(v), {}}; }

std::vector<std::int64_t> pair_of(const NodeSpec& n, const char* field) {
  const Pair p = n.pair(field);
  return {p.h, p.w};
}
std::vector<std::int64_t> pads_of(const NodeSpec& n, const char* field) {
  const Padding4 p = n.padding(field);
  return {p.top, p.left, p.bottom, p.right};
}

std::string value_info(const std::string& name, const Shape& shape) {
  std::string dims;
  {
    pbf_writer s(dims);
    for (std::size_t d : shape) {
      std::string dim;
      pbf_writer(dim).add_int64(1, std::int64_t(d));
      s.add_message(1, dim);
    }
  }
  std::string tensor;
  {
    pbf_writer t(tensor);
    t.add_int32(1, onnx::kFloat);
    t.add_message(2, dims);
  }
  std::string type;
  pbf_writer(type).add_message(1, tensor);
  std::string out;
  pbf_writer w(out);
  w.add_string(1, name);
  w.add_message(2, type);
  return out;
}

}  // namespace

std::string export_onnx(const Scene& given) {
  // The model fills in every parameter the scene leaves to its seed.
  const Scene scene = scene_from_json(Model(given).to_scene_json());
  const GraphShapes shapes = validate_scene(scene);
  Writer w;
  w.names.insert("input");
  std::map<std::string, std::string> output_of = {{"input", "input"}};
  const std::string& last_id = scene.nodes.back().id;
  for (const NodeSpec& n : scene.nodes) output_of[n.id] = n.id == last_id ? "output" : w.unique(n.id);
  w.names.insert("output");
  const bool training = scene.mode == Mode::kTrain;

  for (std::size_t k = 0; k < scene.nodes.size(); ++k) {
    const NodeSpec& n = scene.nodes[k];
    const std::string& out = output_of.at(n.id);
    std::vector<std::string> in;
    for (const std::string& i : n.inputs) in.push_back(output_of.at(i));
    auto param = [&](const char* tensor, std::vector<std::int64_t> dims) {
      const TensorData& t = n.tensors.at(tensor);
      return w.tensor(t.name.empty() ? n.id + "." + tensor : t.name, dims, t.data);
    };
    const std::string& type = n.type;
    if (type == "conv2d" || type == "conv_transpose2d") {
      const bool transpose = type == "conv_transpose2d";
      const Shape& ws = shapes.params[k][0].shape;
      std::vector<std::int64_t> wd(ws.begin(), ws.end());
      std::string x = in[0];
      std::vector<std::int64_t> pads = pads_of(n, "padding");
      if (!transpose && n.choice("padding_mode") != "zeros") {
        const std::string& mode = n.choice("padding_mode");
        if (mode == "circular") {
          throw SceneError("onnx_export_unsupported", n.place("padding_mode"), {{"padding_mode", mode}},
                           "node " + n.id + " (conv2d): circular padding has no form in ONNX opset 15; use zeros, reflect or replicate");
        }
        const std::string padded = w.unique(n.id + "/pad");
        const std::string p = w.ints(n.id + ".pads", {0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]});
        w.node("Pad", w.unique(n.id + "/Pad"), {x, p}, padded, {string_attr("mode", mode == "reflect" ? "reflect" : "edge")});
        x = padded;
        pads = {0, 0, 0, 0};
      }
      std::vector<Writer::Attr> attrs = {ints_attr("kernel_shape", {wd[2], wd[3]}), ints_attr("strides", pair_of(n, "stride")),
                                         ints_attr("pads", pads), ints_attr("dilations", pair_of(n, "dilation")),
                                         int_attr("group", n.integer("groups"))};
      if (transpose) attrs.push_back(ints_attr("output_padding", pair_of(n, "output_padding")));
      const std::string weight = param("weight", wd);
      const std::string bias = param("bias", {std::int64_t(n.tensors.at("bias").data.size())});
      w.node(transpose ? "ConvTranspose" : "Conv", n.id, {x, weight, bias}, out, attrs);
    } else if (type == "maxpool2d" || type == "avgpool2d") {
      std::vector<Writer::Attr> attrs = {ints_attr("kernel_shape", pair_of(n, "kernel_size")), ints_attr("strides", pair_of(n, "stride")),
                                         ints_attr("pads", pads_of(n, "padding")), int_attr("ceil_mode", n.flag("ceil_mode"))};
      if (type == "maxpool2d") attrs.push_back(ints_attr("dilations", pair_of(n, "dilation")));
      else attrs.push_back(int_attr("count_include_pad", n.flag("count_include_pad")));
      w.node(type == "maxpool2d" ? "MaxPool" : "AveragePool", n.id, in, out, attrs);
    } else if (type == "global_avgpool2d" || type == "global_maxpool2d") {
      w.node(type == "global_avgpool2d" ? "GlobalAveragePool" : "GlobalMaxPool", n.id, in, out);
    } else if (type == "flatten") {
      w.node("Flatten", n.id, in, out, {int_attr("axis", 1)});
    } else if (type == "dense") {
      const Shape& ws = shapes.params[k][0].shape;
      const std::string weight = param("weight", {std::int64_t(ws[0]), std::int64_t(ws[1])});
      const std::string bias = param("bias", {std::int64_t(ws[0])});
      w.node("Gemm", n.id, {in[0], weight, bias}, out, {float_attr("alpha", 1.0), float_attr("beta", 1.0), int_attr("transB", 1)});
    } else if (type == "relu" || type == "sigmoid" || type == "tanh") {
      w.node(type == "relu" ? "Relu" : type == "sigmoid" ? "Sigmoid" : "Tanh", n.id, in, out);
    } else if (type == "softmax" || type == "log_softmax") {
      w.node(type == "softmax" ? "Softmax" : "LogSoftmax", n.id, in, out, {int_attr("axis", 1)});
    } else if (type == "leaky_relu") {
      w.node("LeakyRelu", n.id, in, out, {float_attr("alpha", n.number("negative_slope"))});
    } else if (type == "elu") {
      w.node("Elu", n.id, in, out, {float_attr("alpha", n.number("alpha"))});
    } else if (type == "relu6") {
      w.node("Clip", n.id, {in[0], w.scalar(n.id + ".min", 0.0f), w.scalar(n.id + ".max", 6.0f)}, out);
    } else if (type == "prelu") {
      const std::int64_t count = n.integer("num_parameters");
      const bool map = shapes.outputs[k].size() == 4;
      w.node("PRelu", n.id, {in[0], param("weight", map && count > 1 ? std::vector<std::int64_t>{count, 1, 1} : std::vector<std::int64_t>{count})}, out);
    } else if (type == "gelu") {
      // PyTorch's chains: 0.5 x (1 + erf(x / sqrt 2)), or with tanh(sqrt(2/pi) (x + 0.044715 x^3)).
      const std::string x = in[0];
      const std::string base = n.id + "/";
      std::string inner;
      if (n.choice("approximate") == "none") {
        const std::string scaled = w.unique(base + "div"), erf = w.unique(base + "erf");
        w.node("Div", w.unique(base + "Div"), {x, w.scalar(base + "sqrt2", 1.4142135381698608f)}, scaled);
        w.node("Erf", w.unique(base + "Erf"), {scaled}, erf);
        inner = erf;
      } else {
        const std::string sq = w.unique(base + "sq"), cube = w.unique(base + "cube"), scaled_cube = w.unique(base + "scaled_cube"),
                          sum = w.unique(base + "sum"), arg = w.unique(base + "arg"), th = w.unique(base + "tanh");
        w.node("Mul", w.unique(base + "Mul_sq"), {x, x}, sq);
        w.node("Mul", w.unique(base + "Mul_cube"), {x, sq}, cube);
        w.node("Mul", w.unique(base + "Mul_c"), {w.scalar(base + "c", 0.044715f), cube}, scaled_cube);
        w.node("Add", w.unique(base + "Add_x"), {x, scaled_cube}, sum);
        w.node("Mul", w.unique(base + "Mul_k"), {w.scalar(base + "k", 0.7978845834732056f), sum}, arg);
        w.node("Tanh", w.unique(base + "Tanh"), {arg}, th);
        inner = th;
      }
      const std::string one_plus = w.unique(base + "one_plus"), product = w.unique(base + "product");
      w.node("Add", w.unique(base + "Add_1"), {inner, w.scalar(base + "one", 1.0f)}, one_plus);
      w.node("Mul", w.unique(base + "Mul_x"), {x, one_plus}, product);
      w.node("Mul", n.id, {product, w.scalar(base + "half", 0.5f)}, out);
    } else if (type == "batchnorm2d" || type == "batchnorm1d") {
      const std::int64_t c = std::int64_t(n.tensors.at("weight").data.size());
      std::vector<std::string> inputs = {in[0]};
      for (const char* t : {"weight", "bias", "running_mean", "running_var"}) inputs.push_back(param(t, {c}));
      // Opset 15 in training mode: the updated running statistics are outputs too (read by nothing).
      std::vector<std::string> stats;
      if (training) stats = {w.unique(n.id + "/running_mean"), w.unique(n.id + "/running_var")};
      w.node("BatchNormalization", n.id, inputs, out,
             {float_attr("epsilon", n.number("eps")), float_attr("momentum", 1.0 - n.number("momentum")),
              int_attr("training_mode", training)},
             stats);
    } else if (type == "dropout") {
      w.node("Dropout", n.id, {in[0], w.scalar(n.id + ".ratio", float(n.number("p"))), w.ints(n.id + ".training_mode", {training}, true)}, out);
    } else if (type == "add") {
      std::string acc = in[0];
      for (std::size_t j = 1; j < in.size(); ++j) {
        const std::string target = j + 1 == in.size() ? out : w.unique(n.id + "/sum" + std::to_string(j));
        w.node("Add", j + 1 == in.size() ? n.id : w.unique(n.id + "/Add" + std::to_string(j)), {acc, in[j]}, target);
        acc = target;
      }
    } else if (type == "concat") {
      w.node("Concat", n.id, in, out, {int_attr("axis", 1)});
    } else if (type == "pad2d") {
      const auto p = pads_of(n, "padding");
      const std::string& mode = n.choice("mode");
      w.node("Pad", n.id, {in[0], w.ints(n.id + ".pads", {0, 0, p[0], p[1], 0, 0, p[2], p[3]})}, out,
             {string_attr("mode", mode == "zeros" ? "constant" : mode == "reflect" ? "reflect" : "edge")});
    } else {
      throw SceneError("onnx_export_unsupported", n.place(), nlohmann::json::object(), "node " + n.id + " (" + type + "): no ONNX form is written for this kind");
    }
  }

  std::string graph;
  {
    pbf_writer g(graph);
    for (const auto& node : w.nodes) g.add_message(1, node);
    g.add_string(2, scene.title.empty() ? "cnnlens" : scene.title);
    for (const auto& t : w.initializers) g.add_message(5, t);
    g.add_message(11, value_info("input", shapes.input));
    Shape out_shape = shapes.outputs.back();
    g.add_message(12, value_info("output", out_shape));
  }
  std::string opset;
  {
    pbf_writer o(opset);
    o.add_string(1, "");
    o.add_int64(2, kOpset);
  }
  std::string model;
  pbf_writer m(model);
  m.add_int64(1, 8);
  m.add_string(2, "cnnlens");
  m.add_message(7, graph);
  m.add_message(8, opset);
  return model;
}

}  // namespace cnnlens
