// ONNX import: the PyTorch models of tests/fixtures/onnx/ (generate_onnx_models.py) imported and
// run by the core give PyTorch's output, loss and every gradient by initializer name, before and
// after SGD steps (with batch norm's running statistics); the scene follows the contract (shape,
// batch 1 for a symbolic batch, loss "none", SGD 0.01, mode, names); and files that can't be read
// (truncated, random, wrong element types, external data, too large, unsupported ops) fail with
// a SceneError that says why.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <protozero/pbf_writer.hpp>

#include "cnnlens/model.hpp"
#include "cnnlens/onnx.hpp"
#include "cnnlens/random.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

constexpr double kAbsTol = 2e-5;
constexpr double kRelTol = 2e-4;

const std::vector<std::string> kNumericModels = {"lenet5", "small_resnet", "mobilenet_block", "encoder_decoder", "gelu_mlp"};

json fixture(const std::string& name) { return json::parse(testing::read_text("tests/fixtures/onnx/" + name + ".json")); }
std::string model_bytes(const std::string& name) { return testing::read_text("tests/fixtures/onnx/" + name + ".onnx"); }

double worst_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0.0;
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k) worst = std::max(worst, std::abs(double(a[k]) - double(b[k])));
  return worst;
}

// Every named tensor of a trace: name -> {"data", "grad"} (params) or {"data"} (buffers).
std::map<std::string, json> named_tensors(const json& trace) {
  std::map<std::string, json> out;
  for (const json& node : trace.at("nodes")) {
    for (const char* group : {"params", "buffers"}) {
      for (const auto& item : node.at(group).items()) {
        if (item.value().contains("name")) out[item.value().at("name").get<std::string>()] = item.value();
      }
    }
  }
  return out;
}

// The imported scene with the fixture's batch, loss, target and optimizer.
Scene scene_for(const json& f) {
  Scene scene = import_onnx(model_bytes(f.at("name").get<std::string>()));
  scene.input_shape = f.at("input").at("shape").get<Shape>();
  scene.batched = true;
  scene.input = testing::floats(f.at("input").at("data"));
  scene.loss = f.at("loss") == "mse" ? LossKind::kMse : LossKind::kCrossEntropy;
  read_target(f.at("target"), scene.loss, true, scene.batch_size(), scene.target, scene.target_classes);
  scene.optimizer = optimizer_from_json(f.at("optimizer"));
  validate_scene(scene);
  return scene;
}

class OnnxModel : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxModel, ImportsWithTheExpectedKinds) {
  const json f = fixture(GetParam());
  const Scene scene = import_onnx(model_bytes(GetParam()));
  std::vector<std::string> kinds;
  for (const NodeSpec& node : scene.nodes) kinds.push_back(node.type);
  EXPECT_EQ(json(kinds), f.at("kinds"));
  EXPECT_EQ(scene.version, 2);
  EXPECT_EQ(scene.loss, LossKind::kNone);
  EXPECT_EQ(scene.optimizer.type, "sgd");
  EXPECT_DOUBLE_EQ(scene.optimizer.lr, 0.01);
  const Shape expected_input = f.at("input").at("shape").get<Shape>();
  Shape want = expected_input;
  if (f.at("dynamic_batch").get<bool>()) want[0] = 1;
  EXPECT_EQ(scene.input_shape, want);
  EXPECT_EQ(scene.input, std::vector<float>(element_count(want), 0.0f));
  bool has_bn = false;
  for (const NodeSpec& node : scene.nodes) has_bn = has_bn || node.type == "batchnorm2d";
  EXPECT_EQ(scene.mode, has_bn ? Mode::kTrain : Mode::kEval);
  // The scene round-trips through JSON as it is, and runs.
  const Scene again = scene_from_json(scene_to_json(scene));
  EXPECT_EQ(scene_to_json(again), scene_to_json(scene));
  Model model(scene);
  EXPECT_FALSE(model.has_loss());
}

TEST_P(OnnxModel, OutputLossAndGradientsByNameMatchPyTorchBeforeAndAfterTraining) {
  const json f = fixture(GetParam());
  Model model(scene_for(f));
  const json initial = trace(model);
  const json& e0 = f.at("initial");
  const json& out0 = initial.at("nodes").back().at("output");
  EXPECT_EQ(out0.at("shape"), e0.at("output").at("shape"));
  const auto out0_values = testing::floats(out0.at("data"));
  EXPECT_TRUE(testing::all_close(out0_values, testing::floats(e0.at("output").at("data")), kAbsTol, kRelTol)) << "output";
  EXPECT_TRUE(testing::all_close({initial.at("loss").get<float>()}, {e0.at("loss").get<float>()}, kAbsTol, kRelTol)) << "loss";
  double worst_grad = 0.0;
  auto named = named_tensors(initial);
  for (const auto& item : e0.at("grads").items()) {
    ASSERT_TRUE(named.count(item.key())) << item.key() << " is not a named tensor of the imported scene";
    const auto grad = testing::floats(named.at(item.key()).at("grad"));
    EXPECT_TRUE(testing::all_close(grad, testing::floats(item.value()), kAbsTol, kRelTol)) << "grad of " << item.key();
    worst_grad = std::max(worst_grad, worst_diff(grad, testing::floats(item.value())));
  }

  const json& e1 = f.at("final");
  const std::vector<float> history = model.train(f.at("steps").get<int>());
  EXPECT_TRUE(testing::all_close(history, testing::floats(e1.at("loss_history")), kAbsTol, kRelTol)) << "loss history";
  const json after = trace(model);
  const auto out1 = testing::floats(after.at("nodes").back().at("output").at("data"));
  EXPECT_TRUE(testing::all_close(out1, testing::floats(e1.at("output").at("data")), kAbsTol, kRelTol)) << "output after steps";
  EXPECT_TRUE(testing::all_close({after.at("loss").get<float>()}, {e1.at("loss").get<float>()}, kAbsTol, kRelTol)) << "loss after steps";
  named = named_tensors(after);
  double worst_after = 0.0;
  for (const char* group : {"params", "grads", "buffers"}) {
    for (const auto& item : e1.at(group).items()) {
      ASSERT_TRUE(named.count(item.key())) << item.key() << " is not a named tensor of the imported scene";
      const auto actual = testing::floats(named.at(item.key()).at(std::string(group) == "grads" ? "grad" : "data"));
      EXPECT_TRUE(testing::all_close(actual, testing::floats(item.value()), kAbsTol, kRelTol)) << group << " " << item.key();
      worst_after = std::max(worst_after, worst_diff(actual, testing::floats(item.value())));
    }
  }
  std::cout << "[onnx] " << GetParam() << ": worst |diff| output " << worst_diff(out0_values, testing::floats(e0.at("output").at("data")))
            << ", gradients " << worst_grad << ", after " << f.at("steps") << " SGD steps (params, grads, running stats) "
            << worst_after << "\n";
}

INSTANTIATE_TEST_SUITE_P(PyTorch, OnnxModel, ::testing::ValuesIn(kNumericModels));

TEST(OnnxImport, NodeIdsAreTheOnnxNamesAndInitializerNamesAreKept) {
  const Scene scene = import_onnx(model_bytes("small_resnet"));
  EXPECT_EQ(scene.nodes.front().id, "/stem/Conv");
  EXPECT_EQ(scene.nodes.front().tensors.at("weight").name, "stem.weight");
  EXPECT_EQ(scene.nodes.back().id, "/fc/Gemm");
  const NodeSpec& bn = scene.nodes[1];
  EXPECT_EQ(bn.tensors.at("running_var").name, "bn.running_var");
  EXPECT_DOUBLE_EQ(bn.number("momentum"), 0.1);  // ONNX's 0.9 is 1 - PyTorch's
  EXPECT_DOUBLE_EQ(bn.number("eps"), 1e-5);
  // A bias-free Linear: Transpose + MatMul, the weight stored as [out, in] under its own name.
  const Scene mlp = import_onnx(model_bytes("gelu_mlp"));
  EXPECT_EQ(mlp.nodes[0].tensors.at("weight").name, "fc1.weight");
  EXPECT_EQ(mlp.nodes[1].id, "/Mul_1");  // GELU's erf chain takes the name of its last node
  EXPECT_EQ(mlp.nodes[1].choice("approximate"), "none");
  EXPECT_EQ(mlp.nodes[3].choice("approximate"), "tanh");
  // F.relu6 exports as Relu + Clip: one relu6 node named after the Clip.
  const Scene mobile = import_onnx(model_bytes("mobilenet_block"));
  EXPECT_EQ(mobile.nodes[2].id, "/stem/stem.2/Clip");
  EXPECT_EQ(mobile.nodes[3].integer("groups"), 6);
}

TEST(OnnxImport, DropoutInTrainingModeAndInputNormalisation) {
  const json f = fixture("dropout_normalized");
  const Scene scene = import_onnx(model_bytes("dropout_normalized"));
  std::vector<std::string> kinds;
  for (const NodeSpec& node : scene.nodes) kinds.push_back(node.type);
  EXPECT_EQ(json(kinds), f.at("kinds"));
  EXPECT_EQ(scene.mode, Mode::kTrain);
  EXPECT_DOUBLE_EQ(scene.nodes[3].number("p"), 0.25);
  const json normalize = scene.extra.at("input.normalize");
  EXPECT_EQ(normalize.at("mean"), json::array({0.5, 0.25}));
  EXPECT_EQ(normalize.at("std"), json::array({0.5, 2.0}));
  EXPECT_EQ(scene_to_json(scene).at("input").at("normalize"), normalize);
}

std::string error_of(const std::string& bytes) {
  try {
    import_onnx(bytes);
  } catch (const SceneError& e) {
    return e.code() + ": " + e.what();
  }
  return "";
}

TEST(OnnxImport, TransposeOfActivationsIsRefusedWithAMessage) {
  const std::string message = error_of(model_bytes("channels_last"));
  EXPECT_NE(message.find("Transpose of activations"), std::string::npos) << message;
  EXPECT_NE(message.find("/Transpose"), std::string::npos) << message;
}

TEST(OnnxImport, TruncatedFilesFailWithSceneError) {
  const std::string bytes = model_bytes("lenet5");
  for (std::size_t length = 0; length < bytes.size(); length += 37) {
    try {
      import_onnx(bytes.substr(0, length));
    } catch (const SceneError&) {
      continue;
    }
    // A cut at a field boundary may leave a readable prefix; the graph itself is never half read.
    ADD_FAILURE() << "a file truncated to " << length << " of " << bytes.size() << " bytes was read";
  }
  EXPECT_NE(error_of(bytes.substr(0, bytes.size() / 2)).find("onnx_malformed"), std::string::npos);
}

TEST(OnnxImport, RandomAndMutatedBytesFailWithSceneError) {
  Random random(7);
  const std::string bytes = model_bytes("small_resnet");
  for (int round = 0; round < 300; ++round) {
    std::string data;
    if (round % 2 == 0) {
      data.resize(1 + std::size_t(random.uniform01() * 400));
      for (char& c : data) c = char(int(random.uniform01() * 256));
    } else {
      data = bytes;
      for (int k = 0; k < 4; ++k) data[std::size_t(random.uniform01() * double(data.size() - 1))] = char(int(random.uniform01() * 256));
    }
    try {
      import_onnx(data);
    } catch (const SceneError&) {
    }  // anything else (or a crash) fails the test
  }
}

// ---- hand-written models for the error cases (protozero's writer, onnx.proto's field numbers)

std::string tensor_proto(const std::string& name, std::vector<std::int64_t> dims, int type, const std::string& raw, bool external = false) {
  std::string out;
  protozero::pbf_writer w(out);
  for (std::int64_t d : dims) w.add_int64(1, d);
  w.add_int32(2, type);
  w.add_string(8, name);
  if (!raw.empty()) w.add_bytes(9, raw);
  if (external) w.add_int32(14, 1);
  return out;
}

std::string value_info(const std::string& name, int type, std::vector<std::int64_t> dims) {
  std::string shape;
  {
    protozero::pbf_writer s(shape);
    for (std::int64_t d : dims) {
      std::string dim;
      protozero::pbf_writer(dim).add_int64(1, d);
      s.add_message(1, dim);
    }
  }
  std::string tensor;
  {
    protozero::pbf_writer t(tensor);
    t.add_int32(1, type);
    t.add_message(2, shape);
  }
  std::string type_proto;
  protozero::pbf_writer(type_proto).add_message(1, tensor);
  std::string out;
  protozero::pbf_writer w(out);
  w.add_string(1, name);
  w.add_message(2, type_proto);
  return out;
}

std::string node_proto(const std::string& op, const std::string& name, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  std::string out;
  protozero::pbf_writer w(out);
  for (const auto& i : inputs) w.add_string(1, i);
  for (const auto& o : outputs) w.add_string(2, o);
  w.add_string(3, name);
  w.add_string(4, op);
  return out;
}

std::string model_proto(const std::vector<std::string>& nodes, const std::vector<std::string>& initializers, int input_type = 1,
                        std::int64_t opset = 15) {
  std::string graph;
  {
    protozero::pbf_writer g(graph);
    for (const auto& n : nodes) g.add_message(1, n);
    for (const auto& t : initializers) g.add_message(5, t);
    g.add_message(11, value_info("x", input_type, {1, 2}));
    g.add_message(12, value_info("y", 1, {1, 2}));
  }
  std::string opset_id;
  {
    protozero::pbf_writer o(opset_id);
    o.add_string(1, "");
    o.add_int64(2, opset);
  }
  std::string out;
  protozero::pbf_writer m(out);
  m.add_int64(1, 8);
  m.add_message(7, graph);
  m.add_message(8, opset_id);
  return out;
}

TEST(OnnxImport, HandWrittenModelReads) {
  const std::string model = model_proto({node_proto("Relu", "act", {"x"}, {"y"})}, {});
  const Scene scene = import_onnx(model);
  ASSERT_EQ(scene.nodes.size(), 1u);
  EXPECT_EQ(scene.nodes[0].id, "act");
  EXPECT_EQ(scene.nodes[0].type, "relu");
  EXPECT_EQ(scene.input_shape, (Shape{1, 2}));
}

TEST(OnnxImport, UnsupportedOpNamesTheOpTheNodeAndTheSupportedList) {
  const std::string message = error_of(model_proto({node_proto("LSTM", "my_lstm", {"x"}, {"y"})}, {}));
  EXPECT_NE(message.find("onnx_unsupported_op"), std::string::npos) << message;
  EXPECT_NE(message.find("LSTM"), std::string::npos) << message;
  EXPECT_NE(message.find("my_lstm"), std::string::npos) << message;
  EXPECT_NE(message.find("BatchNormalization"), std::string::npos) << message;
}

// int64 little-endian raw data, as torch.onnx writes shapes and axes.
std::string int64_raw(std::vector<std::int64_t> values) {
  std::string raw;
  for (std::int64_t v : values) {
    for (int b = 0; b < 8; ++b) raw.push_back(char((std::uint64_t(v) >> (8 * b)) & 0xff));
  }
  return raw;
}

// Shape changes the core has no layer kind for are refused with the shapes involved, the node and
// what would work; the same ops on constants (shape arithmetic) or as a flatten are read.
TEST(OnnxImport, ShapeChangesWithoutALayerKindAreRefusedWithTheShapes) {
  const int kInt64 = 7;
  const std::string reshape = error_of(model_proto({node_proto("Reshape", "swap_batch", {"x", "shape"}, {"y"})},
                                                   {tensor_proto("shape", {2}, kInt64, int64_raw({2, 1}))}));
  EXPECT_NE(reshape.find("onnx_unsupported_shape"), std::string::npos) << reshape;
  EXPECT_NE(reshape.find("swap_batch"), std::string::npos) << reshape;
  EXPECT_NE(reshape.find("a Reshape of 1x2 to 2x1 has no layer kind"), std::string::npos) << reshape;
  EXPECT_NE(reshape.find("x.view(x.size(0), -1)"), std::string::npos) << reshape;

  const std::string unsqueeze = error_of(model_proto({node_proto("Unsqueeze", "add_axis", {"x", "axes"}, {"y"})},
                                                     {tensor_proto("axes", {1}, kInt64, int64_raw({2}))}));
  EXPECT_NE(unsqueeze.find("add_axis"), std::string::npos) << unsqueeze;
  EXPECT_NE(unsqueeze.find("an Unsqueeze of an activation 1x2 to 1x2x1 has no layer kind"), std::string::npos) << unsqueeze;

  const std::string squeeze = error_of(model_proto({node_proto("Squeeze", "drop_batch", {"x", "axes"}, {"y"})},
                                                   {tensor_proto("axes", {1}, kInt64, int64_raw({0}))}));
  EXPECT_NE(squeeze.find("drop_batch"), std::string::npos) << squeeze;
  EXPECT_NE(squeeze.find("a Squeeze of an activation 1x2 to 2 has no layer kind"), std::string::npos) << squeeze;

  // The same Reshape that keeps the batch first is the identity here, and is read.
  const Scene kept = import_onnx(model_proto({node_proto("Reshape", "same", {"x", "shape"}, {"h"}), node_proto("Relu", "act", {"h"}, {"y"})},
                                             {tensor_proto("shape", {2}, kInt64, int64_raw({1, -1}))}));
  ASSERT_EQ(kept.nodes.size(), 1u);
  EXPECT_EQ(kept.nodes[0].type, "relu");
}

TEST(OnnxImport, WrongElementTypesAreRefused) {
  EXPECT_NE(error_of(model_proto({node_proto("Relu", "act", {"x"}, {"y"})}, {}, /*float64*/ 11)).find("onnx_element_type"),
            std::string::npos);
  const std::string weight = tensor_proto("w", {2, 2}, 11, std::string(32, '\0'));
  const std::string message = error_of(model_proto({node_proto("Gemm", "fc", {"x", "w"}, {"y"})}, {weight}));
  EXPECT_NE(message.find("onnx_element_type"), std::string::npos) << message;
  EXPECT_NE(message.find("float64"), std::string::npos) << message;
}

TEST(OnnxImport, ExternalDataTooLargeAndWrongSizesAreRefusedBeforeAllocating) {
  const std::string external = tensor_proto("w", {2, 2}, 1, "", true);
  EXPECT_NE(error_of(model_proto({node_proto("Gemm", "fc", {"x", "w"}, {"y"})}, {external})).find("onnx_external_data"),
            std::string::npos);
  const std::string huge = tensor_proto("w", {1 << 20, 1 << 20}, 1, "");
  EXPECT_NE(error_of(model_proto({node_proto("Gemm", "fc", {"x", "w"}, {"y"})}, {huge})).find("onnx_too_large"), std::string::npos);
  const std::string short_data = tensor_proto("w", {2, 2}, 1, std::string(12, '\0'));
  EXPECT_NE(error_of(model_proto({node_proto("Gemm", "fc", {"x", "w"}, {"y"})}, {short_data})).find("onnx_malformed"),
            std::string::npos);
  EXPECT_NE(error_of(std::string((64u << 20) + 1, '\0')).find("onnx_too_large"), std::string::npos);
  EXPECT_NE(error_of(model_proto({node_proto("Relu", "act", {"x"}, {"y"})}, {}, 1, 21)).find("onnx_opset"), std::string::npos);
}

TEST(OnnxImport, StringsThatAreNotUtf8AndLengthsPastTheBufferAreMalformed) {
  const std::string message = error_of(model_proto({node_proto("Relu", "act\xff\xfe", {"x"}, {"y"})}, {}));
  EXPECT_NE(message.find("onnx_malformed"), std::string::npos) << message;
  EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
  EXPECT_EQ(error_of(model_proto({node_proto("Relu", "r\xc3\xa9lu \xe2\x82\xac", {"x"}, {"y"})}, {})), "");  // "rélu €"
  // ModelProto.graph with a length of 2 GB and of 4 GB - 1 (wasm32's ptrdiff_t overflows there)
  for (const std::string& bytes : {std::string("\x3a\x80\x80\x80\x80\x08\x01\x02", 8), std::string("\x3a\xff\xff\xff\xff\x0f\x01\x02", 8)}) {
    EXPECT_NE(error_of(bytes).find("onnx_malformed"), std::string::npos);
  }
}

TEST(OnnxImport, WeightsThatAreNotFiniteAreRefused) {
  // JSON has no NaN: such a weight would print as null and the scene would not read back.
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    const float values[4] = {1.0f, bad, 0.5f, -2.0f};
    const std::string raw(reinterpret_cast<const char*>(values), sizeof values);
    const std::string message = error_of(model_proto({node_proto("Gemm", "fc", {"x", "w"}, {"y"})}, {tensor_proto("w", {2, 2}, 1, raw)}));
    EXPECT_NE(message.find("onnx_not_finite"), std::string::npos) << message;
    EXPECT_NE(message.find("\"w\""), std::string::npos) << message;
  }
  const float fine[4] = {1.0f, 2.0f, 0.5f, -2.0f};
  EXPECT_EQ(error_of(model_proto({node_proto("Gemm", "fc", {"x", "w"}, {"y"})},
                                 {tensor_proto("w", {2, 2}, 1, std::string(reinterpret_cast<const char*>(fine), sizeof fine))})),
            "");
}

TEST(OnnxImport, DuplicateAndEmptyNamesBecomeUniqueIds) {
  const std::string model = model_proto({node_proto("Relu", "act", {"x"}, {"a"}), node_proto("Sigmoid", "act", {"a"}, {"b"}),
                                         node_proto("Tanh", "", {"b"}, {"y"})},
                                        {});
  const Scene scene = import_onnx(model);
  ASSERT_EQ(scene.nodes.size(), 3u);
  EXPECT_EQ(scene.nodes[0].id, "act");
  EXPECT_EQ(scene.nodes[1].id, "act_2");
  EXPECT_EQ(scene.nodes[2].id, "y");
  EXPECT_EQ(scene.nodes[2].inputs, std::vector<std::string>{"act_2"});
}

}  // namespace
}  // namespace cnnlens

namespace cnnlens {
namespace {

// Export (opset 15) then import gives the same network: every graph fixture's scene, in eval mode
// (so dropout is the identity), computes the same output before and after the round trip.
TEST(OnnxExport, GraphFixturesRoundTripThroughOnnx) {
  int exported = 0;
  for (const char* name : {"chain_batch2_mse_adamw", "depthwise_separable", "dropout_mlp", "inception_concat", "padding_modes_decoder",
                           "residual_block_batchnorm", "residual_block_batchnorm_eval", "transposed_decoder"}) {
    SCOPED_TRACE(name);
    const json f = json::parse(testing::read_text(std::string("tests/fixtures/graph/") + name + ".json"));
    json scene_json = f.at("scene");
    scene_json["mode"] = "eval";
    const Scene scene = scene_from_json(scene_json);
    const std::string bytes = export_onnx(scene);
    Scene back = import_onnx(bytes);
    EXPECT_EQ(back.mode, Mode::kEval);
    back.input = scene.input;
    Model original(scene);
    Model again(back);
    const json a = trace(original).at("nodes").back().at("output");
    const json b = trace(again).at("nodes").back().at("output");
    EXPECT_EQ(a.at("shape"), b.at("shape"));
    EXPECT_TRUE(testing::all_close(testing::floats(b.at("data")), testing::floats(a.at("data")), 1e-6, 1e-5));
    ++exported;
  }
  EXPECT_EQ(exported, 8);
}

TEST(OnnxExport, ImportedModelsKeepTheirNamesAndModeThroughExport) {
  const Scene scene = import_onnx(testing::read_text("tests/fixtures/onnx/small_resnet.onnx"));
  const Scene back = import_onnx(export_onnx(scene));
  ASSERT_EQ(back.nodes.size(), scene.nodes.size());
  EXPECT_EQ(back.mode, Mode::kTrain);
  for (std::size_t k = 0; k < scene.nodes.size(); ++k) {
    EXPECT_EQ(back.nodes[k].id, scene.nodes[k].id);
    EXPECT_EQ(back.nodes[k].type, scene.nodes[k].type);
    for (const auto& t : scene.nodes[k].tensors) {
      if (!t.second.name.empty()) {
        EXPECT_EQ(back.nodes[k].tensors.at(t.first).name, t.second.name);
      }
      EXPECT_EQ(back.nodes[k].tensors.at(t.first).data, t.second.data);
    }
  }
}

TEST(OnnxExport, CircularPaddingIsRefused) {
  const json f = json::parse(testing::read_text("tests/fixtures/graph/chain_batch3_groups_padding_modes.json"));
  try {
    export_onnx(scene_from_json(f.at("scene")));
    FAIL() << "circular padding was exported";
  } catch (const SceneError& e) {
    EXPECT_NE(std::string(e.what()).find("circular"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cnnlens
