// The part of an ONNX model the importer reads, decoded from protobuf bytes with protozero into
// plain structs (field numbers from onnx.proto). Decoding checks sizes before allocating and turns
// every wire-format problem into a SceneError; it knows nothing about ops (onnx_import.cpp does).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cnnlens::onnx {

// TensorProto.DataType values the importer meets.
enum DataType : int {
  kUndefined = 0, kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7,
  kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUint32 = 12, kUint64 = 13, kBfloat16 = 16,
};
const char* data_type_name(int type);

// A constant tensor: float32 values in `floats`, integer ones (int64, int32, bool) in `ints`.
struct Tensor {
  std::string name;
  std::vector<std::int64_t> dims;
  int data_type = kUndefined;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  bool is_float() const { return data_type == kFloat; }
  std::size_t size() const;  // product of dims (1 for a scalar)
};

// AttributeProto.AttributeType values.
enum AttributeType : int { kAttrFloat = 1, kAttrInt = 2, kAttrString = 3, kAttrTensor = 4, kAttrFloats = 6, kAttrInts = 7 };

struct Attribute {
  std::string name;
  int type = 0;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  std::vector<Tensor> t;  // zero or one
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
};

struct Node {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<Attribute> attributes;
  const Attribute* attribute(const std::string& name) const;  // null if absent
};

// A graph input or output: its element type and dims (-1 where symbolic or missing).
struct ValueInfo {
  std::string name;
  int elem_type = kUndefined;
  bool has_shape = false;
  std::vector<std::int64_t> dims;
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<Tensor> initializers;
  std::vector<ValueInfo> inputs, outputs;
  bool has_sparse_initializers = false;
};

struct Model {
  std::int64_t ir_version = 0;
  std::map<std::string, std::int64_t> opsets;  // domain ("" for ai.onnx) -> version
  Graph graph;
  bool has_graph = false;
  bool has_functions = false;
};

// Decodes a ModelProto. Throws SceneError ("onnx_malformed", "onnx_too_large", "onnx_external_data",
// "onnx_element_type") before allocating anything past the limits.
Model decode_model(const std::string& bytes);

}  // namespace cnnlens::onnx
