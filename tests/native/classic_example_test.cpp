// The teaching story's own numbers: the classic 6x6 example, every cell of both feature maps and
// both pooled maps, checked against values worked out by hand.
#include <gtest/gtest.h>

#include "cnnlens/explain.hpp"
#include "cnnlens/model.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

namespace cnnlens {
namespace {

Model classic() { return Model::from_json(testing::read_text("examples/classic.json")); }

TEST(ClassicExample, ConvolutionMapsMatchHandComputedValues) {
  const Model model = classic();
  const std::vector<float> filter1 = {3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1};
  const std::vector<float> filter2 = {-1, -1, -1, -1, -1, -1, -2, 1, -1, -1, -2, 1, -1, 0, -4, 3};
  std::vector<float> expected = filter1;
  expected.insert(expected.end(), filter2.begin(), filter2.end());
  EXPECT_EQ(shape_of(model.layer(0).output()), (Shape{1, 2, 4, 4}));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(0).output()), expected, 0.0, 0.0));
}

TEST(ClassicExample, MaxPoolingKeepsTheLargestOfEachBlock) {
  const Model model = classic();
  EXPECT_EQ(shape_of(model.layer(1).output()), (Shape{1, 2, 2, 2}));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(1).output()), {3, 0, 3, 1, -1, 1, 0, 3}, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(to_vector(model.layer(2).output()), {3, 0, 3, 1, -1, 1, 0, 3}, 0.0, 0.0));
}

TEST(ClassicExample, FirstCellIsTheWrittenOutSumOfProducts) {
  const Model model = classic();
  const nlohmann::json cell = explain_conv_output(model, 0, 0, 0, 0);
  ASSERT_EQ(cell["terms"].size(), 9u);
  EXPECT_EQ(cell["terms"][0]["input"], 1.0);
  EXPECT_EQ(cell["terms"][0]["weight"], 1.0);
  EXPECT_EQ(cell["terms"][1]["weight"], -1.0);
  EXPECT_EQ(cell["sum"], 3.0);
  EXPECT_EQ(cell["output"], 3.0);
}

TEST(ClassicExample, TrainingLowersTheLoss) {
  Model model = classic();
  const float before = model.loss();
  const std::vector<float> history = model.train(20);
  EXPECT_EQ(history.front(), before);
  EXPECT_LT(model.loss(), before);
}

}  // namespace
}  // namespace cnnlens
