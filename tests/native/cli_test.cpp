// The `cnnlens trace SCENE.json [--steps N]` tool: exit codes, stdout/stderr split, output = core trace.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/model.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string quoted(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A file name unique to this process and test, so parallel ctest runs do not collide.
std::string scratch(const std::string& suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "cnnlens_cli_" + std::to_string(::getpid()) + "_" + info->name() + suffix;
}

// Runs the CLI with `args` (already quoted), capturing stdout and stderr separately.
CliRun run_cli(const std::string& args) {
  const std::string out_path = scratch(".out"), err_path = scratch(".err");
  const std::string command = quoted(testing::cli_path()) + " " + args + " >" + quoted(out_path) + " 2>" + quoted(err_path);
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out_path);
  run.err = slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return run;
}

// Writes `text` to a scratch scene file and returns its path (removed by the caller's guard).
struct SceneFile {
  explicit SceneFile(const std::string& text) : path(scratch(".json")) { std::ofstream(path, std::ios::binary) << text; }
  ~SceneFile() { std::remove(path.c_str()); }
  std::string path;
};

std::string classic_path() { return quoted(testing::source_path("examples/classic.json")); }

TEST(Cli, TraceOfTheClassicExamplePrintsJsonWithTheHandComputedFeatureMap) {
  const CliRun run = run_cli("trace " + classic_path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  ASSERT_FALSE(run.out.empty());
  EXPECT_EQ(run.out.back(), '\n');
  const json trace_json = json::parse(run.out);
  const json& conv = trace_json.at("layers").at(0);
  EXPECT_EQ(conv.at("type"), "conv2d");
  EXPECT_EQ(conv.at("output").at("shape"), json::array({2, 4, 4}));
  const std::vector<float> data = testing::floats(conv.at("output").at("data"));
  ASSERT_GE(data.size(), 4u);
  EXPECT_TRUE(testing::all_close({data[0], data[1], data[2], data[3]}, {3.0f, -1.0f, -3.0f, -1.0f}, 0.0, 0.0));
  EXPECT_TRUE(trace_json.at("loss_history").empty());
}

TEST(Cli, StepsOptionRecordsOneLossPerStep) {
  const CliRun run = run_cli("trace " + classic_path() + " --steps 3");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json trace_json = json::parse(run.out);
  EXPECT_EQ(trace_json.at("loss_history").size(), 3u);
}

TEST(Cli, OutputIsExactlyTheCoresTrace) {
  const CliRun run = run_cli("trace " + classic_path() + " --steps 3");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Model model = Model::from_json(testing::read_text("examples/classic.json"));
  const std::vector<float> losses = model.train(3);
  EXPECT_EQ(run.out, trace(model, losses).dump() + "\n");
}

TEST(Cli, InvalidSceneExitsWith2MessageOnStderrNothingOnStdout) {
  json scene = json::parse(testing::read_text("examples/classic.json"));
  scene["layers"][0]["kernel_size"] = 7;
  scene["layers"][0].erase("weight");
  const SceneFile file(scene.dump());
  const CliRun run = run_cli("trace " + quoted(file.path));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("layer 1 (conv2d): kernel_size 7x7 is larger than the padded input 6x6"), std::string::npos)
      << run.err;
}

TEST(Cli, TextThatIsNotJsonExitsWith2) {
  const SceneFile file("{ not json");
  const CliRun run = run_cli("trace " + quoted(file.path));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("not valid JSON"), std::string::npos) << run.err;
}

TEST(Cli, DivergingTrainingExitsWith2) {
  const SceneFile file(R"({"input": {"shape": [1], "data": [10]},
    "layers": [{"type": "dense", "out_features": 1, "weight": [0.5], "bias": [0]}],
    "loss": "mse", "target": [1], "optimizer": {"type": "sgd", "lr": 100}})");
  const CliRun run = run_cli("trace " + quoted(file.path) + " --steps 50");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("training stopped"), std::string::npos) << run.err;
}

TEST(Cli, UsageAndFileErrorsExitWith1) {
  for (const std::string& args : {std::string(""), std::string("trace"), std::string("inspect ") + classic_path(),
                                  "trace " + classic_path() + " --steps", "trace " + classic_path() + " --steps -1",
                                  "trace " + classic_path() + " --steps x", "trace " + classic_path() + " --verbose",
                                  std::string("trace /nonexistent/scene.json")}) {
    const CliRun run = run_cli(args);
    EXPECT_EQ(run.exit_code, 1) << args;
    EXPECT_EQ(run.out, "") << args;
    EXPECT_FALSE(run.err.empty()) << args;
  }
}

}  // namespace
}  // namespace cnnlens

namespace cnnlens {
namespace {

TEST(CliOnnx, ImportPrintsAVersion2SceneThatRunsAsItIs) {
  const CliRun run = run_cli("import " + cnnlens::quoted(testing::source_path("tests/fixtures/onnx/lenet5.onnx")));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty());
  const json scene = json::parse(run.out);
  EXPECT_EQ(scene.at("version"), 2);
  EXPECT_EQ(scene.at("loss"), "none");
  EXPECT_NO_THROW(Model::from_json(run.out));
}

TEST(CliOnnx, ImportOfAFileThatIsNotOnnxExitsWith2AndSaysWhy) {
  SceneFile not_onnx("this is not a protobuf");
  const CliRun run = run_cli("import " + cnnlens::quoted(not_onnx.path));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(run.out.empty());
  EXPECT_FALSE(run.err.empty());
}

TEST(CliOnnx, ExportThenImportGivesTheSameOutput) {
  const std::string onnx = scratch(".onnx");
  const CliRun exported = run_cli("export " + cnnlens::quoted(testing::source_path("tests/fixtures/graph/residual_block_batchnorm.json")) + " -o " + cnnlens::quoted(onnx));
  // The fixture file wraps its scene: export the scene itself.
  const json fixture = json::parse(testing::read_text("tests/fixtures/graph/residual_block_batchnorm.json"));
  SceneFile scene(fixture.at("scene").dump());
  const CliRun run = run_cli("export " + cnnlens::quoted(scene.path) + " -o " + cnnlens::quoted(onnx));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const CliRun back = run_cli("import " + cnnlens::quoted(onnx));
  std::remove(onnx.c_str());
  ASSERT_EQ(back.exit_code, 0) << back.err;
  Model original = Model::from_json(fixture.at("scene").dump());
  json imported = json::parse(back.out);
  imported["input"] = fixture.at("scene").at("input");
  imported["mode"] = fixture.at("scene").at("mode");
  Model again = Model::from_json(imported.dump());
  EXPECT_TRUE(testing::all_close(to_vector(again.output()), to_vector(original.output()), 1e-5, 1e-4));
  EXPECT_NE(exported.exit_code, 0) << "a fixture file is not a scene";
}

}  // namespace
}  // namespace cnnlens
