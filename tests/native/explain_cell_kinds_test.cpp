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
#include "cnnlens/gradient_check.hpp"
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

float cell_of(const Tensor& t, std::size_t sample, std::size_t index) { return t.data()[sample * (t.size() / t.shape()[0]) + index]; }

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

// ---------------------------------------------------------------- numbers checked against the tensors

std::vector<float> param(const Model& model, std::size_t node, const std::string& name) {
  for (const NamedTensor& t : model.node(node).tensors()) {
    if (t.name == name) return to_vector(*t.tensor);
  }
  ADD_FAILURE() << name;
  return {};
}

// Node indices of graph_scene.
enum : std::size_t { kC1, kBn1, kR1, kDw, kRes, kSide, kCat, kPad, kUp, kLr, kGavg, kGmax, kPools, kFlat, kBn2, kElu, kDrop, kFc };

TEST(ExplainCellKinds, BatchNormTrainUsesTheBatchStatisticsOfTheChannel) {
  Model model = testing::model_from(graph_scene("train"));
  model.train(1);
  const NodeView bn = model.node(kBn1);
  const std::vector<float> x = to_vector(bn.input()), y = to_vector(bn.output()), gx = to_vector(bn.grad_input());
  const std::size_t n = 3, c = 4, s = 16, channel = 2, sample = 1, pos = 7;
  double mean = 0.0, var = 0.0;
  for (std::size_t k = 0; k < n; ++k) for (std::size_t i = 0; i < s; ++i) mean += x[(k * c + channel) * s + i] / double(n * s);
  for (std::size_t k = 0; k < n; ++k) for (std::size_t i = 0; i < s; ++i) var += std::pow(x[(k * c + channel) * s + i] - mean, 2) / double(n * s);
  const std::size_t index = channel * s + pos, flat = sample * c * s + index;
  const json r = explain_cell(model, kBn1, "output", sample, index);
  EXPECT_EQ(r.at("kind"), "normalize");
  EXPECT_EQ(r.at("statistics"), "batch");
  EXPECT_EQ(r.at("mean_ref").at("tensor"), "batch_mean");
  EXPECT_EQ(r.at("count"), n * s);
  EXPECT_TRUE(close(r.at("mean"), mean, 1e-9));
  EXPECT_TRUE(close(r.at("var"), var, 1e-9));
  const double gamma = param(model, kBn1, "weight")[channel], beta = param(model, kBn1, "bias")[channel];
  EXPECT_TRUE(close(gamma * (x[flat] - mean) / std::sqrt(var + 1e-5) + beta, y[flat], 1e-5));
  EXPECT_TRUE(close(r.at("total"), y[flat], 1e-5));
  // dL/dx: the three paths add up to the layer's own gradient; the channel sums are dL/dbeta and dL/dgamma.
  const json g = explain_cell(model, kBn1, "grad_input", sample, index);
  EXPECT_EQ(g.at("kind"), "normalize_grad");
  double paths = 0.0;
  for (const json& p : g.at("paths")) paths += p.at("value").get<double>();
  EXPECT_TRUE(close(paths, gx[flat], 1e-4));
  EXPECT_TRUE(close(g.at("sum_grad"), param(model, kBn1, "bias.grad")[channel], 1e-5));
  EXPECT_TRUE(close(g.at("sum_grad_xhat"), param(model, kBn1, "weight.grad")[channel], 1e-5));
  // dL/dgamma sums g * xhat over every sample and position of the channel: 3 * 16 terms, every sample named.
  const json w = explain_cell(model, kBn1, "weight.grad", 0, channel, 100);
  EXPECT_EQ(w.at("term_count"), n * s);
  std::set<std::size_t> samples;
  for (const json& t : w.at("terms")) {
    samples.insert(t.at("a_ref").at("sample").get<std::size_t>());
    EXPECT_EQ(t.at("a_ref").at("index").get<std::size_t>() / s, channel);
    EXPECT_TRUE(close(t.at("b"), (ref_value(model, t.at("b_ref")) - mean) / std::sqrt(var + 1e-5), 1e-9));
  }
  EXPECT_EQ(samples, (std::set<std::size_t>{0, 1, 2}));
  // batchnorm1d over [N, F]: each feature over the batch's 3 values
  EXPECT_EQ(explain_cell(model, kBn2, "output", 0, 5).at("count"), 3);
}

TEST(ExplainCellKinds, BatchNormEvalUsesTheRunningStatisticsAndAConstantSlope) {
  const Model model = testing::model_from(graph_scene("eval"));
  const NodeView bn = model.node(kBn1);
  const std::vector<float> g = to_vector(bn.grad_output()), gx = to_vector(bn.grad_input());
  const std::size_t channel = 3, sample = 2, index = channel * 16 + 4, flat = sample * 64 + index;
  const json r = explain_cell(model, kBn1, "output", sample, index);
  EXPECT_EQ(r.at("statistics"), "running");
  EXPECT_EQ(r.at("mean_ref").at("tensor"), "running_mean");
  EXPECT_EQ(r.at("mean").get<double>(), double(param(model, kBn1, "running_mean")[channel]));
  EXPECT_EQ(r.at("var").get<double>(), double(param(model, kBn1, "running_var")[channel]));
  const json d = explain_cell(model, kBn1, "grad_input", sample, index);
  EXPECT_EQ(d.at("kind"), "chain");
  const double slope = param(model, kBn1, "weight")[channel] / std::sqrt(double(param(model, kBn1, "running_var")[channel]) + 1e-5);
  EXPECT_TRUE(close(d.at("slope"), slope, 1e-9));
  EXPECT_TRUE(close(g[flat] * slope, gx[flat], 1e-5));
}

TEST(ExplainCellKinds, DepthwiseConvReadsOneChannelAndNamesItsGroup) {
  const Model model = testing::model_from(graph_scene("train"));
  for (std::size_t o = 0; o < 4; ++o) {
    const json r = explain_cell(model, kDw, "output", 1, o * 16, 100);  // the top-left corner: replicate padding
    EXPECT_EQ(r.at("group").at("depthwise"), true);
    EXPECT_EQ(r.at("group").at("index"), o);
    EXPECT_EQ(r.at("group").at("input_channels"), json::array({o, 1}));
    EXPECT_EQ(r.at("padding_mode"), "replicate");
    EXPECT_EQ(r.at("term_count"), 9);  // one channel's 3x3 window
    std::size_t copied = 0;
    for (const json& t : r.at("terms")) {
      EXPECT_EQ(t.at("b_ref").at("index").get<std::size_t>() / 16, o) << "reads only its own channel";
      copied += t.contains("position") ? 1 : 0;
    }
    EXPECT_EQ(copied, 5u);  // the corner's window has 5 taps in the padding, each a copy of an edge cell
  }
}

TEST(ExplainCellKinds, TransposedConvScattersInputCellsTimesWeightsOntoTheOutputCell) {
  const Model model = testing::model_from(graph_scene("train"));
  const NodeView up = model.node(kUp);
  // input [6, 5, 7] (after pad2d), stride 2, padding 1, kernel 3, groups 2: 3 input channels per group.
  const Shape in = shape_of(up.input()), out = shape_of(up.output());
  const int h = int(in[2]), w = int(in[3]), oh = int(out[2]), ow = int(out[3]);
  for (int o : {0, 3}) {
    for (int row : {0, 1, oh - 1}) {
      for (int col : {0, 2, ow - 1}) {
        const std::size_t index = std::size_t((o * oh + row) * ow + col);
        const json r = explain_cell(model, kUp, "output", 2, index, 1000);
        // The taps that land here, counted straight from the scatter rule.
        std::size_t expected = 0;
        for (int c = (o / 2) * 3; c < (o / 2) * 3 + 3; ++c)
          for (int u = 0; u < h; ++u)
            for (int v = 0; v < w; ++v)
              for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) expected += (u * 2 - 1 + i == row && v * 2 - 1 + j == col) ? 1 : 0;
        EXPECT_EQ(r.at("term_count").get<std::size_t>(), expected);
        for (const json& t : r.at("terms")) {
          const int k = t.at("a_ref").at("index"), c = k / (h * w), u = (k / w) % h, v = k % w;
          const int wk = t.at("b_ref").at("index"), wi = (wk / 3) % 3, wj = wk % 3, wc = wk / (2 * 9), wo = (wk / 9) % 2;
          EXPECT_EQ(wc, c);
          EXPECT_EQ(wo, o % 2);
          EXPECT_EQ(u * 2 - 1 + wi, row);
          EXPECT_EQ(v * 2 - 1 + wj, col);
        }
        EXPECT_TRUE(close(r.at("total"), cell_of(up.output(), 2, index), 1e-5));
      }
    }
  }
}

TEST(ExplainCellKinds, ReflectPadCopiesTheMirroredCellAndSumsItsCopiesGradients) {
  const Model model = testing::model_from(graph_scene("train"));
  const NodeView pad = model.node(kPad);  // [6, 4, 4] -> [6, 5, 7]: top 1, left 2, bottom 0, right 1
  const auto src = [](int i, int size) { return i < 0 ? -i : (i >= size ? 2 * (size - 1) - i : i); };
  std::vector<int> copies(6 * 16, 0);
  for (int c = 0; c < 6; ++c) {
    for (int u = 0; u < 5; ++u) {
      for (int v = 0; v < 7; ++v) {
        const json r = explain_cell(model, kPad, "output", 1, std::size_t((c * 5 + u) * 7 + v));
        const int su = src(u - 1, 4), sv = src(v - 2, 4);
        EXPECT_EQ(r.at("source_cell"), json::array({c, su, sv}));
        EXPECT_EQ(r.at("padded"), u < 1 || v < 2 || v > 5);
        ++copies[std::size_t((c * 4 + su) * 4 + sv)];
      }
    }
  }
  const std::vector<float> gx = to_vector(pad.grad_input());
  for (std::size_t k = 0; k < copies.size(); ++k) {
    const json g = explain_cell(model, kPad, "grad_input", 1, k, 100);
    EXPECT_EQ(g.at("term_count"), copies[k]) << k;
    EXPECT_TRUE(close(g.at("total"), gx[6 * 16 + k], 1e-5));
  }
  // By hand: row 1 is copied to padded row -1, column 2 to padded columns -2 and 4: 2 x 3 places.
  EXPECT_EQ(copies[(0 * 4 + 1) * 4 + 2], 6);
  EXPECT_EQ(copies[0], 1);
}

TEST(ExplainCellKinds, DropoutScalesKeptCellsAndDropsTheRest) {
  const Model model = testing::model_from(graph_scene("train"));
  const NodeView drop = model.node(kDrop);
  const std::vector<float> mask = to_vector(drop.buffers()[0].value);
  std::size_t dropped = 0;
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::size_t i = 0; i < 8; ++i) {
      const json r = explain_cell(model, kDrop, "output", s, i);
      const json g = explain_cell(model, kDrop, "grad_input", s, i);
      EXPECT_EQ(r.at("mask").get<double>(), mask[s * 8 + i]);
      EXPECT_EQ(r.at("scale").get<double>(), double(float(1.0 / 0.6)));
      if (mask[s * 8 + i] == 0.0f) {
        ++dropped;
        EXPECT_EQ(r.at("value"), 0.0);
        EXPECT_EQ(g.at("value"), 0.0);
      }
    }
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(dropped, 24u);
}

TEST(ExplainCellKinds, AddCopiesItsGradientAndASharedEdgeSumsItsReaders) {
  const Model model = testing::model_from(graph_scene("train"));
  const NodeView res = model.node(kRes);
  const std::vector<float> g = to_vector(res.grad_output());
  // dw's output is read by res alone: a plain copy of res's dL/dy.
  const json only = explain_cell(model, kRes, "grad_input", 2, 9);
  EXPECT_EQ(only.at("formula"), "add.grad_input");
  EXPECT_EQ(only.at("value").get<double>(), double(g[2 * 64 + 9]));
  EXPECT_EQ(only.at("copies").size(), 2u);
  // r1's output is read by dw and by res: its gradient is dw's flipped-kernel sum plus res's copy.
  const json shared = explain_cell(model, kRes, "grad_input.1", 2, 9);
  EXPECT_EQ(shared.at("kind"), "readers");
  ASSERT_EQ(shared.at("readers").size(), 2u);
  EXPECT_EQ(shared.at("readers")[0].at("node"), kDw);
  EXPECT_EQ(shared.at("readers")[1].at("node"), kRes);
  EXPECT_EQ(shared.at("readers")[1].at("value").get<double>(), double(g[2 * 64 + 9]));
  EXPECT_EQ(shared.at("part").at("formula"), "add.grad_input");
  const json conv_part = explain_cell(model, kDw, "grad_input", 2, 9);
  EXPECT_EQ(conv_part.at("part").at("formula"), "conv.grad_input");
  EXPECT_TRUE(close(conv_part.at("part").at("total").get<double>() + g[2 * 64 + 9], model.node(kR1).grad_output()(2, 0, 2, 1), 1e-5));
  // r1's grad_output is the same sum.
  EXPECT_EQ(explain_cell(model, kR1, "grad_output", 2, 9).at("formula"), "edge.readers");
}

TEST(ExplainCellKinds, ConcatNamesTheInputAndChannelEachOutputChannelCameFrom) {
  const Model model = testing::model_from(graph_scene("train"));
  const json r = explain_cell(model, kCat, "output", 0, 5 * 16 + 3);  // channel 5 = side's channel 1
  EXPECT_EQ(r.at("slot"), 1);
  EXPECT_EQ(r.at("from"), "side");
  EXPECT_EQ(r.at("channel"), 5);
  EXPECT_EQ(r.at("source_channel"), 1);
  EXPECT_EQ(r.at("source").at("tensor"), "input.1");
  const json g = explain_cell(model, kCat, "grad_input.1", 0, 1 * 16 + 3);
  EXPECT_EQ(g.at("output_channel"), 5);
  EXPECT_EQ(g.at("source").at("index"), 5 * 16 + 3);
  const json v = explain_cell(model, kPools, "output", 1, 6);  // gavg's 4 channels, then gmax's
  EXPECT_EQ(v.at("from"), "gmax");
  EXPECT_EQ(v.at("source_channel"), 2);
}

TEST(ExplainCellKinds, GlobalPoolsAverageTheChannelAndRouteToTheWinner) {
  const Model model = testing::model_from(graph_scene("train"));
  const NodeView gmax = model.node(kGmax);
  const Shape in = shape_of(gmax.input());
  const std::size_t cells = in[2] * in[3];
  const std::vector<float> argmax = to_vector(gmax.buffers()[0].value);
  for (std::size_t c = 0; c < 4; ++c) {
    const json m = explain_cell(model, kGmax, "output", 1, c, 5);
    EXPECT_EQ(m.at("winner_ref").at("index").get<double>(), argmax[4 + c]);
    EXPECT_EQ(m.at("winner"), 0);
    EXPECT_EQ(m.at("window").size(), 5u);
    EXPECT_EQ(m.at("window_size"), cells);
    for (std::size_t k = 1; k < 5; ++k) EXPECT_LE(m.at("window")[k].at("value"), m.at("window")[k - 1].at("value"));
    const json a = explain_cell(model, kGavg, "output", 1, c, 1000);
    EXPECT_EQ(a.at("term_count"), cells);
    EXPECT_EQ(a.at("divisor"), cells);
    const std::size_t won = std::size_t(argmax[4 + c]);
    const json route = explain_cell(model, kGmax, "grad_input", 1, won);
    EXPECT_EQ(route.at("part").at("terms")[0].at("b"), 1.0);
  }
  // lr's gradient is shared by both pools: each cell gets g_avg / (H W) plus g_max where it won.
  EXPECT_EQ(explain_cell(model, kLr, "grad_output", 0, 0).at("readers").size(), 2u);
}

TEST(ExplainCellKinds, ActivationsNameTheirPieceSettingAndSlopeFactors) {
  const json scene = {{"version", 2},
                      {"input", {{"shape", {2, 6}}, {"data", testing::random_values(12, 81, -2.0f, 2.0f)}}},
                      {"nodes",
                       {{{"id", "fc1"}, {"type", "dense"}, {"out_features", 8}},
                        {{"id", "lr"}, {"type", "leaky_relu"}, {"negative_slope", 0.2}},
                        {{"id", "fc2"}, {"type", "dense"}, {"out_features", 8}},
                        {{"id", "e"}, {"type", "elu"}, {"alpha", 0.7}},
                        {{"id", "fc3"}, {"type", "dense"}, {"out_features", 8}},
                        {{"id", "g"}, {"type", "gelu"}},
                        {{"id", "g2"}, {"type", "gelu"}, {"approximate", "tanh"}},
                        {{"id", "big"}, {"type", "dense"}, {"out_features", 8}, {"weight", std::vector<float>(64, 2.0f)}},
                        {{"id", "r6"}, {"type", "relu6"}},
                        {{"id", "fc"}, {"type", "dense"}, {"out_features", 2}}}},
                      {"loss", "mse"},
                      {"target", {{0.1, 0.2}, {0.3, 0.4}}},
                      {"seed", 9}};
  const Model model = testing::model_from(scene);
  std::set<std::string> branches;
  for (std::size_t node : {1u, 3u, 5u, 6u, 8u}) {
    const std::string type = model.node(node).type();
    for (std::size_t s = 0; s < 2; ++s) {
      for (std::size_t i = 0; i < 8; ++i) {
        const json r = explain_cell(model, node, "grad_input", s, i);
        expect_record(model, r);
        const double x = r.at("x");
        if (type == "leaky_relu") {
          EXPECT_EQ(r.at("slope").get<double>(), x > 0 ? 1.0 : double(0.2f));
          EXPECT_EQ(r.at("parameters").at("negative_slope"), 0.2);
        }
        if (type == "elu" && x <= 0) {
          EXPECT_EQ(r.at("slope_factors")[0].at("value"), 0.7);
          EXPECT_TRUE(close(r.at("slope_factors")[1].at("value"), std::exp(x), 1e-12));
        }
        if (type == "gelu") {
          EXPECT_EQ(r.at("slope_terms").size(), 2u);
        }
        if (r.contains("branch")) branches.insert(type + ":" + r.at("branch").get<std::string>());
      }
    }
  }
  // The dense layer of 2s drives relu6 into saturation: every piece of the piecewise kinds is met.
  for (const char* b : {"leaky_relu:positive", "leaky_relu:negative", "elu:positive", "elu:negative", "relu6:saturated"}) {
    EXPECT_TRUE(branches.count(b)) << b;
  }
}

TEST(ExplainCellKinds, EveryPaddingModeOfPad2dAndConvReproducesTheCore) {
  const json scene = {{"version", 2},
                      {"input", {{"shape", {2, 2, 3, 3}}, {"data", testing::random_values(36, 91)}}},
                      {"nodes",
                       {{{"id", "z"}, {"type", "pad2d"}, {"padding", {1, 0, 1, 2}}, {"mode", "zeros"}},
                        {{"id", "rep"}, {"type", "pad2d"}, {"padding", 1}, {"mode", "replicate"}},
                        {{"id", "circ"}, {"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 3}, {"padding", 2},
                         {"padding_mode", "circular"}},
                        {{"id", "g"}, {"type", "global_avgpool2d"}},
                        {{"id", "f"}, {"type", "flatten"}},
                        {{"id", "fc"}, {"type", "dense"}, {"out_features", 2}}}},
                      {"loss", "mse"},
                      {"target", {{0.5, -0.5}, {0.0, 1.0}}},
                      {"seed", 6}};
  const Model model = testing::model_from(scene);
  const std::set<std::string> formulas = explain_everything(model, 4);
  for (const char* f : {"pad.forward", "pad.constant", "pad.grad_input", "conv.forward", "conv.grad_input", "conv.weight_grad"}) {
    EXPECT_TRUE(formulas.count(f)) << f;
  }
  // A zero-padded cell is a constant 0 with no source; replicate copies the edge cell.
  const json zero = explain_cell(model, 0, "output", 1, 0);
  EXPECT_EQ(zero.at("formula"), "pad.constant");
  EXPECT_FALSE(zero.contains("source"));
  const json edge = explain_cell(model, 1, "output", 0, 0);  // padded (-1, -1) copies (0, 0)
  EXPECT_EQ(edge.at("source_cell"), json::array({0, 0, 0}));
  // Circular padding wraps: the conv's corner output reads cells from the far side of the map.
  const json corner = explain_cell(model, 2, "output", 0, 0, 100);
  EXPECT_EQ(corner.at("padding_mode"), "circular");
  std::size_t wrapped = 0;
  for (const json& t : corner.at("terms")) wrapped += t.contains("position") && t.contains("b_ref") ? 1 : 0;
  EXPECT_GT(wrapped, 0u);
}

TEST(GradientCheckCause, NamesAGlobalMaxPoolTie) {
  // Channel 0 holds its top value twice: the gradient goes to the first, finite differences split it.
  const json scene = {{"version", 2},
                      {"input", {{"shape", {2, 2, 2}}, {"data", {0.9, 0.2, 0.9, -0.4, 0.1, 0.5, -0.3, 0.7}}}},
                      {"nodes",
                       {{{"id", "g"}, {"type", "global_maxpool2d"}},
                        {{"id", "f"}, {"type", "flatten"}},
                        {{"id", "fc"}, {"type", "dense"}, {"out_features", 1}, {"weight", {1.5, -0.5}}, {"bias", {0.0}}}}},
                      {"loss", "mse"},
                      {"target", {0.0}},
                      {"seed", 1}};
  Model model = testing::model_from(scene);
  const json report = gradient_check(model);
  bool named = false;
  for (const json& row : report.at("results")) {
    if (row.at("max_rel_error").get<double>() < 1e-2) continue;
    SCOPED_TRACE(row.dump());
    ASSERT_TRUE(row.contains("causes"));
    ASSERT_GT(row.at("causes").size(), 0u);
    const json& cause = row.at("causes")[0];
    EXPECT_EQ(cause.at("kind"), "maxpool_tie");
    EXPECT_EQ(cause.at("type"), "global_maxpool2d");
    EXPECT_EQ(cause.at("output").at("index"), 0);
    ASSERT_EQ(cause.at("cells").size(), 2u);
    EXPECT_EQ(cause.at("cells")[0].at("index"), 0);
    EXPECT_EQ(cause.at("cells")[1].at("index"), 2);
    named = true;
  }
  EXPECT_TRUE(named) << report.dump();
  // The explanation names the same winner: the first of the tied cells.
  EXPECT_EQ(explain_cell(model, 0, "output", 0, 0).at("winner_ref").at("index"), 0);
}

}  // namespace
}  // namespace cnnlens
