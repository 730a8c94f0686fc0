// Decoding ONNX's protobuf messages with protozero into the structs of onnx_proto.hpp. Field
// numbers are onnx.proto's. Every getter is called only after its wire type was checked (protozero
// asserts on a mismatch), repeated scalars are read both packed and unpacked, and every count is
// checked against the limits before a vector is sized from it.
#include "onnx_proto.hpp"

#include <cstring>
#include <limits>

#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>
#include <protozero/varint.hpp>

#include "cnnlens/error.hpp"
#include "cnnlens/limits.hpp"
#include "cnnlens/onnx.hpp"

namespace cnnlens::onnx {
namespace {

using protozero::pbf_reader;
using protozero::pbf_wire_type;

constexpr std::size_t kMaxDims = 8;
constexpr std::size_t kMaxAttributeValues = 1u << 20;

[[noreturn]] void malformed(const std::string& what) {
  throw SceneError("onnx_malformed", {}, {{"reason", what}}, "the ONNX file is malformed: " + what);
}

// The next field of a message. protozero 1.7.1 compares a field's length with the bytes left as a
// ptrdiff_t: on wasm32 a length of 2 GB or more turns negative, passes the check, and the reader
// runs off the buffer (found by tests/node/onnx-fuzz.test.mjs). So every length-delimited field's
// length is checked here first, on every target, before protozero reads or skips it.
bool next_field(pbf_reader& r) {
  if (!r.next()) return false;
  if (r.wire_type() == pbf_wire_type::length_delimited) {
    const protozero::data_view rest = r.data();
    const char* p = rest.data();
    const char* end = p + rest.size();
    const std::uint64_t length = protozero::decode_varint(&p, end);
    if (length > std::uint64_t(end - p)) throw protozero::end_of_buffer_exception{};
  }
  return true;
}

// Protobuf strings are UTF-8; names go into JSON text, so anything else is refused here.
bool valid_utf8(const std::string& s) {
  std::size_t k = 0;
  while (k < s.size()) {
    const auto c = static_cast<unsigned char>(s[k]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) { ++k; continue; }
    if ((c & 0xe0) == 0xc0) { extra = 1; code = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; code = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; code = c & 0x07; }
    else return false;
    if (k + extra >= s.size()) return false;  // cut short
    for (std::size_t j = 1; j <= extra; ++j) {
      const auto d = static_cast<unsigned char>(s[k + j]);
      if ((d & 0xc0) != 0x80) return false;
      code = (code << 6) | (d & 0x3f);
    }
    // overlong forms, surrogates and values past U+10FFFF
    if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000) ||
        (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
      return false;
    }
    k += extra + 1;
  }
  return true;
}

void expect_wire(const pbf_reader& r, pbf_wire_type type, const char* field) {
  if (r.wire_type() != type) malformed(std::string("field ") + field + " has the wrong wire type");
}

std::string read_string(pbf_reader& r, const char* field) {
  expect_wire(r, pbf_wire_type::length_delimited, field);
  std::string text = r.get_string();
  if (!valid_utf8(text)) malformed(std::string("field ") + field + " is not valid UTF-8");
  return text;
}

pbf_reader read_message(pbf_reader& r, const char* field) {
  expect_wire(r, pbf_wire_type::length_delimited, field);
  return r.get_message();
}

std::int64_t read_int(pbf_reader& r, const char* field) {
  expect_wire(r, pbf_wire_type::varint, field);
  return r.get_int64();
}

// A repeated int64/int32 field, packed or not, appended to `out` up to `max` values.
void read_ints(pbf_reader& r, std::vector<std::int64_t>& out, std::size_t max, const char* field) {
  if (r.wire_type() == pbf_wire_type::varint) {
    out.push_back(r.get_int64());
  } else if (r.wire_type() == pbf_wire_type::length_delimited) {
    for (std::int64_t v : r.get_packed_int64()) {
      if (out.size() >= max) malformed(std::string(field) + " has more values than the limit");
      out.push_back(v);
    }
  } else {
    malformed(std::string("field ") + field + " has the wrong wire type");
  }
  if (out.size() > max) malformed(std::string(field) + " has more values than the limit");
}

void read_floats(pbf_reader& r, std::vector<float>& out, std::size_t max, const char* field) {
  if (r.wire_type() == pbf_wire_type::fixed32) {
    out.push_back(r.get_float());
  } else if (r.wire_type() == pbf_wire_type::length_delimited) {
    const auto range = r.get_packed_float();
    if (out.size() + range.size() > max) malformed(std::string(field) + " has more values than the limit");
    out.insert(out.end(), range.begin(), range.end());
  } else {
    malformed(std::string("field ") + field + " has the wrong wire type");
  }
  if (out.size() > max) malformed(std::string(field) + " has more values than the limit");
}

std::size_t element_size(int type) {
  switch (type) {
    case kFloat: case kInt32: case kUint32: return 4;
    case kInt64: case kUint64: case kDouble: return 8;
    case kUint8: case kInt8: case kBool: return 1;
    case kUint16: case kInt16: case kFloat16: case kBfloat16: return 2;
    default: return 0;
  }
}

bool is_integer_type(int type) {
  return type == kInt64 || type == kInt32 || type == kBool || type == kUint8 || type == kInt8 || type == kInt16 ||
         type == kUint16 || type == kUint32;
}

// Product of dims, refusing negative dims and anything past the parameter limit.
std::size_t checked_count(const std::vector<std::int64_t>& dims, const std::string& name) {
  std::size_t count = 1;
  for (std::int64_t d : dims) {
    if (d < 0) malformed("tensor \"" + name + "\" has a negative dimension");
    if (d != 0 && count > limits::kMaxParameters / std::size_t(d)) {
      throw SceneError("onnx_too_large", {}, {{"tensor", name}, {"max", limits::kMaxParameters}},
                       "tensor \"" + name + "\" has more than " + std::to_string(limits::kMaxParameters) +
                           " elements, the core's parameter limit");
    }
    count *= std::size_t(d);
  }
  return count;
}

std::int64_t read_raw_int(const char* p, int type) {
  switch (type) {
    case kInt64: case kUint64: { std::int64_t v; std::memcpy(&v, p, 8); return v; }
    case kInt32: { std::int32_t v; std::memcpy(&v, p, 4); return v; }
    case kUint32: { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
    case kInt16: { std::int16_t v; std::memcpy(&v, p, 2); return v; }
    case kUint16: { std::uint16_t v; std::memcpy(&v, p, 2); return v; }
    case kInt8: return static_cast<std::int8_t>(*p);
    default: return static_cast<unsigned char>(*p);  // uint8, bool
  }
}

Tensor decode_tensor(pbf_reader r) {
  Tensor t;
  protozero::data_view raw;
  bool has_raw = false;
  std::vector<float> float_data;
  std::vector<std::int64_t> int_data;
  bool external = false;
  while (next_field(r)) {
    switch (r.tag()) {
      case 1: read_ints(r, t.dims, kMaxDims, "TensorProto.dims"); break;
      case 2: t.data_type = int(read_int(r, "TensorProto.data_type")); break;
      case 4: read_floats(r, float_data, limits::kMaxParameters, "TensorProto.float_data"); break;
      case 5: read_ints(r, int_data, limits::kMaxParameters, "TensorProto.int32_data"); break;
      case 7: read_ints(r, int_data, limits::kMaxParameters, "TensorProto.int64_data"); break;
      case 8: t.name = read_string(r, "TensorProto.name"); break;
      case 9:
        expect_wire(r, pbf_wire_type::length_delimited, "TensorProto.raw_data");
        raw = r.get_view();
        has_raw = true;
        break;
      case 13: external = true; r.skip(); break;
      case 14: external = external || read_int(r, "TensorProto.data_location") == 1; break;
      default: r.skip();
    }
  }
  if (external) {
    throw SceneError("onnx_external_data", {}, {{"tensor", t.name}},
                     "tensor \"" + t.name + "\" keeps its data in an external file; save the model with its weights "
                     "inside (onnx.save(model, path, save_as_external_data=False))");
  }
  const std::size_t count = checked_count(t.dims, t.name);
  const std::size_t size = element_size(t.data_type);
  if (has_raw) {
    if (size == 0 || raw.size() != count * size) {
      malformed("tensor \"" + t.name + "\" has " + std::to_string(raw.size()) + " bytes of data for " +
                std::to_string(count) + " elements of type " + data_type_name(t.data_type));
    }
  }
  if (t.data_type == kFloat) {
    if (has_raw) {
      t.floats.resize(count);
      if (count) std::memcpy(t.floats.data(), raw.data(), count * 4);  // little-endian on every target we build
    } else {
      if (float_data.size() != count) malformed("tensor \"" + t.name + "\" has " + std::to_string(float_data.size()) + " values for " + std::to_string(count) + " elements");
      t.floats = std::move(float_data);
    }
  } else if (is_integer_type(t.data_type)) {
    if (has_raw) {
      t.ints.resize(count);
      for (std::size_t k = 0; k < count; ++k) t.ints[k] = read_raw_int(raw.data() + k * size, t.data_type);
    } else {
      if (int_data.size() != count) malformed("tensor \"" + t.name + "\" has " + std::to_string(int_data.size()) + " values for " + std::to_string(count) + " elements");
      t.ints = std::move(int_data);
    }
    if (t.data_type != kInt64) t.data_type = kInt64;  // every integer constant is read as int64
  }
  // Other element types keep no data: the importer refuses them where they are used.
  return t;
}

Attribute decode_attribute(pbf_reader r) {
  Attribute a;
  while (next_field(r)) {
    switch (r.tag()) {
      case 1: a.name = read_string(r, "AttributeProto.name"); break;
      case 20: a.type = int(read_int(r, "AttributeProto.type")); break;
      case 2: expect_wire(r, pbf_wire_type::fixed32, "AttributeProto.f"); a.f = r.get_float(); break;
      case 3: a.i = read_int(r, "AttributeProto.i"); break;
      case 4: a.s = read_string(r, "AttributeProto.s"); break;
      case 5: a.t.clear(); a.t.push_back(decode_tensor(read_message(r, "AttributeProto.t"))); break;
      case 7: read_floats(r, a.floats, kMaxAttributeValues, "AttributeProto.floats"); break;
      case 8: read_ints(r, a.ints, kMaxAttributeValues, "AttributeProto.ints"); break;
      default: r.skip();  // graphs, strings, sparse tensors, types: no op we read uses them
    }
  }
  return a;
}

Node decode_node(pbf_reader r) {
  Node n;
  while (next_field(r)) {
    switch (r.tag()) {
      case 1: n.inputs.push_back(read_string(r, "NodeProto.input")); break;
      case 2: n.outputs.push_back(read_string(r, "NodeProto.output")); break;
      case 3: n.name = read_string(r, "NodeProto.name"); break;
      case 4: n.op_type = read_string(r, "NodeProto.op_type"); break;
      case 5: n.attributes.push_back(decode_attribute(read_message(r, "NodeProto.attribute"))); break;
      case 7: n.domain = read_string(r, "NodeProto.domain"); break;
      default: r.skip();
    }
  }
  return n;
}

// ValueInfoProto -> TypeProto (2) -> tensor_type (1) -> elem_type (1), shape (2) -> dim (1).
ValueInfo decode_value_info(pbf_reader r) {
  ValueInfo v;
  while (next_field(r)) {
    if (r.tag() == 1) {
      v.name = read_string(r, "ValueInfoProto.name");
    } else if (r.tag() == 2) {
      pbf_reader type = read_message(r, "ValueInfoProto.type");
      while (next_field(type)) {
        if (type.tag() != 1) { type.skip(); continue; }
        pbf_reader tensor = read_message(type, "TypeProto.tensor_type");
        while (next_field(tensor)) {
          if (tensor.tag() == 1) {
            v.elem_type = int(read_int(tensor, "TypeProto.Tensor.elem_type"));
          } else if (tensor.tag() == 2) {
            v.has_shape = true;
            pbf_reader shape = read_message(tensor, "TypeProto.Tensor.shape");
            while (next_field(shape)) {
              if (shape.tag() != 1) { shape.skip(); continue; }
              if (v.dims.size() >= kMaxDims) malformed("value \"" + v.name + "\" has more than 8 dimensions");
              pbf_reader dim = read_message(shape, "TensorShapeProto.dim");
              std::int64_t value = -1;
              while (next_field(dim)) {
                if (dim.tag() == 1) value = read_int(dim, "Dimension.dim_value");
                else dim.skip();
              }
              v.dims.push_back(value < 0 ? -1 : value);
            }
          } else {
            tensor.skip();
          }
        }
      }
    } else {
      r.skip();
    }
  }
  return v;
}

Graph decode_graph(pbf_reader r) {
  Graph g;
  while (next_field(r)) {
    switch (r.tag()) {
      case 1: g.nodes.push_back(decode_node(read_message(r, "GraphProto.node"))); break;
      case 5: g.initializers.push_back(decode_tensor(read_message(r, "GraphProto.initializer"))); break;
      case 11: g.inputs.push_back(decode_value_info(read_message(r, "GraphProto.input"))); break;
      case 12: g.outputs.push_back(decode_value_info(read_message(r, "GraphProto.output"))); break;
      case 15: g.has_sparse_initializers = true; r.skip(); break;
      default: r.skip();
    }
  }
  return g;
}

}  // namespace

const char* data_type_name(int type) {
  switch (type) {
    case kFloat: return "float32";
    case kUint8: return "uint8";
    case kInt8: return "int8";
    case kUint16: return "uint16";
    case kInt16: return "int16";
    case kInt32: return "int32";
    case kInt64: return "int64";
    case kString: return "string";
    case kBool: return "bool";
    case kFloat16: return "float16";
    case kDouble: return "float64";
    case kUint32: return "uint32";
    case kUint64: return "uint64";
    case kBfloat16: return "bfloat16";
    default: return "an unknown type";
  }
}

std::size_t Tensor::size() const {
  std::size_t n = 1;
  for (std::int64_t d : dims) n *= std::size_t(d);
  return n;
}

const Attribute* Node::attribute(const std::string& attr_name) const {
  for (const Attribute& a : attributes) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

Model decode_model(const std::string& bytes) {
  if (bytes.size() > limits::kMaxOnnxBytes) {
    throw SceneError("onnx_too_large", {}, {{"megabytes", bytes.size() >> 20}, {"max", limits::kMaxOnnxBytes >> 20}},
                     "the ONNX file is " + std::to_string(bytes.size() >> 20) + " MB, more than the limit of " +
                         std::to_string(limits::kMaxOnnxBytes >> 20) + " MB");
  }
  if (bytes.empty()) malformed("the file is empty");
  Model m;
  try {
    pbf_reader r(bytes.data(), bytes.size());
    while (next_field(r)) {
      switch (r.tag()) {
        case 1: m.ir_version = read_int(r, "ModelProto.ir_version"); break;
        case 7: m.graph = decode_graph(read_message(r, "ModelProto.graph")); m.has_graph = true; break;
        case 8: {
          pbf_reader opset = read_message(r, "ModelProto.opset_import");
          std::string domain;
          std::int64_t version = 0;
          while (next_field(opset)) {
            if (opset.tag() == 1) domain = read_string(opset, "OperatorSetIdProto.domain");
            else if (opset.tag() == 2) version = read_int(opset, "OperatorSetIdProto.version");
            else opset.skip();
          }
          if (domain == "ai.onnx") domain.clear();
          m.opsets[domain] = version;
          break;
        }
        case 25: m.has_functions = true; r.skip(); break;
        default: r.skip();
      }
    }
  } catch (const protozero::exception& e) {
    malformed(std::string("protobuf decoding failed (") + e.what() + "); the file may be truncated or not an ONNX model");
  }
  if (!m.has_graph) malformed("it has no graph; the file may be truncated or not an ONNX model");
  return m;
}

}  // namespace cnnlens::onnx
