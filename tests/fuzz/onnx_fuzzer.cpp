// libFuzzer target over the ONNX reader (protobuf decoding, graph folding, op mapping): every input
// must either import or fail with SceneError. An imported scene must be written as JSON text,
// parse back as the same scene, run (when small), and survive export + import with the same kinds.
// Any other exception, any crash, leak or undefined behaviour is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/model.hpp"
#include "cnnlens/onnx.hpp"

namespace {

// Imported scenes costing more multiply-adds than this are not run, so each input stays fast.
constexpr std::uint64_t kMaxRunCost = 200'000;

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cnnlens::Scene scene;
  try {
    scene = cnnlens::import_onnx(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const cnnlens::SceneError&) {
    return 0;
  }
  // What `cnnlens import` prints (strict UTF-8) must be a scene the core reads back unchanged.
  const std::string text = cnnlens::scene_to_json(scene).dump();
  const cnnlens::Scene again = cnnlens::parse_scene(text);
  check(cnnlens::scene_to_json(again).dump() == text);

  if (cnnlens::validate_scene(scene).multiply_adds * scene.batch_size() <= kMaxRunCost) {
    cnnlens::Model model(scene);
    (void)cnnlens::trace(model).dump();
  }

  // Export must write what it imported (circular padding cannot come from ONNX), and read back.
  const cnnlens::Scene back = cnnlens::import_onnx(cnnlens::export_onnx(scene));
  check(back.nodes.size() == scene.nodes.size());
  for (std::size_t k = 0; k < scene.nodes.size(); ++k) check(back.nodes[k].type == scene.nodes[k].type);
  return 0;
}
