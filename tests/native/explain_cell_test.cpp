// explain_cell: for every record kind, the written-out numbers reproduce the core's own value;
// zero terms are counted; long sums are capped; the gradient check names a max-pool tie and a
// ReLU at its kink.
#include <chrono>
#include <set>
#include <cmath>
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

// The record's own arithmetic holds: its total is the tensor's value, and, for sums, the shown
// terms plus the omitted ones add up to the total, and every term is counted once.
void expect_consistent(const json& r) {
  SCOPED_TRACE(r.dump().substr(0, 600));
  ASSERT_TRUE(r.contains("kind"));
  ASSERT_TRUE(r.contains("formula"));
  ASSERT_TRUE(r.at("cell").contains("node"));
  const double value = r.at("value").get<double>();
  if (r.at("kind") == "value" || r.at("kind") == "readers") return;
  ASSERT_TRUE(r.contains("total"));
  EXPECT_TRUE(close(r.at("total").get<double>(), value, 1e-4)) << r.at("total") << " vs " << value;
  if (!r.contains("terms")) return;
  const json& terms = r.at("terms");
  double shown = r.contains("constant") ? r.at("constant").at("value").get<double>() : 0.0;
  std::size_t shown_zero = 0;
  bool zero_seen = false;
  for (const json& t : terms) {
    EXPECT_TRUE(close(t.at("product").get<double>(), t.at("a").get<double>() * t.at("b").get<double>(), 1e-9));
    shown += t.at("product").get<double>();
    if (t.at("product").get<double>() == 0.0) {
      ++shown_zero;
      zero_seen = true;
    } else {
      EXPECT_FALSE(zero_seen) << "a non-zero term after a zero term";
    }
  }
  EXPECT_TRUE(close(shown, r.at("shown_total").get<double>(), 1e-9));
  if (r.at("formula") != "softmax.grad" && r.at("formula") != "log_softmax.grad") {
    EXPECT_TRUE(close(r.at("shown_total").get<double>() + r.at("omitted_sum").get<double>(), r.at("total").get<double>(), 1e-9));
  }
  EXPECT_EQ(terms.size() + r.at("omitted_zero_terms").get<std::size_t>() + r.at("omitted_terms").get<std::size_t>(),
            r.at("term_count").get<std::size_t>());
  EXPECT_EQ(shown_zero + r.at("omitted_zero_terms").get<std::size_t>(), r.at("zero_terms").get<std::size_t>());
}

// Every cell of every explainable tensor of every node; returns the kinds met.
std::set<std::string> explain_everything(const Model& model, std::size_t max_terms = 12) {
  std::set<std::string> kinds;
  const std::size_t samples = model.input().shape()[0];
  for (std::size_t k = 0; k < model.node_count(); ++k) {
    for (const NamedTensor& t : model.node(k).tensors()) {
      if (t.name != "output" && t.name != "grad_output" && t.name != "grad_input" && t.name != "weight.grad" &&
          t.name != "bias.grad" && t.name != "input") {
        continue;
      }
      const bool param = t.name == "weight.grad" || t.name == "bias.grad";
      const std::size_t n = param ? 1 : samples;
      const std::size_t size = param ? t.tensor->size() : t.tensor->size() / samples;
      for (std::size_t s = 0; s < n; ++s) {
        for (std::size_t i = 0; i < size; ++i) {
          const json r = explain_cell(model, k, t.name, s, i, max_terms);
          SCOPED_TRACE("node " + std::to_string(k) + " " + t.name + " [" + std::to_string(s) + ", " + std::to_string(i) + "]");
          const float own = param ? t.tensor->data()[i] : t.tensor->data()[s * size + i];
          EXPECT_TRUE(close(r.at("value").get<double>(), own, 1e-7));
          expect_consistent(r);
          kinds.insert(r.at("formula").get<std::string>());
        }
      }
    }
  }
  return kinds;
}

Model classic() { return Model::from_json(testing::read_text("examples/classic.json")); }

TEST(ExplainCell, ClassicExampleEveryCellReproducesTheCore) {
  const Model model = classic();
  const std::set<std::string> kinds = explain_everything(model);
  for (const char* f : {"conv.forward", "conv.grad_input", "conv.weight_grad", "conv.bias_grad", "maxpool.forward",
                        "maxpool.grad_input", "flatten.forward", "flatten.grad_input", "dense.forward",
                        "dense.grad_input", "dense.weight_grad", "dense.bias_grad", "activation.forward",
                        "activation.grad", "loss.mse", "input.value"}) {
    EXPECT_TRUE(kinds.count(f)) << f;
  }
}

TEST(ExplainCell, SigmoidGradIsTheChainRuleWithItsFactors) {
  const Model model = classic();
  // dL/dz of the dense output = dL/dy * y * (1 - y), asked on the dense node's grad_output.
  const json r = explain_cell(model, 3, "grad_output", 0, 0);
  EXPECT_EQ(r.at("kind"), "chain");
  EXPECT_EQ(r.at("type"), "sigmoid");
  EXPECT_EQ(r.at("same_as").at("node"), 4);
  EXPECT_EQ(r.at("same_as").at("tensor"), "grad_input");
  const double y = r.at("y"), g = r.at("grad_output");
  ASSERT_EQ(r.at("slope_factors").size(), 2u);
  EXPECT_TRUE(close(r.at("slope_factors")[0].at("value"), y));
  EXPECT_TRUE(close(r.at("slope_factors")[1].at("value"), 1 - y));
  EXPECT_TRUE(close(g * y * (1 - y), r.at("value"), 1e-5));
  // dL/dy itself comes from the loss: 2 (y - t) / F.
  const json loss = explain_cell(model, 4, "grad_output", 0, 0);
  EXPECT_EQ(loss.at("kind"), "loss");
  EXPECT_TRUE(close(2.0 * (loss.at("y").get<double>() - loss.at("target").get<double>()) / 2.0, loss.at("value"), 1e-5));
  EXPECT_TRUE(close(loss.at("value"), g, 1e-7));
}

TEST(ExplainCell, MaxPoolRoutesToTheWinnerAndZeroToTheOthers) {
  const Model model = classic();
  const NodeView pool = model.node(1);
  const Tensor& argmax = pool.buffers()[0].value;
  const std::size_t winner = std::size_t(argmax.data()[0]);
  const json won = explain_cell(model, 1, "grad_input", 0, winner);
  EXPECT_EQ(won.at("kind"), "route");
  ASSERT_EQ(won.at("term_count"), 1);
  EXPECT_EQ(won.at("terms")[0].at("b"), 1.0);
  EXPECT_EQ(won.at("terms")[0].at("a_ref").at("tensor"), "grad_output");
  // A cell of the same window that lost: its term is the window's gradient times 0, the winner named.
  for (std::size_t cell : {std::size_t(0), std::size_t(1), std::size_t(4), std::size_t(5)}) {
    if (cell == winner) continue;
    const json lost = explain_cell(model, 1, "grad_input", 0, cell);
    EXPECT_EQ(lost.at("value"), 0.0);
    EXPECT_EQ(lost.at("zero_terms"), 1);
    ASSERT_EQ(lost.at("terms").size(), 1u);
    EXPECT_EQ(lost.at("terms")[0].at("b_ref").at("index"), winner);
    break;
  }
}

TEST(ExplainCell, FlattenNamesTheMapCellItReturnsTo) {
  const Model model = classic();
  const json r = explain_cell(model, 2, "grad_input", 0, 5);
  EXPECT_EQ(r.at("kind"), "copy");
  EXPECT_EQ(r.at("source").at("tensor"), "grad_output");
  EXPECT_EQ(r.at("map_cell"), json::array({1, 0, 1}));  // 2x2 maps: index 5 = channel 1, row 0, col 1
}

json every_activation_scene(const char* last, const char* loss) {
  return {{"version", 2},
          {"input", {{"shape", {2, 6}}, {"data", testing::random_values(12, 501, -2.0f, 2.0f)}}},
          {"nodes",
           {{{"id", "fc1"}, {"type", "dense"}, {"out_features", 8}},
            {{"id", "r"}, {"type", "relu"}},
            {{"id", "fc2"}, {"type", "dense"}, {"out_features", 8}},
            {{"id", "lr"}, {"type", "leaky_relu"}},
            {{"id", "t"}, {"type", "tanh"}},
            {{"id", "e"}, {"type", "elu"}, {"alpha", 0.5}},
            {{"id", "g"}, {"type", "gelu"}},
            {{"id", "g2"}, {"type", "gelu"}, {"approximate", "tanh"}},
            {{"id", "r6"}, {"type", "relu6"}},
            {{"id", "p"}, {"type", "prelu"}, {"num_parameters", 8}},
            {{"id", "s"}, {"type", "sigmoid"}},
            {{"id", "fc3"}, {"type", "dense"}, {"out_features", 3}},
            {{"id", "out"}, {"type", last}}}},
          {"loss", loss},
          {"target", std::string(loss) == "mse" ? json{{0.1, 0.7, 0.2}, {0.5, 0.25, 0.25}} : json{2, 0}},
          {"seed", 3}};
}

TEST(ExplainCell, EveryActivationSoftmaxAndMseReproduceTheCore) {
  const Model model = testing::model_from(every_activation_scene("softmax", "mse"));
  const std::set<std::string> kinds = explain_everything(model);
  for (const char* f : {"softmax.forward", "softmax.grad", "prelu.weight_grad", "activation.grad", "loss.mse"}) {
    EXPECT_TRUE(kinds.count(f)) << f;
  }
}

TEST(ExplainCell, LogSoftmaxAndCrossEntropyReproduceTheCore) {
  const Model model = testing::model_from(every_activation_scene("log_softmax", "cross_entropy"));
  const std::set<std::string> kinds = explain_everything(model);
  for (const char* f : {"log_softmax.forward", "log_softmax.grad", "loss.cross_entropy"}) EXPECT_TRUE(kinds.count(f)) << f;
}

TEST(ExplainCell, PoolsWithPaddingAverageSharingAndBatchedConv) {
  const json scene = {
      {"version", 2},
      {"input", {{"shape", {2, 2, 6, 5}}, {"data", testing::random_values(120, 601)}}},
      {"nodes",
       {{{"id", "c"}, {"type", "conv2d"}, {"out_channels", 4}, {"kernel_size", 3}, {"padding", 1}, {"groups", 2},
         {"padding_mode", "reflect"}},
        {{"id", "a"}, {"type", "avgpool2d"}, {"kernel_size", 3}, {"stride", 2}, {"padding", 1}},
        {{"id", "c2"}, {"type", "conv2d"}, {"out_channels", 3}, {"kernel_size", 2}, {"stride", 1}, {"padding", 1}},
        {{"id", "m"}, {"type", "maxpool2d"}, {"kernel_size", 2}, {"stride", 1}},
        {{"id", "f"}, {"type", "flatten"}},
        {{"id", "fc"}, {"type", "dense"}, {"out_features", 2}}}},
      {"loss", "mse"},
      {"target", {{0.5, -0.5}, {1.0, 0.0}}},
      {"seed", 4}};
  const Model model = testing::model_from(scene);
  const std::set<std::string> kinds = explain_everything(model);
  for (const char* f : {"avgpool.forward", "avgpool.grad_input", "maxpool.grad_input", "conv.weight_grad"}) {
    EXPECT_TRUE(kinds.count(f)) << f;
  }
  // a grouped conv output reads one input channel (groups 2); the second conv pads with zeros:
  // its corner output meets 3 padding taps of each of its 4 input channels
  EXPECT_EQ(explain_cell(model, 0, "output", 1, 0, 100).at("term_count"), 9);
  const json corner = explain_cell(model, 2, "output", 0, 0, 100);
  std::size_t padding = 0;
  for (const json& t : corner.at("terms")) padding += t.value("padding", false) ? 1 : 0;
  EXPECT_EQ(corner.at("term_count"), 4 * 4);
  EXPECT_EQ(padding, 4u * 3u);
}

TEST(ExplainCell, LongSumsListNonZeroTermsFirstAndCountTheRest) {
  // A 28x28 map: a 3x3 kernel's weight gradient has 26*26 = 676 terms; most inputs are 0.
  std::vector<float> image(28 * 28, 0.0f);
  for (int k = 0; k < 28; ++k) image[std::size_t(k * 28 + k)] = 1.0f;  // a diagonal
  const json scene = {{"input", {{"shape", {1, 28, 28}}, {"data", image}}},
                      {"layers",
                       {{{"type", "conv2d"}, {"out_channels", 2}, {"kernel_size", 3}},
                        {{"type", "flatten"}},
                        {{"type", "dense"}, {"out_features", 3}}}},
                      {"loss", "cross_entropy"},
                      {"target", 1},
                      {"seed", 2}};
  const Model model = testing::model_from(scene);
  const auto start = std::chrono::steady_clock::now();
  const json r = explain_cell(model, 0, "weight.grad", 0, 4, 12);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(ms, 50.0);
  expect_consistent(r);
  EXPECT_EQ(r.at("term_count"), 26 * 26);
  EXPECT_EQ(r.at("zero_terms"), 26 * 26 - 26);  // only the diagonal's 26 cells are not 0
  EXPECT_EQ(r.at("terms").size(), 12u);
  EXPECT_EQ(r.at("omitted_terms"), 26 - 12);
  EXPECT_EQ(r.at("omitted_zero_terms"), 26 * 26 - 26);
  for (const json& t : r.at("terms")) EXPECT_NE(t.at("product"), 0.0);
  // With room for every non-zero term: all shown, the zeros only counted.
  const json all = explain_cell(model, 0, "weight.grad", 0, 4, 100);
  EXPECT_EQ(all.at("terms").size(), 26u);
  EXPECT_EQ(all.at("omitted_terms"), 0);
  EXPECT_TRUE(close(all.at("shown_total"), all.at("value"), 1e-4));
  // The dense layer's input gradient over 3 classes, and its 1352-input output sum.
  expect_consistent(explain_cell(model, 2, "output", 0, 1, 12));
}

TEST(ExplainCell, RejectsBadCells) {
  const Model model = classic();
  EXPECT_THROW(explain_cell(model, 9, "output", 0, 0), SceneError);
  EXPECT_THROW(explain_cell(model, 0, "nonsense", 0, 0), SceneError);
  EXPECT_THROW(explain_cell(model, 0, "output", 0, 32), SceneError);
  EXPECT_THROW(explain_cell(model, 0, "output", 1, 0), SceneError);
  EXPECT_THROW(explain_cell(model, 3, "weight.grad", 0, 16), SceneError);
}

// ---------------------------------------------------------------- the gradient check's causes

TEST(GradientCheckCause, ClassicExampleNamesTheMaxPoolTie) {
  Model model = classic();
  const json report = gradient_check(model);
  bool named = false;
  for (const json& row : report.at("results")) {
    if (row.at("max_rel_error").get<double>() < 1e-2) {
      EXPECT_FALSE(row.contains("causes"));
      continue;
    }
    SCOPED_TRACE(row.dump());
    ASSERT_TRUE(row.contains("causes"));
    ASSERT_GT(row.at("causes").size(), 0u);
    const json& cause = row.at("causes")[0];
    EXPECT_EQ(cause.at("kind"), "maxpool_tie");
    EXPECT_EQ(cause.at("node"), 1);
    EXPECT_GE(cause.at("cells").size(), 2u);
    EXPECT_EQ(cause.at("cells")[0].at("tensor"), "input");
    named = true;
  }
  EXPECT_TRUE(named) << "the classic example's tie gives large errors";
}

TEST(GradientCheckCause, NamesAReluAtItsKink) {
  // z0 = 1*1 + (-0.5)*2 = 0 exactly: the ReLU sits on its kink, with a non-zero gradient above it.
  const json scene = {{"input", {{"shape", {2}}, {"data", {1.0, 2.0}}}},
                      {"layers",
                       {{{"type", "dense"}, {"out_features", 2}, {"weight", {1.0, -0.5, 0.5, 0.25}}, {"bias", {0.0, 0.0}}},
                        {{"type", "relu"}},
                        {{"type", "dense"}, {"out_features", 1}, {"weight", {1.0, 1.0}}, {"bias", {0.0}}}}},
                      {"loss", "mse"},
                      {"target", {0.0}},
                      {"seed", 1}};
  Model model = testing::model_from(scene);
  const json report = gradient_check(model);
  ASSERT_EQ(report.at("results").size(), 5u) << report.dump();
  const json& first = report.at("results")[0];  // dense weight
  ASSERT_GE(first.at("max_rel_error").get<double>(), 1e-2) << first.dump();
  ASSERT_TRUE(first.contains("causes"));
  ASSERT_GT(first.at("causes").size(), 0u) << report.dump();
  const json& cause = first.at("causes")[0];
  EXPECT_EQ(cause.at("kind"), "kink");
  EXPECT_EQ(cause.at("node"), 1);
  EXPECT_EQ(cause.at("cell").at("index"), 0);
  EXPECT_EQ(cause.at("kink"), 0.0);
  // The second dense layer's row: after the ReLU, so nothing to name (and no large error).
  EXPECT_FALSE(report.at("results")[2].contains("causes"));
}

}  // namespace
}  // namespace cnnlens
