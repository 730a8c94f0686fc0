// ONNX import and export: a model file (ModelProto bytes) becomes a version-2 scene that runs as it
// is, and a scene becomes an ONNX model (opset 15). docs/onnx.md is the contract: the ops read, how
// names map, what is folded and what is refused. Every failure throws SceneError with a message
// that names the op type, the node and, for an unsupported op, the list of supported ops.
#pragma once

#include <cstddef>
#include <string>

#include "cnnlens/scene.hpp"

namespace cnnlens {

namespace limits {
constexpr std::size_t kMaxOnnxBytes = 64u << 20;  // a model file larger than this is refused unread
}

// Reads an ONNX model (the bytes of a .onnx file). The scene has the graph input's shape (batch 1
// where it is symbolic) filled with zeros, loss "none", SGD with lr 0.01, and mode "train" when a
// BatchNormalization or Dropout node is in training mode, else "eval".
Scene import_onnx(const std::string& bytes);

// The ops import_onnx reads, comma separated, for messages and docs.
std::string onnx_supported_ops();

// Writes a version-2 scene as an ONNX model (opset 15, IR version 8): every parameter and saved
// buffer as an initializer under its kept name (or "<node id>.<tensor>"), the input's shape with
// its batch. Throws SceneError for what opset 15 cannot express (circular padding).
std::string export_onnx(const Scene& scene);

}  // namespace cnnlens
