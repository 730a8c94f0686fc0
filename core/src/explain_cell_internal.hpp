// What the explain_cell*.cpp files share (internal to the core): cell references, the sum builder
// that writes a record's terms, the per-call context and the record header. Each family file
// (activations, dense, pooling, convolution, normalisation, copies) exposes one function that
// explains the cells of its kinds and returns nothing for kinds it does not know.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cnnlens/layers/avgpool2d.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/maxpool2d.hpp"
#include "cnnlens/model.hpp"

namespace cnnlens::explain_detail {

using nlohmann::json;

constexpr int kNoRef = -2;  // a term factor with no cell behind it (a constant, zero padding)

// A cell of a node-local tensor; sample -1 for parameters. `tensor` points at a string literal.
struct Ref {
  int node = kNoRef;
  const char* tensor = "";
  long sample = -1;
  std::size_t index = 0;
};

json ref_json(const Ref& r);

struct Term {
  double a, b, product;
  Ref a_ref, b_ref;
  bool padding = false;               // the factor read the zero padding
  bool outside = false;               // the tap lies outside the map (zero padding or a copied cell) ...
  std::array<int, 2> position{0, 0};  // ... at this padded (row, col)
  void place_outside(int row, int col) {
    outside = true;
    position = {row, col};
  }
};

// Collects every term of one sum, then writes the record's sum fields: non-zero products first
// (the largest `max_terms` when there are more, kept in their natural order), zero terms shown
// only when the whole sum fits, the rest counted.
class SumBuilder {
 public:
  explicit SumBuilder(std::size_t reserve = 0) { terms_.reserve(reserve); }
  Term& add(double a, const Ref& a_ref, double b, const Ref& b_ref, bool padding = false) {
    terms_.push_back({a, b, a * b, a_ref, b_ref, padding, false, {0, 0}});
    return terms_.back();
  }
  std::size_t size() const { return terms_.size(); }
  const std::vector<Term>& terms() const { return terms_; }  // in the natural order they were added
  double total(double constant = 0.0) const {                // constant + every product, in order
    double sum = constant;
    for (const Term& t : terms_) sum += t.product;
    return sum;
  }
  void write(json& record, std::size_t max_terms, double constant = 0.0) const;

 private:
  std::vector<Term> terms_;
};

// Per-sample view of a batch-first tensor.
inline std::size_t sample_size(const Tensor& t) {
  return t.dimension() == 0 || t.shape()[0] == 0 ? 0 : t.size() / t.shape()[0];
}
inline float cell(const Tensor& t, std::size_t sample, std::size_t index) {
  return t.data()[sample * sample_size(t) + index];
}

// [C, H, W] sizes of a batch-first map.
struct Map3 {
  int c, h, w;
  std::size_t at(int ch, int r, int s) const {
    return (std::size_t(ch) * std::size_t(h) + std::size_t(r)) * std::size_t(w) + std::size_t(s);
  }
  int channel(std::size_t k) const { return int(k) / (h * w); }
  int row(std::size_t k) const { return (int(k) / w) % h; }
  int col(std::size_t k) const { return int(k) % w; }
};
inline Map3 map_of(const Tensor& t) { return {int(t.shape()[1]), int(t.shape()[2]), int(t.shape()[3])}; }

struct Context {
  const Model& model;
  std::size_t node;
  std::size_t sample;
  std::size_t index;
  std::size_t max_terms;
  int n() const { return int(node); }
  Ref at(const char* tensor, std::size_t i) const { return {int(node), tensor, long(sample), i}; }
  Ref at(const char* tensor, std::size_t s, std::size_t i) const { return {int(node), tensor, long(s), i}; }
  Ref param(const char* tensor, std::size_t i) const { return {int(node), tensor, -1, i}; }
};

// The record header: kind, formula, cell, type, node_id, value.
json record(const Context& c, const char* kind, const std::string& formula, const char* tensor, double value,
            bool is_param = false);

// "input", "input.1", ...: the name of input slot `slot` (and "grad_input..." alike), valid for
// the life of the program like a string literal.
// Throws no_loss for a scene without a loss: it never runs the backward pass, so its gradient
// tensors stay empty and a gradient's sum would read past them (explain_cell.cpp).
void require_loss(const Model& model, const NodeView& node);

const char* input_name(std::size_t slot);
const char* grad_input_name(std::size_t slot);
// The slot a tensor name like "grad_input.2" or "input" names, or -1.
int slot_of(const std::string& tensor, const char* base);

// --- the families: each explains `tensor` of the context's node, or returns nothing ---------------
std::optional<json> explain_activation(const Context& c, const std::string& tensor);     // explain_cell_activation.cpp
std::optional<json> explain_dense(const Context& c, const std::string& tensor);          // explain_cell_dense.cpp
std::optional<json> explain_pooling(const Context& c, const std::string& tensor);        // explain_cell_pool.cpp
std::optional<json> explain_convolution(const Context& c, const std::string& tensor);    // explain_cell_conv.cpp
std::optional<json> explain_normalization(const Context& c, const std::string& tensor);  // explain_cell_norm.cpp
std::optional<json> explain_copies(const Context& c, const std::string& tensor);         // explain_cell_copy.cpp

// --- the sums explain.cpp's older calls wrap (natural order, every term) --------------------------
// conv2d output cell c.index of sample c.sample: weight x input taps (a = weight, b = input).
SumBuilder conv_output_terms(const Context& c, const Conv2d& conv);
// conv2d grad_input cell: weight x upstream gradient (a = weight, b = grad_output), in (o, r, s, i, j) order.
SumBuilder conv_input_grad_terms(const Context& c, const Conv2d& conv);
// conv2d weight.grad cell c.index over samples [first, last): input x upstream (a = input, b = grad_output).
SumBuilder conv_weight_grad_terms(const Context& c, const Conv2d& conv, std::size_t first, std::size_t last);
// The input cells a pooled output cell's window covers (padding left out), and the winner's place in
// it (max pooling; -1 otherwise).
struct PoolWindow {
  std::vector<std::size_t> cells;
  int winner = -1;
};
PoolWindow pool_window(const Context& c, const MaxPool2d* max_pool, const AvgPool2d* avg_pool);

}  // namespace cnnlens::explain_detail
