// NodeSpec's typed field accessors and error helper, and the shape helpers the kinds share.
#include "cnnlens/kind.hpp"

namespace cnnlens {

int NodeSpec::integer(const std::string& field) const { return fields.at(field).get<int>(); }

double NodeSpec::number(const std::string& field) const { return fields.at(field).get<double>(); }

Pair NodeSpec::pair(const std::string& field) const {
  const nlohmann::json& v = fields.at(field);
  return {v.at(0).get<int>(), v.at(1).get<int>()};
}

Padding4 NodeSpec::padding(const std::string& field) const {
  const nlohmann::json& v = fields.at(field);
  return {v.at(0).get<int>(), v.at(1).get<int>(), v.at(2).get<int>(), v.at(3).get<int>()};
}

const std::string& NodeSpec::choice(const std::string& field) const {
  return fields.at(field).get_ref<const std::string&>();
}

bool NodeSpec::flag(const std::string& field) const { return fields.at(field).get<bool>(); }

std::string NodeSpec::label() const {
  return from_v1 ? "layer " + std::to_string(position) + " (" + type + ")" : "node " + id + " (" + type + ")";
}

// A chain (version-1) layer is named by its 1-based position, as the page's cards number it; a
// graph node by its id (its position in the list means nothing to a reader of the graph).
ErrorPlace NodeSpec::place(const std::string& field) const { return {id, from_v1 ? position : 0, type, field}; }

void NodeSpec::fail(const std::string& code, const std::string& field, nlohmann::json details,
                    const std::string& message) const {
  throw SceneError(code, place(field), std::move(details), label() + ": " + message);
}

std::string pair_text(const Pair& p) { return std::to_string(p.h) + "x" + std::to_string(p.w); }

std::uint64_t output_elements(const NodeSpec&, const InputShapes&, const Shape& output) {
  std::uint64_t n = 1;
  for (std::size_t k = 1; k < output.size(); ++k) n *= output[k];
  return n;
}

Shape same_shape(const NodeSpec&, const InputShapes& inputs) { return inputs.at(0); }

void require_map(const NodeSpec& node, const Shape& input) {
  if (input.size() != 4) {
    const Shape sample(input.begin() + 1, input.end());
    node.fail("needs_map", "inputs", {{"got", sample}},
              "needs a [C, H, W] input but gets a vector of " + std::to_string(element_count(sample)) +
                  " values (2-D layers must come before flatten)");
  }
}

void require_vector(const NodeSpec& node, const Shape& input) {
  if (input.size() != 2) {
    const Shape sample(input.begin() + 1, input.end());
    node.fail("needs_vector", "inputs", {{"got", sample}},
              "needs a 1-D input but gets " + shape_to_string(sample) + " (add a flatten layer before it)");
  }
}

void require_groups_divide(const NodeSpec& node, int in_channels) {
  const int groups = node.integer("groups"), outs = node.integer("out_channels");
  if (in_channels % groups != 0 || outs % groups != 0) {
    node.fail("groups_mismatch", "groups", {{"groups", groups}, {"in_channels", in_channels}, {"out_channels", outs}},
              "groups " + std::to_string(groups) + " must divide both the input's " + std::to_string(in_channels) +
                  " channels and out_channels " + std::to_string(outs));
  }
}

}  // namespace cnnlens
