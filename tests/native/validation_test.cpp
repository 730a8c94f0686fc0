// Scene validation: every documented limit and parser/validator error path throws a precise SceneError.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/scene.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

// Expects Model::from_json(text) to throw SceneError whose message contains `fragment`; failures
// are reported at the caller's line.
void expect_error(const std::string& text, const std::string& fragment, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  try {
    Model::from_json(text);
    ADD_FAILURE_AT(file, line) << "accepted a scene that should fail with \"" << fragment << "\":\n"
                               << text.substr(0, 400);
  } catch (const SceneError& e) {
    if (std::string(e.what()).find(fragment) == std::string::npos) {
      ADD_FAILURE_AT(file, line) << "message \"" << e.what() << "\"\n  lacks \"" << fragment << "\"";
    }
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(file, line) << "threw a non-SceneError exception: " << e.what();
  }
}

void expect_error(const json& scene, const std::string& fragment, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  expect_error(scene.dump(), fragment, file, line);
}

void expect_error(const char* text, const std::string& fragment, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  expect_error(std::string(text), fragment, file, line);
}

// The message of the SceneError that `text` raises ("" if none).
std::string error_of(const std::string& text) {
  try {
    Model::from_json(text);
  } catch (const SceneError& e) {
    return e.what();
  }
  return "";
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// A small valid scene: 1x6x6 -> conv2d(2, 3x3) -> relu -> maxpool 2 -> flatten -> dense 3, mse.
json base() {
  return {{"input", {{"shape", {1, 6, 6}}, {"data", testing::random_values(36, 1)}}},
          {"layers",
           {{{"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 3}},
            {{"type", "relu"}},
            {{"type", "maxpool2d"}, {"kernel_size", 2}},
            {{"type", "flatten"}},
            {{"type", "dense"}, {"out_features", 3}}}},
          {"loss", "mse"},
          {"target", {0.0, 1.0, 0.0}}};
}

// `base()` ending in class scores for cross_entropy with target class `k`.
json cross_entropy_base(const json& k) {
  json scene = base();
  scene["loss"] = "cross_entropy";
  scene["target"] = k;
  return scene;
}

json with(json scene, const json::json_pointer& where, const json& value) {
  scene[where] = value;
  return scene;
}

json without(json scene, const json::json_pointer& where) {
  scene[where.parent_pointer()].erase(where.back());
  return scene;
}

// The scene's text with the number at `where` written literally (for 1e999, which JSON values
// cannot hold as a finite double, so it must go through the text).
std::string with_literal(const json& scene, const json::json_pointer& where, const std::string& literal) {
  std::string text = with(scene, where, 123456.75).dump();
  const std::size_t at = text.find("123456.75");
  return text.replace(at, 9, literal);
}

json::json_pointer operator""_p(const char* text, std::size_t) { return json::json_pointer(text); }

TEST(ValidScenes, TheBaseSceneOfTheseTestsIsAccepted) {
  EXPECT_NO_THROW(testing::model_from(base()));
  EXPECT_NO_THROW(testing::model_from(cross_entropy_base(2)));
}

TEST(ValidScenes, TheClassicExampleIsAccepted) {
  const Model model = Model::from_json(testing::read_text("examples/classic.json"));
  EXPECT_EQ(model.layer_count(), 5u);
  EXPECT_EQ(model.scene().title, "The classic example");
  EXPECT_EQ(shape_of(model.layer(4).output()), (Shape{1, 2}));
}

// ---------------------------------------------------------------- JSON and the top level

// A kernel run over a photo is a chain with nothing to learn: version 1 takes loss "none" too,
// without a target, and writes it back the same way.
TEST(ValidScenes, AForwardOnlyChainIsAccepted) {
  json scene = base();
  scene["loss"] = "none";
  expect_error(scene, "a scene with loss \"none\" takes no target");
  scene.erase("target");
  const Model model = testing::model_from(scene);
  const json written = model.to_scene_json();
  EXPECT_EQ(written.at("loss"), "none");
  EXPECT_FALSE(written.contains("target"));
  EXPECT_EQ(written.contains("layers"), true) << "still a version-1 chain";
  // its trace says there is no loss and no gradient (it used to read tensors that do not exist)
  const json t = trace(model);
  EXPECT_TRUE(t.at("loss").is_null());
  EXPECT_TRUE(t.at("layers").at(0).at("grad_input").is_null());
  EXPECT_TRUE(t.at("layers").at(0).at("params").at("weight").at("grad").is_null());
  EXPECT_EQ(t.at("layers").at(0).at("output").at("shape"), json({2, 4, 4}));
}

// Version 1 also reads what a photo or a data set brings: class names, the input's scaling and a
// grouped convolution; it writes them back, and a default `groups` stays unwritten.
TEST(ValidScenes, VersionOneTakesLabelsNormalizeAndGroups) {
  json scene = {{"input", {{"shape", {3, 4, 4}}, {"data", testing::random_values(48, 2)},
                           {"normalize", {{"mean", {0.5, 0.5, 0.5}}, {"std", {0.25, 0.25, 0.25}}}}}},
                {"layers", {{{"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", 3}, {"padding", 1}, {"groups", 3}},
                            {{"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 1}},
                            {{"type", "flatten"}},
                            {{"type", "dense"}, {"out_features", 2}}}},
                {"labels", {"cat", "dog"}},
                {"loss", "cross_entropy"},
                {"target", 1}};
  const Model model = testing::model_from(scene);
  const json written = model.to_scene_json();
  EXPECT_EQ(written.at("layers").at(0).at("groups"), 3);
  EXPECT_EQ(written.at("layers").at(0).at("weight").size(), 27u) << "[3, 3/3, 3, 3]";
  EXPECT_FALSE(written.at("layers").at(1).contains("groups"));
  EXPECT_EQ(written.at("labels"), json({"cat", "dog"}));
  EXPECT_EQ(written.at("input").at("normalize").at("std").at(2), 0.25);
  expect_error(with(scene, "/layers/0/padding_mode"_p, "reflect"), "unknown field \"padding_mode\"");
}

TEST(SceneJsonErrors, TextThatIsNotJson) {
  expect_error("", "the scene is not valid JSON");
  expect_error("{", "the scene is not valid JSON");
  expect_error("{\"input\": }", "the scene is not valid JSON");
  expect_error("NaN", "the scene is not valid JSON");
  expect_error(base().dump() + " trailing", "the scene is not valid JSON");
}

TEST(SceneJsonErrors, DocumentThatIsNotAnObject) {
  expect_error("[]", "scene: expected an object, got array");
  expect_error("42", "scene: expected an object, got number");
  expect_error("\"scene\"", "scene: expected an object, got string");
  expect_error("null", "scene: expected an object, got null");
}

TEST(SceneJsonErrors, DeeplyNestedJsonIsRejectedWithoutCrashing) {
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  std::string text = base().dump();
  text.replace(text.find("\"layers\":[") + 10, 0, nested + ",");
  expect_error(text, "layer 1: expected an object, got array");
}

TEST(SceneJsonErrors, SceneLargerThan128MegabytesIsRejectedBeforeParsing) {
  std::string text = base().dump();
  text.append((limits::kMaxSceneBytes + 1) - text.size(), ' ');
  expect_error(text, "more than the limit of 128 MB");
}

TEST(SceneJsonErrors, UnknownTopLevelField) {
  expect_error(with(base(), "/lr"_p, 0.1), "scene: unknown field \"lr\"");
  expect_error(with(base(), "/Target"_p, 1), "scene: unknown field \"Target\"");
}

TEST(SceneJsonErrors, UnknownFieldsInsideLayersInputAndOptimizer) {
  expect_error(with(base(), "/layers/0/strides"_p, 1), "layer 1 (conv2d): unknown field \"strides\"");
  expect_error(with(base(), "/layers/1/negative_slope"_p, 0.1), "layer 2 (relu): unknown field \"negative_slope\"");
  expect_error(with(base(), "/layers/1/weight"_p, json::array({1})), "layer 2 (relu): unknown field \"weight\"");
  expect_error(with(base(), "/layers/2/padding"_p, 1), "layer 3 (maxpool2d): unknown field \"padding\"");
  expect_error(with(base(), "/layers/3/size"_p, 1), "layer 4 (flatten): unknown field \"size\"");
  expect_error(with(base(), "/layers/4/kernel_size"_p, 1), "layer 5 (dense): unknown field \"kernel_size\"");
  expect_error(with(base(), "/input/channels"_p, 1), "input: unknown field \"channels\"");
  expect_error(with(base(), "/optimizer"_p, {{"type", "adam"}, {"momentum", 0.9}}),
               "optimizer: unknown field \"momentum\"");
  expect_error(with(base(), "/optimizer"_p, {{"type", "sgd"}, {"beta1", 0.9}}), "optimizer: unknown field \"beta1\"");
}

TEST(SceneJsonErrors, UnknownLayerType) {
  expect_error(with(base(), "/layers/0/type"_p, "conv3d"), "layer 1: unknown layer type \"conv3d\" (known: conv2d");
  expect_error(with(base(), "/layers/1/type"_p, "ReLU"), "layer 2: unknown layer type \"ReLU\"");
}

TEST(SceneJsonErrors, MissingFields) {
  for (const char* field : {"input", "layers", "loss", "target"}) {
    expect_error(without(base(), json::json_pointer(std::string("/") + field)),
                 std::string("scene: missing field \"") + field + "\"");
  }
  expect_error(without(base(), "/input/shape"_p), "input: missing field \"shape\"");
  expect_error(without(base(), "/input/data"_p), "input: missing field \"data\"");
  expect_error(without(base(), "/layers/1/type"_p), "layer 2: missing field \"type\"");
  expect_error(without(base(), "/layers/0/out_channels"_p), "layer 1 (conv2d): missing field \"out_channels\"");
  expect_error(without(base(), "/layers/0/kernel_size"_p), "layer 1 (conv2d): missing field \"kernel_size\"");
  expect_error(without(base(), "/layers/2/kernel_size"_p), "layer 3 (maxpool2d): missing field \"kernel_size\"");
  expect_error(without(base(), "/layers/4/out_features"_p), "layer 5 (dense): missing field \"out_features\"");
  expect_error(with(base(), "/optimizer"_p, {{"lr", 0.1}}), "optimizer: missing field \"type\"");
}

TEST(SceneJsonErrors, WrongJsonTypes) {
  expect_error(with(base(), "/layers"_p, json::object()), "scene: layers must be an array");
  expect_error(with(base(), "/layers"_p, json::array()), "layers is empty");
  expect_error(with(base(), "/layers/0"_p, 5), "layer 1: expected an object, got number");
  expect_error(with(base(), "/layers/0/type"_p, 3), "layer 1: type must be a string");
  expect_error(with(base(), "/input"_p, "1x6x6"), "input: expected an object, got string");
  expect_error(with(base(), "/input/shape"_p, "1x6x6"), "input: shape must be [C, H, W] or [N]");
  expect_error(with(base(), "/input/shape"_p, {6, 6}), "input: shape must be [C, H, W] or [N]");
  expect_error(with(base(), "/input/shape"_p, json::array()), "input: shape must be [C, H, W] or [N]");
  expect_error(with(base(), "/input/shape/0"_p, "1"), "input: channels must be an integer, got string");
  expect_error(with(base(), "/input/data"_p, "zeros"), "input: data must be an array of numbers, got string");
  expect_error(with(base(), "/input/data/3"_p, "1"), "input: data[3] must be a number, got string");
  expect_error(with(base(), "/input/data/0"_p, true), "input: data[0] must be a number, got boolean");
  expect_error(with(base(), "/input/data/5"_p, nullptr), "input: data[5] must be a number, got null");
  expect_error(with(base(), "/layers/0/kernel_size"_p, "3"), "layer 1 (conv2d): kernel_size must be an integer, got string");
  expect_error(with(base(), "/layers/0/kernel_size"_p, {3}), "layer 1 (conv2d): kernel_size must be an integer or a pair [h, w]");
  expect_error(with(base(), "/layers/0/kernel_size"_p, {3, 3, 3}), "kernel_size must be an integer or a pair [h, w]");
  expect_error(with(base(), "/layers/0/out_channels"_p, nullptr), "layer 1 (conv2d): out_channels must be an integer, got null");
  expect_error(with(base(), "/layers/0/weight"_p, "w"), "layer 1 (conv2d): weight must be an array of numbers, got string");
  expect_error(with(base(), "/layers/0/bias"_p, {0, "0"}), "layer 1 (conv2d): bias[1] must be a number, got string");
  expect_error(with(base(), "/layers/1"_p, {{"type", "leaky_relu"}, {"negative_slope", "0.1"}}),
               "layer 2 (leaky_relu): negative_slope must be a number, got string");
  expect_error(with(base(), "/loss"_p, 1), "loss must be \"mse\", \"cross_entropy\" or \"none\", got 1");
  expect_error(with(base(), "/loss"_p, "mae"), "loss must be \"mse\", \"cross_entropy\" or \"none\", got \"mae\"");
  expect_error(with(base(), "/target"_p, "x"), "target must be an array of numbers, got string");
  expect_error(with(base(), "/target"_p, 1), "target must be an array of numbers, got number");
  expect_error(cross_entropy_base({1}), "target class must be an integer, got array");
  expect_error(cross_entropy_base("1"), "target class must be an integer, got string");
  expect_error(with(base(), "/title"_p, 5), "scene: title must be a string");
  expect_error(with(base(), "/description"_p, json::array()), "scene: description must be a string");
  expect_error(with(base(), "/optimizer"_p, "sgd"), "optimizer: expected an object, got string");
  expect_error(with(base(), "/optimizer"_p, {{"type", 1}}), "optimizer: type must be a string");
  expect_error(with(base(), "/optimizer"_p, {{"type", "sgd"}, {"lr", "0.1"}}), "optimizer: lr must be a number, got string");
  expect_error(with(base(), "/seed"_p, "1"), "scene: seed must be an integer, got string");
  expect_error(with(base(), "/version"_p, "1"), "scene: version must be an integer, got string");
}

TEST(SceneJsonErrors, NonIntegerSizes) {
  expect_error(with(base(), "/layers/0/out_channels"_p, 2.5), "layer 1 (conv2d): out_channels must be an integer");
  expect_error(with(base(), "/layers/0/kernel_size"_p, 2.5), "layer 1 (conv2d): kernel_size must be an integer");
  expect_error(with(base(), "/layers/0/stride"_p, {1, 1.5}), "layer 1 (conv2d): stride must be an integer");
  expect_error(with(base(), "/layers/0/padding"_p, 0.5), "layer 1 (conv2d): padding must be an integer");
  expect_error(with(base(), "/layers/0/dilation"_p, 1.5), "layer 1 (conv2d): dilation must be an integer");
  expect_error(with(base(), "/layers/2/stride"_p, 1.5), "layer 3 (maxpool2d): stride must be an integer");
  expect_error(with(base(), "/layers/4/out_features"_p, 3.5), "layer 5 (dense): out_features must be an integer");
  expect_error(with(base(), "/input/shape/1"_p, 6.5), "input: height must be an integer");
  expect_error(with(base(), "/seed"_p, 1.5), "scene: seed must be an integer");
  expect_error(with(base(), "/version"_p, 1.5), "scene: version must be an integer");
  expect_error(cross_entropy_base(1.5), "target class must be an integer");
}

TEST(SceneJsonErrors, NaNAndInfinityAreRejected) {
  // 1e999 overflows double: nlohmann/json refuses it while parsing, so the message names the
  // number rather than the field. 1e39 fits a double but overflows float32: the field reader
  // rejects it by name.
  expect_error(with_literal(base(), "/input/data/0"_p, "1e999"), "number overflow parsing '1e999'");
  expect_error(with_literal(base(), "/input/data/7"_p, "-1e999"), "number overflow parsing '-1e999'");
  expect_error(with_literal(base(), "/layers/0/kernel_size"_p, "1e999"), "the scene is not valid JSON");
  expect_error(with_literal(base(), "/input/data/0"_p, "1e39"), "input: data[0] must be a finite number");
  expect_error(with_literal(base(), "/input/data/7"_p, "-1e39"), "input: data[7] must be a finite number");
  expect_error(with_literal(with(base(), "/layers/0/bias"_p, {0, 0}), "/layers/0/bias/1"_p, "1e39"),
               "layer 1 (conv2d): bias[1] must be a finite number");
  expect_error(with_literal(with(base(), "/layers/0/weight"_p, std::vector<float>(18, 0.0f)), "/layers/0/weight/4"_p, "1e39"),
               "layer 1 (conv2d): weight[4] must be a finite number");
  expect_error(with_literal(base(), "/target/2"_p, "-1e39"), "target[2] must be a finite number");
  expect_error(with_literal(with(base(), "/optimizer"_p, {{"type", "sgd"}}), "/optimizer/lr"_p, "1e39"),
               "optimizer: lr 1e+39 must be in (0.0, 100.0]");
  expect_error(with_literal(with(base(), "/layers/1"_p, {{"type", "leaky_relu"}}), "/layers/1/negative_slope"_p, "1e39"),
               "layer 2 (leaky_relu): negative_slope must be a finite number");
  expect_error(with_literal(base(), "/layers/0/kernel_size"_p, "1e39"), "layer 1 (conv2d): kernel_size 1e+39 is out of range");
  expect_error(with_literal(base(), "/seed"_p, "1e39"), "scene: seed 1e+39 is out of range");
  expect_error("{\"input\": NaN}", "the scene is not valid JSON");
  expect_error("{\"input\": Infinity}", "the scene is not valid JSON");
}

TEST(SceneJsonErrors, NaNAndInfinityInAJsonValueAreRejectedToo) {
  // A JSON value built in memory (as the wasm module may) can hold NaN, which text cannot.
  const auto expect_value_error = [](const json& scene, const std::string& fragment) {
    try {
      Model model(scene_from_json(scene));
      ADD_FAILURE() << "accepted: " << fragment;
    } catch (const SceneError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_value_error(with(base(), "/input/data/0"_p, std::nan("")), "input: data[0] must be a finite number");
  expect_value_error(with(base(), "/target/0"_p, INFINITY), "target[0] must be a finite number");
  expect_value_error(with(base(), "/layers/0/out_channels"_p, std::nan("")), "out_channels must be an integer");
}

TEST(SceneJsonErrors, SizesOutOfRange) {
  expect_error(with(base(), "/layers/0/stride"_p, 0), "layer 1 (conv2d): stride 0 is out of range (1 to 512)");
  expect_error(with(base(), "/layers/0/stride"_p, {1, 0}), "layer 1 (conv2d): stride 0 is out of range (1 to 512)");
  expect_error(with(base(), "/layers/0/padding"_p, -1), "layer 1 (conv2d): padding -1 is out of range (0 to 512)");
  expect_error(with(base(), "/layers/0/padding"_p, {0, -2}), "layer 1 (conv2d): padding -2 is out of range");
  expect_error(with(base(), "/layers/0/dilation"_p, 0), "layer 1 (conv2d): dilation 0 is out of range (1 to 512)");
  expect_error(with(base(), "/layers/0/kernel_size"_p, 0), "layer 1 (conv2d): kernel_size 0 is out of range (1 to 512)");
  expect_error(with(base(), "/layers/0/kernel_size"_p, 513), "layer 1 (conv2d): kernel_size 513 is out of range");
  expect_error(with(base(), "/layers/0/padding"_p, 513), "layer 1 (conv2d): padding 513 is out of range");
  expect_error(with(base(), "/layers/0/out_channels"_p, 0), "layer 1 (conv2d): out_channels 0 is out of range (1 to 1024)");
  expect_error(with(base(), "/layers/0/out_channels"_p, 1025), "layer 1 (conv2d): out_channels 1025 is out of range");
  expect_error(with(base(), "/layers/2/stride"_p, 0), "layer 3 (maxpool2d): stride 0 is out of range");
  expect_error(with(with(base(), "/layers/2/type"_p, "avgpool2d"), "/layers/2/kernel_size"_p, -3),
               "layer 3 (avgpool2d): kernel_size -3 is out of range");
  expect_error(with(base(), "/layers/4/out_features"_p, 0), "layer 5 (dense): out_features 0 is out of range");
  expect_error(with(base(), "/input/shape/0"_p, 1025), "input: channels 1025 is out of range (1 to 1024)");
  expect_error(with(base(), "/input/shape/1"_p, 513), "input: height 513 is out of range (1 to 512)");
  expect_error(with(base(), "/input/shape/2"_p, 0), "input: width 0 is out of range (1 to 512)");
  expect_error(with(with(base(), "/input/shape"_p, {0}), "/input/data"_p, json::array()), "input: length 0 is out of range");
  expect_error(with(base(), "/seed"_p, -1), "scene: seed -1 is out of range (0 to 4294967295)");
  expect_error(with(base(), "/seed"_p, 4294967296LL), "scene: seed 4294967296 is out of range");
  EXPECT_NO_THROW(testing::model_from(with(base(), "/seed"_p, 4294967295LL)));
}

TEST(SceneJsonErrors, VersionOtherThanOneOrTwo) {
  expect_error(with(base(), "/version"_p, 3), "scene: version 3 is not supported (this build reads versions 1 and 2)");
  expect_error(with(base(), "/version"_p, 0), "scene: version 0 is not supported");
  EXPECT_NO_THROW(testing::model_from(with(base(), "/version"_p, 1)));
}

// ---------------------------------------------------------------- shapes and counts

TEST(SceneValidateErrors, KernelLargerThanThePaddedInputNamesLayerIndexAndType) {
  const std::string message = error_of(with(base(), "/layers/0/kernel_size"_p, 7).dump());
  EXPECT_TRUE(starts_with(message, "layer 1 (conv2d): ")) << message;
  EXPECT_EQ(message, "layer 1 (conv2d): kernel_size 7x7 is larger than the padded input 6x6");
  json padded = with(base(), "/layers/0/kernel_size"_p, 9);
  padded["layers"][0]["padding"] = 1;
  expect_error(padded, "layer 1 (conv2d): kernel_size 9x9 is larger than the padded input 8x8");
  expect_error(with(base(), "/layers/0/kernel_size"_p, {3, 7}), "layer 1 (conv2d): kernel_size 3x7 is larger than the padded input 6x6");
  // After conv 3x3 the map is 4x4: a 5x5 pooling window does not fit.
  expect_error(with(base(), "/layers/2/kernel_size"_p, 5), "layer 3 (maxpool2d): kernel_size 5x5 is larger than the input 4x4");
}

TEST(SceneValidateErrors, DilationMakingTheKernelTooLarge) {
  // span = 3 * (3 - 1) + 1 = 7 > 6
  expect_error(with(base(), "/layers/0/dilation"_p, 3),
               "layer 1 (conv2d): kernel_size 3x3 with dilation 3x3 spans 7x7 and is larger than the padded input 6x6");
  EXPECT_NO_THROW(testing::model_from(with(with(base(), "/layers/0/dilation"_p, 2), "/layers/2/kernel_size"_p, 1)));
}

TEST(SceneValidateErrors, WrongWeightAndBiasCounts) {
  expect_error(with(base(), "/layers/0/weight"_p, std::vector<float>(17, 0.5f)),
               "layer 1 (conv2d): weight has 17 values, expected 18 (2x1x3x3)");
  expect_error(with(base(), "/layers/0/bias"_p, {0, 0, 0}), "layer 1 (conv2d): bias has 3 values, expected 2 (2)");
  expect_error(with(base(), "/layers/4/weight"_p, std::vector<float>(5, 0.5f)),
               "layer 5 (dense): weight has 5 values, expected 24 (3x8)");
  expect_error(with(base(), "/layers/4/bias"_p, json::array()), "layer 5 (dense): bias has 0 values, expected 3 (3)");
}

TEST(SceneValidateErrors, LayerKindsThatCannotFollowEachOther) {
  json dense_on_map = base();
  dense_on_map["layers"] = {{{"type", "dense"}, {"out_features", 3}}};
  expect_error(dense_on_map, "layer 1 (dense): needs a 1-D input but gets 1x6x6 (add a flatten layer before it)");

  json conv_after_flatten = base();
  conv_after_flatten["layers"] = {{{"type", "flatten"}}, {{"type", "conv2d"}, {"out_channels", 1}, {"kernel_size", 1}}};
  expect_error(conv_after_flatten, "layer 2 (conv2d): needs a [C, H, W] input but gets a vector of 36 values");

  json softmax_on_map = base();
  softmax_on_map["layers"] = {{{"type", "softmax"}}};
  expect_error(softmax_on_map, "layer 1 (softmax): needs a 1-D input but gets 1x6x6");

  json pool_on_vector = base();
  pool_on_vector["input"] = {{"shape", {4}}, {"data", {1, 2, 3, 4}}};
  pool_on_vector["layers"] = {{{"type", "maxpool2d"}, {"kernel_size", 2}}};
  expect_error(pool_on_vector, "layer 1 (maxpool2d): needs a [C, H, W] input but gets a vector of 4 values");

  json flatten_twice = base();
  flatten_twice["layers"] = {{{"type", "flatten"}}, {{"type", "flatten"}}};
  expect_error(flatten_twice, "layer 2 (flatten): needs a [C, H, W] input");
}

TEST(SceneValidateErrors, LayersGivenParametersTheyDoNotHave) {
  // Not reachable through JSON (unknown fields are rejected first), but validate_scene guards it.
  Scene scene = scene_from_json(base());
  scene.nodes[1].tensors["weight"] = {{1.0f}, ""};
  try {
    validate_scene(scene);
    ADD_FAILURE() << "accepted a relu with a weight";
  } catch (const SceneError& e) {
    EXPECT_STREQ(e.what(), "layer 2 (relu): has no parameter \"weight\"");
    EXPECT_EQ(e.code(), "unknown_field");
    EXPECT_EQ(e.place().layer, 2);
  }
  EXPECT_THROW(Model{scene}, SceneError);
}

TEST(SceneValidateErrors, TargetOfTheWrongSize) {
  expect_error(with(base(), "/target"_p, {1, 0}), "target has 2 values, but the network's output 3 has 3");
  expect_error(with(base(), "/target"_p, json::array()), "target has 0 values");
}

TEST(SceneValidateErrors, ClassIndexOutOfRangeNonIntegerOrNegative) {
  expect_error(cross_entropy_base(3), "target class 3 is out of range: the output has 3 classes (0 to 2)");
  expect_error(cross_entropy_base(100), "target class 100 is out of range");
  expect_error(cross_entropy_base(-1), "target class -1 is out of range");
  expect_error(cross_entropy_base(0.5), "target class must be an integer");
  EXPECT_NO_THROW(testing::model_from(cross_entropy_base(0)));
  EXPECT_NO_THROW(testing::model_from(cross_entropy_base(2)));
}

TEST(SceneValidateErrors, CrossEntropyOnAMultiDimensionalOutput) {
  json scene = cross_entropy_base(0);
  scene["layers"] = {{{"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 3}}};
  expect_error(scene, "cross_entropy needs a 1-D output (class scores), but the network's output is 2x4x4");
}

TEST(SceneValidateErrors, InputDataCountMismatch) {
  expect_error(with(base(), "/input/data"_p, testing::random_values(35, 2)), "input: data has 35 values, expected 36 (1x6x6)");
  expect_error(with(base(), "/input/data"_p, testing::random_values(37, 2)), "input: data has 37 values, expected 36");
}

// ---------------------------------------------------------------- limits

TEST(SceneLimits, TwoHundredFiftySevenLayersAreTooManyAnd256AreFine) {
  json scene = {{"input", {{"shape", {2}}, {"data", {0.5, -0.5}}}}, {"loss", "mse"}, {"target", {0, 0}}};
  scene["layers"] = json::array();
  for (int k = 0; k < 256; ++k) scene["layers"].push_back({{"type", "tanh"}});
  EXPECT_NO_THROW(testing::model_from(scene));
  scene["layers"].push_back({{"type", "tanh"}});
  expect_error(scene, "scene: the network has 257 layers, more than the limit 256");
}

TEST(SceneLimits, TooManyParameters) {
  // dense 6000 -> 6000 has 36,006,000 parameters, over 32,000,000; no tensor is over its limit.
  json scene = {{"input", {{"shape", {6000}}, {"data", std::vector<float>(6000, 0.0f)}}},
                {"layers", {{{"type", "dense"}, {"out_features", 6000}}}},
                {"loss", "mse"},
                {"target", std::vector<float>(6000, 0.0f)}};
  expect_error(scene, "layer 1 (dense): the network would have more than 32000000 parameters");
}

TEST(SceneLimits, TooLargeInputTensor) {
  // 1024x512x512 is within each per-axis limit but has 268M values; rejected before allocation.
  json scene = with(base(), "/input/shape"_p, {1024, 512, 512});
  scene["input"]["data"] = json::array();
  expect_error(scene, "input: shape 1024x512x512 has more than 4194304 values");
}

TEST(SceneLimits, TooLargeIntermediateTensor) {
  // 1x4x4 padded by 60 and 1024 output channels: 1024x124x124 = 15,745,024 values.
  json scene = with(base(), "/input/shape"_p, {1, 4, 4});
  scene["input"]["data"] = std::vector<float>(16, 1.0f);
  scene["layers"] = {{{"type", "conv2d"}, {"out_channels", 1024}, {"kernel_size", 1}, {"padding", 60}}};
  expect_error(scene, "layer 1 (conv2d): its output 1024x124x124 has 15745024 values, more than the limit 4194304");
}

TEST(SceneLimits, TooMuchComputePerPass) {
  // 1x4x4 padded by 200 under a 200x200 kernel: 16 x 205 x 205 outputs of 40,000 products each,
  // 2.7e10 multiply-adds, with every tensor and the parameter count within their limits.
  json scene = with(base(), "/input/shape"_p, {1, 4, 4});
  scene["input"]["data"] = std::vector<float>(16, 1.0f);
  scene["layers"] = {{{"type", "conv2d"}, {"out_channels", 16}, {"kernel_size", 200}, {"padding", 200}}};
  // (The target's size is checked after the layers, so a short one does not get in the way.)
  expect_error(scene, "layer 1 (conv2d): the network would need more than 2000000000 multiply-adds per sample");
}

TEST(SceneLimits, ComputeIsSummedOverLayers) {
  // Layer 1 alone: 15 x 105 x 105 outputs x 100 x 100 products = 1.65e9, under the limit (parsed
  // only, never run). Layer 3 then pushes the total past 2e9 and is the one named.
  json scene = with(base(), "/input/shape"_p, {1, 4, 4});
  scene["input"]["data"] = std::vector<float>(16, 1.0f);
  scene["layers"] = {{{"type", "conv2d"}, {"out_channels", 15}, {"kernel_size", 100}, {"padding", 100}}};
  scene["target"] = std::vector<float>(15 * 105 * 105, 0.0f);
  EXPECT_NO_THROW(parse_scene(scene.dump()));
  scene["layers"].push_back({{"type", "avgpool2d"}, {"kernel_size", 1}});
  scene["layers"].push_back({{"type", "conv2d"}, {"out_channels", 15}, {"kernel_size", 20}});  // + 6.7e8
  expect_error(scene, "layer 3 (conv2d): the network would need more than 2000000000 multiply-adds per sample");
}

TEST(SceneLimits, TooManyInputValuesIsRejectedWhileReading) {
  json scene = with(base(), "/input/shape"_p, {4194304});
  // The count is checked before any element is read, so nulls (cheap to allocate) will do.
  scene["input"]["data"] = json::array();
  scene["input"]["data"].get_ref<json::array_t&>().resize(limits::kMaxTensorElements + 1);
  try {
    scene_from_json(scene);
    ADD_FAILURE() << "accepted 4194305 input values";
  } catch (const SceneError& e) {
    EXPECT_STREQ(e.what(), "input: data has 4194305 values, more than the limit 4194304");
  }
}

// ---------------------------------------------------------------- optimizer

TEST(OptimizerErrors, UnknownTypeAndOutOfRangeHyperParameters) {
  const auto opt = [](const json& spec) { return with(base(), "/optimizer"_p, spec); };
  expect_error(opt({{"type", "rmsprop"}}), "optimizer: unknown optimizer type \"rmsprop\" (known: sgd, adam, adamw)");
  expect_error(opt({{"type", "sgd"}, {"lr", 0}}), "optimizer: lr 0 must be in (0");
  expect_error(opt({{"type", "sgd"}, {"lr", -0.1}}), "optimizer: lr -0.1 must be in (0");
  expect_error(opt({{"type", "sgd"}, {"lr", 1e-50}}), "optimizer: lr 1e-50 must be in (0");  // 0 in float32
  expect_error(opt({{"type", "adam"}, {"lr", 101}}), "optimizer: lr 101 must be in");
  expect_error(opt({{"type", "sgd"}, {"momentum", 1}}), "optimizer: momentum 1 must be in [0");
  expect_error(opt({{"type", "sgd"}, {"momentum", -0.1}}), "optimizer: momentum -0.1 must be in [0");
  expect_error(opt({{"type", "sgd"}, {"momentum", 0.9999999999}}), "optimizer: momentum 0.9999999999 must be in [0");
  expect_error(opt({{"type", "adam"}, {"beta1", 1}}), "optimizer: beta1 1 must be in [0");
  expect_error(opt({{"type", "adam"}, {"beta1", -0.5}}), "optimizer: beta1 -0.5 must be in [0");
  expect_error(opt({{"type", "adam"}, {"beta2", 1.5}}), "optimizer: beta2 1.5 must be in [0");
  expect_error(opt({{"type", "adam"}, {"eps", 0}}), "optimizer: eps 0 must be in (0");
  expect_error(opt({{"type", "adam"}, {"eps", 2}}), "optimizer: eps 2 must be in (0");
  EXPECT_NO_THROW(testing::model_from(opt({{"type", "sgd"}, {"lr", 100}, {"momentum", 0}})));
  EXPECT_NO_THROW(testing::model_from(opt({{"type", "adam"}, {"beta1", 0}, {"beta2", 0.5}, {"eps", 1}})));
}

// ---------------------------------------------------------------- round trips

json trace_without_history(const Model& model) {
  json t = trace(model);
  t.erase("loss_history");
  return t;
}

TEST(SceneRoundTrip, ClassicExampleThroughToSceneJsonGivesAnIdenticalTrace) {
  const Model original = Model::from_json(testing::read_text("examples/classic.json"));
  const Model copy = Model::from_json(original.to_scene_json().dump());
  EXPECT_TRUE(testing::same_json_text(testing::trace_text(copy), testing::trace_text(original)));
  EXPECT_TRUE(testing::same_json_text(copy.to_scene_json().dump(), original.to_scene_json().dump()));
}

TEST(SceneRoundTrip, TrainedModelWithEveryOptionSurvivesTheRoundTrip) {
  json scene = {
      {"title", "every option"},
      {"description", "round trip"},
      {"input", {{"shape", {2, 9, 11}}, {"data", testing::random_values(198, 3)}}},
      {"layers",
       {{{"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", {2, 3}}, {"stride", {2, 1}}, {"padding", {1, 2}},
         {"dilation", 2}},
        {{"type", "leaky_relu"}, {"negative_slope", 0.2}},
        {{"type", "avgpool2d"}, {"kernel_size", {2, 3}}, {"stride", {1, 2}}},
        {{"type", "maxpool2d"}, {"kernel_size", 2}, {"stride", 1}},
        {{"type", "flatten"}},
        {{"type", "dense"}, {"out_features", 4}},
        {{"type", "sigmoid"}},
        {{"type", "dense"}, {"out_features", 3}},
        {{"type", "softmax"}}}},
      {"loss", "cross_entropy"},
      {"target", 1},
      {"optimizer", {{"type", "adam"}, {"lr", 0.01}, {"beta1", 0.8}, {"beta2", 0.99}, {"eps", 1e-6}}},
      {"seed", 12345}};
  Model original = testing::model_from(scene);
  original.train(3);
  const json written = original.to_scene_json();
  EXPECT_EQ(written.at("version"), 1);
  EXPECT_EQ(written.at("title"), "every option");
  EXPECT_EQ(written.at("target"), 1);
  EXPECT_EQ(written.at("optimizer").at("type"), "adam");
  const Model copy = Model::from_json(written.dump());
  EXPECT_TRUE(testing::same_json_text(trace_without_history(copy).dump(), trace_without_history(original).dump()));
  EXPECT_TRUE(testing::same_json_text(copy.to_scene_json().dump(), written.dump()));
  EXPECT_EQ(copy.optimizer().beta2, 0.99);
  EXPECT_EQ(copy.optimizer().eps, 1e-6);
}

TEST(SceneRoundTrip, SceneToJsonThenParseIsStable) {
  const Scene first = parse_scene(testing::read_text("examples/classic.json"));
  const json once = scene_to_json(first);
  const json twice = scene_to_json(parse_scene(once.dump()));
  EXPECT_EQ(twice, once);
  EXPECT_EQ(once.at("layers").at(1).at("stride"), 2) << "a pool's default stride is written out";
  EXPECT_EQ(once.at("seed"), first.seed);
}

}  // namespace
}  // namespace cnnlens

namespace cnnlens {
namespace {

// ResNet-18 (torchvision's layout: 7x7 stem, max pool, four stages of two basic blocks, global
// pooling, fc) as a version-2 scene on a 32x32 colour input: within every limit.
nlohmann::json resnet18_scene() {
  using nlohmann::json;
  json nodes = json::array();
  auto add = [&](json node) { nodes.push_back(std::move(node)); };
  add({{"id", "conv1"}, {"type", "conv2d"}, {"out_channels", 64}, {"kernel_size", 7}, {"stride", 2}, {"padding", 3}});
  add({{"id", "bn1"}, {"type", "batchnorm2d"}});
  add({{"id", "relu"}, {"type", "relu"}});
  add({{"id", "maxpool"}, {"type", "maxpool2d"}, {"kernel_size", 3}, {"stride", 2}, {"padding", 1}});
  std::string last = "maxpool";
  int channels = 64;
  for (int stage = 1; stage <= 4; ++stage) {
    const int width = 64 << (stage - 1);
    for (int block = 0; block < 2; ++block) {
      const std::string p = "layer" + std::to_string(stage) + "." + std::to_string(block) + ".";
      const int stride = (stage > 1 && block == 0) ? 2 : 1;
      add({{"id", p + "conv1"}, {"type", "conv2d"}, {"inputs", {last}}, {"out_channels", width}, {"kernel_size", 3}, {"stride", stride}, {"padding", 1}});
      add({{"id", p + "bn1"}, {"type", "batchnorm2d"}});
      add({{"id", p + "relu1"}, {"type", "relu"}});
      add({{"id", p + "conv2"}, {"type", "conv2d"}, {"out_channels", width}, {"kernel_size", 3}, {"padding", 1}});
      add({{"id", p + "bn2"}, {"type", "batchnorm2d"}});
      std::string shortcut = last;
      if (stride != 1 || channels != width) {
        add({{"id", p + "downsample.0"}, {"type", "conv2d"}, {"inputs", {last}}, {"out_channels", width}, {"kernel_size", 1}, {"stride", stride}});
        add({{"id", p + "downsample.1"}, {"type", "batchnorm2d"}});
        shortcut = p + "downsample.1";
      }
      add({{"id", p + "add"}, {"type", "add"}, {"inputs", {p + "bn2", shortcut}}});
      add({{"id", p + "relu2"}, {"type", "relu"}});
      last = p + "relu2";
      channels = width;
    }
  }
  add({{"id", "avgpool"}, {"type", "global_avgpool2d"}});
  add({{"id", "flatten"}, {"type", "flatten"}});
  add({{"id", "fc"}, {"type", "dense"}, {"out_features", 10}});
  return {{"version", 2}, {"input", {{"shape", {1, 3, 32, 32}}, {"data", std::vector<float>(3 * 32 * 32, 0.5f)}}},
          {"nodes", nodes}, {"loss", "cross_entropy"}, {"target", {3}}};
}

TEST(SceneLimits, AResNet18On32x32ColourInputIsWithinEveryLimit) {
  const Scene scene = parse_scene(resnet18_scene().dump());
  const GraphShapes shapes = validate_scene(scene);
  EXPECT_EQ(scene.nodes.size(), 69u);  // stem 4, 8 blocks of 7, 3 downsamples of 2, head 3
  EXPECT_GT(shapes.parameters, 11'000'000u);  // torchvision's ResNet-18 with 10 classes: 11.18 M
  EXPECT_LT(shapes.parameters, 11'300'000u);
  EXPECT_LT(shapes.multiply_adds, limits::kMaxMultiplyAdds);
  EXPECT_EQ(shapes.outputs.back(), (Shape{1, 10}));
}

}  // namespace
}  // namespace cnnlens
