// One node of any kind, built through the registry from its scene JSON and run on its own: the
// per-layer tests (finite differences, formulas) use it for every kind alike.
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cnnlens/kind.hpp"
#include "cnnlens/scene.hpp"
#include "test_support.hpp"

namespace cnnlens::testing {

struct TestLayer {
  NodeSpec spec;
  InputShapes input_shapes;
  Shape output_shape;
  std::unique_ptr<Layer> layer;
  RunContext context;
  Tensor output;
  std::vector<Tensor> grad_inputs;

  void forward(const std::vector<Tensor>& inputs) {
    Inputs pointers;
    for (const Tensor& x : inputs) pointers.push_back(&x);
    layer->forward(pointers, output, context);
  }

  // Zeroes the input gradients, then runs backward (parameter gradients accumulate, as in the model).
  void backward(const std::vector<Tensor>& inputs, const Tensor& grad_output) {
    Inputs pointers;
    GradInputs grads;
    grad_inputs.resize(inputs.size());
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      pointers.push_back(&inputs[k]);
      grad_inputs[k] = zeros(shape_of(inputs[k]));
      grads.push_back(&grad_inputs[k]);
    }
    layer->backward(pointers, output, grad_output, grads, context);
  }

  const Tensor& grad_input(std::size_t k = 0) const { return grad_inputs.at(k); }
  const std::string& type() const { return spec.type; }
};

// Parameters the node JSON leaves out are drawn uniformly in [-1, 1) from `seed` (tests want
// every gradient non-zero, so no zero biases), buffers start by their declared rule.
inline TestLayer make_layer(const nlohmann::json& node_json, const InputShapes& input_shapes, std::uint32_t seed = 1) {
  nlohmann::json j = node_json;
  if (!j.contains("id")) j["id"] = "n";
  TestLayer t;
  t.spec = parse_node(j);
  t.input_shapes = input_shapes;
  t.output_shape = t.spec.kind->output_shape(t.spec, input_shapes);
  std::vector<Param> params;
  if (t.spec.kind->params) {
    std::uint32_t k = seed;
    for (const TensorDecl& d : t.spec.kind->params(t.spec, input_shapes)) {
      auto given = t.spec.tensors.find(d.name);
      Tensor value = given != t.spec.tensors.end() ? tensor_from(given->second.data, d.shape)
                                                   : tensor_from(random_values(element_count(d.shape), k++), d.shape);
      params.push_back({d.name, std::move(value), zeros(d.shape), {}, {}, {}, {}});
    }
  }
  std::vector<Buffer> buffers;
  if (t.spec.kind->buffers) {
    for (const TensorDecl& d : t.spec.kind->buffers(t.spec, input_shapes)) {
      Tensor value = zeros(d.shape);
      if (d.init == Init::kOnes) value.fill(1.0f);
      buffers.push_back({d.name, d.role, std::move(value), {}});
    }
  }
  t.layer = t.spec.kind->create(t.spec, input_shapes, t.output_shape, std::move(params), std::move(buffers));
  return t;
}

struct Tolerance {
  double abs;
  double rel;
};

// Piecewise-linear layers (conv, dense, pools, flatten, relu): central differences are exact up
// to float32 rounding of the few outputs a perturbation touches.
constexpr Tolerance kLinear{2e-5, 1e-4};
// Smooth layers with step 1e-2: truncation error h^2/6 * |f'''| stays below ~4e-5.
constexpr Tolerance kSmooth{1e-4, 1e-3};

// The test's loss: L = sum(output * R), accumulated in double, so dL/d(output) = R exactly.
inline double weighted_sum(const Tensor& output, const std::vector<float>& r) {
  double sum = 0.0;
  for (std::size_t k = 0; k < r.size(); ++k) sum += double(output.data()[k]) * double(r[k]);
  return sum;
}

// Central difference of `objective` with respect to `value`, dividing by the perturbation that
// float32 actually stored (x + h is rounded), not by the nominal 2h.
inline double central_difference(float& value, double step, const std::function<double()>& objective) {
  const float original = value;
  value = static_cast<float>(original + step);
  const float up = value;
  const double loss_up = objective();
  value = static_cast<float>(original - step);
  const float down = value;
  const double loss_down = objective();
  value = original;
  return (loss_up - loss_down) / (double(up) - double(down));
}

inline double max_abs(const std::vector<float>& values) {
  double m = 0.0;
  for (float v : values) m = std::max(m, double(std::fabs(v)));
  return m;
}

// Perturbs EVERY element of every input and every parameter and compares with backward().
// `nonzero_inputs`: whether each input's gradient must not vanish (false for e.g. a gradient
// that is legitimately zero everywhere).
inline void check_layer_gradients(TestLayer& t, std::vector<Tensor> inputs, double step, Tolerance tol,
                                  std::uint32_t seed = 7, bool params_must_move = true) {
  t.forward(inputs);
  const std::vector<float> r = random_values(t.output.size(), seed);
  t.layer->zero_grad();
  t.backward(inputs, tensor_from(r, shape_of(t.output)));
  ASSERT_EQ(shape_of(t.output), t.output_shape) << t.type() << ": output shape";
  std::vector<std::vector<float>> analytic_inputs;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    ASSERT_EQ(shape_of(t.grad_input(k)), shape_of(inputs[k])) << t.type() << " grad_input shape";
    analytic_inputs.push_back(to_vector(t.grad_input(k)));
  }
  std::vector<std::vector<float>> analytic_params;
  for (const Param& p : t.layer->params()) {
    ASSERT_EQ(shape_of(p.grad), shape_of(p.value)) << t.type() << " " << p.name << " grad shape";
    analytic_params.push_back(to_vector(p.grad));
  }
  const auto objective = [&] {
    t.forward(inputs);
    return weighted_sum(t.output, r);
  };
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    std::vector<double> numeric(inputs[k].size());
    for (std::size_t i = 0; i < inputs[k].size(); ++i) numeric[i] = central_difference(inputs[k].data()[i], step, objective);
    EXPECT_TRUE(all_close(analytic_inputs[k], as_floats(numeric), tol.abs, tol.rel)) << t.type() << ": dL/d(input " << k << ")";
    EXPECT_GT(max_abs(analytic_inputs[k]), 1e-3) << t.type() << ": the input gradient should not vanish";
  }
  for (std::size_t index = 0; index < t.layer->params().size(); ++index) {
    Param& p = t.layer->params()[index];
    std::vector<double> numeric(p.value.size());
    for (std::size_t k = 0; k < p.value.size(); ++k) numeric[k] = central_difference(p.value.data()[k], step, objective);
    EXPECT_TRUE(all_close(analytic_params[index], as_floats(numeric), tol.abs, tol.rel)) << t.type() << ": dL/d(" << p.name << ")";
    if (params_must_move) {
      EXPECT_GT(max_abs(analytic_params[index]), 1e-3) << t.type() << " " << p.name;
    }
  }
}

inline Tensor random_tensor(const Shape& shape, std::uint32_t seed, float low = -1.0f, float high = 1.0f) {
  return tensor_from(random_values(element_count(shape), seed, low, high), shape);
}

// Distinct values 0.05 apart in shuffled order: no max-pool window has a tie, and a perturbation
// of 0.01 never changes which element wins.
inline Tensor tie_free_tensor(const Shape& shape, std::uint32_t seed) {
  const std::size_t n = element_count(shape);
  std::vector<float> values(n);
  for (std::size_t k = 0; k < n; ++k) values[k] = (float(k) - float(n) / 2.0f) * 0.05f;
  Random random(seed);
  for (std::size_t k = n - 1; k > 0; --k) {
    const auto j = std::min(k, static_cast<std::size_t>(random.uniform01() * float(k + 1)));
    std::swap(values[k], values[j]);
  }
  return tensor_from(values, shape);
}

}  // namespace cnnlens::testing
