// The list of layer kinds, and its JSON form for the page. One line per kind: see README's
// "How to add a layer".
#include "cnnlens/registry.hpp"

#include <nlohmann/json.hpp>

#include "cnnlens/layers/add.hpp"
#include "cnnlens/layers/avgpool2d.hpp"
#include "cnnlens/layers/batchnorm1d.hpp"
#include "cnnlens/layers/batchnorm2d.hpp"
#include "cnnlens/layers/concat.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/conv_transpose2d.hpp"
#include "cnnlens/layers/dense.hpp"
#include "cnnlens/layers/elu.hpp"
#include "cnnlens/layers/flatten.hpp"
#include "cnnlens/layers/gelu.hpp"
#include "cnnlens/layers/dropout.hpp"
#include "cnnlens/layers/flatten.hpp"
#include "cnnlens/layers/global_avgpool2d.hpp"
#include "cnnlens/layers/global_maxpool2d.hpp"
#include "cnnlens/layers/leaky_relu.hpp"
#include "cnnlens/layers/log_softmax.hpp"
#include "cnnlens/layers/maxpool2d.hpp"
#include "cnnlens/layers/pad2d.hpp"
#include "cnnlens/layers/prelu.hpp"
#include "cnnlens/layers/relu.hpp"
#include "cnnlens/layers/relu6.hpp"
#include "cnnlens/layers/sigmoid.hpp"
#include "cnnlens/layers/softmax.hpp"
#include "cnnlens/layers/tanh.hpp"

namespace cnnlens {

const std::vector<const LayerKind*>& layer_kinds() {
  static const std::vector<const LayerKind*> kinds = {
      &conv2d_kind(),
      &maxpool2d_kind(),
      &avgpool2d_kind(),
      &flatten_kind(),
      &dense_kind(),
      &relu_kind(),
      &leaky_relu_kind(),
      &sigmoid_kind(),
      &tanh_kind(),
      &softmax_kind(),
      // kinds-b: convolution and activation kinds of version-2 scenes
      &conv_transpose2d_kind(),
      &pad2d_kind(),
      &elu_kind(),
      &gelu_kind(),
      &relu6_kind(),
      &prelu_kind(),
      &log_softmax_kind(),
      &batchnorm2d_kind(),
      &batchnorm1d_kind(),
      &dropout_kind(),
      &add_kind(),
      &concat_kind(),
      &global_avgpool2d_kind(),
      &global_maxpool2d_kind(),
  };
  return kinds;
}

const LayerKind* find_kind(const std::string& type) {
  for (const LayerKind* kind : layer_kinds()) {
    if (type == kind->type) return kind;
  }
  return nullptr;
}

std::string kind_names() {
  std::string names;
  for (const LayerKind* kind : layer_kinds()) names += (names.empty() ? "" : ", ") + std::string(kind->type);
  return names;
}

namespace {

const char* field_type_name(FieldType type) {
  switch (type) {
    case FieldType::kInt: return "int";
    case FieldType::kNumber: return "number";
    case FieldType::kPair: return "pair";
    case FieldType::kPadding: return "padding";
    case FieldType::kChoice: return "choice";
    case FieldType::kBool: return "bool";
  }
  return "int";
}

}  // namespace

nlohmann::json layer_kinds_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const LayerKind* kind : layer_kinds()) {
    nlohmann::json fields = nlohmann::json::array();
    for (const FieldSpec& f : kind->fields) {
      nlohmann::json field = {{"name", f.name}, {"type", field_type_name(f.type)}};
      if (!f.default_value.is_null()) field["default"] = f.default_value;
      if (!f.default_from.empty()) field["default_from"] = f.default_from;
      if (f.default_value.is_null() && f.default_from.empty()) field["required"] = true;
      if (f.type == FieldType::kChoice) {
        field["choices"] = f.choices;
      } else if (f.type != FieldType::kBool) {
        field["min"] = f.min;
        field["max"] = f.max;
      }
      fields.push_back(field);
    }
    out.push_back({{"type", kind->type},
                   {"title", kind->title},
                   {"pytorch", kind->pytorch},
                   {"onnx", kind->onnx},
                   {"help", kind->help_key},
                   {"min_inputs", kind->min_inputs},
                   {"max_inputs", kind->max_inputs},
                   {"elementwise", kind->elementwise},
                   {"fields", fields},
                   {"tensors", kind->tensor_names}});
  }
  return out;
}

}  // namespace cnnlens
