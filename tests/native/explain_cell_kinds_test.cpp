// explain_cell for the graph kinds: batch norm (train and eval), depthwise and grouped conv,
// transposed conv, dropout, add, concat, global pools, pad2d, the newer activations, and edges
// read by several nodes. Every record is checked against the model's own tensors: its value is the
// tensor's cell, its arithmetic gives that value, and every cell it names holds the number it shows.
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/explain_cell.hpp"
#include "cnnlens/model.hpp"
#include "test_support.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

bool close(double a, double b, double tol = 1e-5) { return std::fabs(a - b) <= tol * (1.0 + std::fabs(b)); }

// The number a cell reference points at, read from the node's own tensor list.
double ref_value(const Model& model, const json& ref) {
  const NodeView node = model.node(ref.at("node").get<std::size_t>());
  const std::string name = ref.at("tensor");
  for (const NamedTensor& t : node.tensors()) {
    if (t.name != name) continue;
    const std::size_t index = ref.at("index");
    if (!ref.contains("sample")) return t.tensor->data()[index];
    const std::size_t per = t.tensor->size() / t.tensor->shape()[0];
    return t.tensor->data()[ref.at("sample").get<std::size_t>() * per + index];
  }
  ADD_FAILURE() << "no tensor " << name << " on node " << ref.at("node");
  return NAN;
}

// Fields whose value is the number at their *_ref cell.
const char* const kRefFields[][2] = {{"x", "x_ref"},         {"grad_output", "grad_output_ref"}, {"mask", "mask_ref"},
                                     {"gamma", "gamma_ref"}, {"beta", "beta_ref"},               {"mean", "mean_ref"},
                                     {"var", "var_ref"},     {"sum_grad", "sum_grad_ref"},       {"sum_grad_xhat", "sum_grad_xhat_ref"}};

// Factors whose ref names the cell they are computed from rather than hold (documented per formula).
bool factor_is_derived(const std::string& formula, char which) {
  if (which == 'b') return formula == "maxpool.grad_input" || formula == "global_maxpool.grad_input" || formula == "batchnorm.weight_grad";
  return formula == "batchnorm.batch_var" || formula == "edge.readers";
}

void expect_record(const Model& model, const json& r) {
  SCOPED_TRACE(r.dump().substr(0, 700));
  const std::string formula = r.at("formula");
  const double value = r.at("value");
  if (r.at("kind") == "value") return;
  ASSERT_TRUE(r.contains("total")) << formula;
  EXPECT_TRUE(close(r.at("total").get<double>(), value, 1e-4)) << formula << ": " << r.at("total") << " vs " << value;
  for (const auto& field : kRefFields) {
    if (!r.contains(field[1])) continue;
    EXPECT_TRUE(close(ref_value(model, r.at(field[1])), r.at(field[0]).get<double>(), 1e-6)) << formula << " " << field[0];
  }
  if (r.contains("constant")) {
    EXPECT_EQ(ref_value(model, r.at("constant").at("ref")), r.at("constant").at("value").get<double>());
  }
  if (r.at("kind") == "copy" && r.contains("source")) {
    EXPECT_EQ(ref_value(model, r.at("source")), r.at("total").get<double>()) << formula;
  }
  if (r.contains("winner_ref")) {
    EXPECT_EQ(ref_value(model, r.at("winner_ref")), r.at("total").get<double>());
  }
  if (r.contains("paths")) {
    double sum = 0.0;
    for (const json& p : r.at("paths")) sum += p.at("value").get<double>();
    EXPECT_TRUE(close(sum, r.at("total").get<double>(), 1e-9));
  }
  if (r.contains("slope_factors") && r.contains("slope") && !r.at("slope_factors").empty()) {
    double product = 1.0;
    for (const json& f : r.at("slope_factors")) product *= f.at("value").get<double>();
    EXPECT_TRUE(close(product, r.at("slope").get<double>(), 1e-5)) << formula;
  }
  if (r.contains("slope_terms")) {
    double sum = 0.0;
    for (const json& f : r.at("slope_terms")) sum += f.at("value").get<double>();
    EXPECT_TRUE(close(sum, r.at("slope").get<double>(), 1e-5)) << formula;
  }
  if (r.contains("part")) {  // a reader of a shared edge: its own arithmetic is one term of the sum
    const json& part = r.at("part");
    EXPECT_TRUE(close(part.at("total").get<double>(), part.at("value").get<double>(), 1e-9));
    bool found = false;
    for (const json& reader : r.at("readers")) {
      if (reader.at("node") == part.at("cell").at("node")) found = found || close(reader.at("value"), part.at("total"), 1e-12);
    }
    EXPECT_TRUE(found) << "the part is one of the readers";
  }
  if (!r.contains("terms")) return;
  double shown = r.contains("constant") ? r.at("constant").at("value").get<double>() : 0.0;
  bool zero_seen = false;
  std::size_t shown_zero = 0;
  for (const json& t : r.at("terms")) {
    EXPECT_TRUE(close(t.at("product").get<double>(), t.at("a").get<double>() * t.at("b").get<double>(), 1e-12));
    shown += t.at("product").get<double>();
    if (t.at("product").get<double>() == 0.0) {
      zero_seen = true;
      ++shown_zero;
    } else {
      EXPECT_FALSE(zero_seen) << "a non-zero term after a zero term";
    }
    if (t.contains("a_ref") && !factor_is_derived(formula, 'a')) {
      EXPECT_EQ(ref_value(model, t.at("a_ref")), t.at("a").get<double>()) << formula << " a_ref";
    }
    if (t.contains("b_ref") && !factor_is_derived(formula, 'b')) {
      EXPECT_EQ(ref_value(model, t.at("b_ref")), t.at("b").get<double>()) << formula << " b_ref";
    }
  }
  EXPECT_TRUE(close(shown, r.at("shown_total").get<double>(), 1e-9));
  if (formula != "softmax.grad" && formula != "log_softmax.grad") {
    EXPECT_TRUE(close(r.at("shown_total").get<double>() + r.at("omitted_sum").get<double>(), r.at("total").get<double>(), 1e-9));
  }
  EXPECT_EQ(r.at("terms").size() + r.at("omitted_zero_terms").get<std::size_t>() + r.at("omitted_terms").get<std::size_t>(),
            r.at("term_count").get<std::size_t>());
  EXPECT_EQ(shown_zero + r.at("omitted_zero_terms").get<std::size_t>(), r.at("zero_terms").get<std::size_t>());
}

bool explained_tensor(const NamedTensor& t) {
  return t.role == "input" || t.role == "output" || t.role == "grad" || t.role == "param.grad" || t.role == "batch";
}

// Every cell of every explained tensor of every node, every sample; returns the formulas met.
std::set<std::string> explain_everything(const Model& model, std::size_t max_terms = 6) {
  std::set<std::string> formulas;
  const std::size_t samples = model.input().shape()[0];
  for (std::size_t k = 0; k < model.node_count(); ++k) {
    for (const NamedTensor& t : model.node(k).tensors()) {
      if (!explained_tensor(t)) continue;
      const bool per_sample = t.role == "input" || t.role == "output" || t.role == "grad";
      const std::size_t size = per_sample ? t.tensor->size() / samples : t.tensor->size();
      for (std::size_t s = 0; s < (per_sample ? samples : 1); ++s) {
        for (std::size_t i = 0; i < size; ++i) {
          SCOPED_TRACE("node " + std::to_string(k) + " " + t.name + " [" + std::to_string(s) + ", " + std::to_string(i) + "]");
          const json r = explain_cell(model, k, t.name, s, i, max_terms);
          EXPECT_EQ(r.at("value").get<double>(), double(t.tensor->data()[(per_sample ? s * size : 0) + i]));
          if (per_sample) {
            EXPECT_EQ(r.at("cell").at("sample"), s);
          }
          expect_record(model, r);
          formulas.insert(r.at("formula").get<std::string>());
          if (r.contains("part")) formulas.insert(r.at("part").at("formula").get<std::string>());
        }
      }
    }
  }
  return formulas;
}

// A small residual network with every graph kind, batch 3: a reflect-padded conv, batch norm,
// a depthwise conv (replicate padding) added back to the ReLU, a 1x1 side branch of the input
// concatenated, pad2d, a grouped transposed conv, both global pools reading one edge, batchnorm1d,
// ELU, dropout and a dense layer.
json graph_scene(const char* mode) {
  const std::size_t n = 3;
  json scene = {{"version", 2},
                {"input", {{"shape", {n, 2, 4, 4}}, {"data", testing::random_values(n * 2 * 4 * 4, 71)}}},
                {"nodes",
                 {{{"id", "c1"}, {"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"padding", 1}, {"padding_mode", "reflect"}},
                  {{"id", "bn1"}, {"type", "batchnorm2d"}},
                  {{"id", "r1"}, {"type", "relu"}},
                  {{"id", "dw"}, {"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"padding", 1}, {"groups", 4},
                   {"padding_mode", "replicate"}},
                  {{"id", "res"}, {"type", "add"}, {"inputs", {"dw", "r1"}}},
                  {{"id", "side"}, {"type", "conv2d"}, {"inputs", {"input"}}, {"out_channels", 2}, {"kernel_size", 1}},
                  {{"id", "cat"}, {"type", "concat"}, {"inputs", {"res", "side"}}},
                  {{"id", "pad"}, {"type", "pad2d"}, {"padding", {1, 2, 0, 1}}, {"mode", "reflect"}},
                  {{"id", "up"}, {"type", "conv_transpose2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"stride", 2},
                   {"padding", 1}, {"output_padding", 1}, {"groups", 2}},
                  {{"id", "lr"}, {"type", "leaky_relu"}, {"negative_slope", 0.1}},
                  {{"id", "gavg"}, {"type", "global_avgpool2d"}, {"inputs", {"lr"}}},
                  {{"id", "gmax"}, {"type", "global_maxpool2d"}, {"inputs", {"lr"}}},
                  {{"id", "pools"}, {"type", "concat"}, {"inputs", {"gavg", "gmax"}}},
                  {{"id", "flat"}, {"type", "flatten"}},
                  {{"id", "bn2"}, {"type", "batchnorm1d"}},
                  {{"id", "e"}, {"type", "elu"}, {"alpha", 0.7}},
                  {{"id", "drop"}, {"type", "dropout"}, {"p", 0.4}},
                  {{"id", "fc"}, {"type", "dense"}, {"out_features", 3}}}},
                {"loss", "cross_entropy"},
                {"target", {0, 2, 1}},
                {"mode", mode},
                {"seed", 5}};
  if (std::string(mode) == "eval") {
    scene["nodes"][1]["running_mean"] = {0.1, -0.2, 0.05, 0.3};
    scene["nodes"][1]["running_var"] = {0.8, 1.5, 0.6, 2.0};
    scene["nodes"][14]["running_mean"] = testing::random_values(8, 72, -0.3f, 0.3f);
    scene["nodes"][14]["running_var"] = testing::random_values(8, 73, 0.5f, 2.0f);
  }
  return scene;
}

TEST(ExplainCellKinds, EveryCellOfAResidualGraphInTrainModeReproducesTheCore) {
  Model model = testing::model_from(graph_scene("train"));
  model.train(2);  // running statistics and the optimizer move; the display pass shows the next batch
  const std::set<std::string> formulas = explain_everything(model);
  for (const char* f : {"batchnorm.forward", "batchnorm.grad_input", "batchnorm.weight_grad", "batchnorm.bias_grad",
                        "batchnorm.batch_mean", "batchnorm.batch_var", "conv.forward", "add.forward", "add.grad_input",
                        "concat.forward", "concat.grad_input", "pad.forward", "pad.grad_input", "conv_transpose.forward",
                        "conv_transpose.grad_input", "conv_transpose.weight_grad", "conv_transpose.bias_grad",
                        "global_avgpool.forward", "global_avgpool.grad_input", "global_maxpool.forward",
                        "global_maxpool.grad_input", "dropout.forward", "dropout.grad_input", "edge.readers",
                        "activation.grad", "input.value"}) {
    EXPECT_TRUE(formulas.count(f)) << f;
  }
  EXPECT_FALSE(formulas.count("value")) << "every cell of every kind is written out";
  EXPECT_FALSE(formulas.count("batchnorm.grad_input_eval"));
}

TEST(ExplainCellKinds, EveryCellOfAResidualGraphInEvalModeReproducesTheCore) {
  const Model model = testing::model_from(graph_scene("eval"));
  const std::set<std::string> formulas = explain_everything(model);
  for (const char* f : {"batchnorm.forward", "batchnorm.grad_input_eval", "batchnorm.weight_grad", "dropout.identity",
                        "dropout.identity_grad", "edge.readers"}) {
    EXPECT_TRUE(formulas.count(f)) << f;
  }
  EXPECT_FALSE(formulas.count("batchnorm.grad_input"));
  EXPECT_FALSE(formulas.count("dropout.forward"));
}

}  // namespace
}  // namespace cnnlens
