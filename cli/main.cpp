// cnnlens trace SCENE.json [--steps N]: runs N training steps on the scene's sample, then one
// more forward and backward pass, and prints the trace (docs/scene-format.md) as JSON.
// cnnlens import MODEL.onnx: prints the model as a version-2 scene (docs/onnx.md).
// cnnlens export SCENE.json -o MODEL.onnx: writes the scene as an ONNX model (opset 15).
// Exit codes: 0 ok, 1 usage or I/O error, 2 invalid scene or model (message on stderr, nothing on stdout).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/json_text.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/onnx.hpp"
#include "cnnlens/scene.hpp"

namespace {

constexpr const char* kUsage =
    "usage: cnnlens trace SCENE.json [--steps N]\n"
    "       cnnlens import MODEL.onnx\n"
    "       cnnlens export SCENE.json -o MODEL.onnx\n";

bool read_file(const std::string& path, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::stringstream text;
  text << file.rdbuf();
  out = text.str();
  return true;
}

int import_command(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << kUsage;
    return 1;
  }
  std::string bytes;
  if (!read_file(argv[2], bytes)) {
    std::cerr << "cnnlens: cannot read " << argv[2] << "\n";
    return 1;
  }
  try {
    std::cout << cnnlens::to_json_text(cnnlens::scene_to_json(cnnlens::import_onnx(bytes))) << "\n";
  } catch (const cnnlens::SceneError& e) {
    std::cerr << "cnnlens: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

bool parse_steps(const std::string& text, int& steps) {
  if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  steps = std::stoi(text);
  return steps <= 1'000'000;  // Model::train's limit: more is a usage error, not a bad scene
}

int export_command(int argc, char** argv) {
  if (argc != 5 || std::string(argv[3]) != "-o") {
    std::cerr << kUsage;
    return 1;
  }
  std::string text;
  if (!read_file(argv[2], text)) {
    std::cerr << "cnnlens: cannot read " << argv[2] << "\n";
    return 1;
  }
  std::string bytes;
  try {
    bytes = cnnlens::export_onnx(cnnlens::parse_scene(text));
  } catch (const cnnlens::SceneError& e) {
    std::cerr << "cnnlens: " << e.what() << "\n";
    return 2;
  }
  std::ofstream out(argv[4], std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) {
    std::cerr << "cnnlens: cannot write " << argv[4] << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "import") return import_command(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "export") return export_command(argc, argv);
  if (argc < 3 || std::string(argv[1]) != "trace") {
    std::cerr << kUsage;
    return 1;
  }
  const std::string path = argv[2];
  int steps = 0;
  for (int k = 3; k < argc; ++k) {
    const std::string arg = argv[k];
    if (arg == "--steps" && k + 1 < argc && parse_steps(argv[k + 1], steps)) {
      ++k;
    } else {
      std::cerr << "cnnlens: bad argument \"" << arg << "\"\n" << kUsage;
      return 1;
    }
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "cnnlens: cannot read " << path << "\n";
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  try {
    cnnlens::Model model = cnnlens::Model::from_json(text.str());
    const std::vector<float> losses = model.train(steps);
    std::cout << cnnlens::trace(model, losses).dump() << "\n";
  } catch (const cnnlens::SceneError& e) {
    std::cerr << "cnnlens: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
