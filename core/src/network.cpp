// Layer construction and seeded initialisation (He before ReLU-like layers, Xavier otherwise).
#include "cnnlens/network.hpp"

#include <cmath>

#include "cnnlens/layers/activation.hpp"
#include "cnnlens/layers/conv2d.hpp"
#include "cnnlens/layers/dense.hpp"
#include "cnnlens/layers/flatten.hpp"
#include "cnnlens/layers/pool2d.hpp"
#include "cnnlens/random.hpp"

namespace cnnlens {
namespace {

bool feeds_relu_like(const Scene& scene, std::size_t index) {
  if (index + 1 >= scene.layers.size()) return false;
  const std::string& next = scene.layers[index + 1].type;
  return next == "relu" || next == "leaky_relu";
}

// Weight from the scene, or drawn: He normal(0, sqrt(2/fan_in)) or Xavier uniform(+-sqrt(6/(fan_in+fan_out))).
Tensor initial_weight(const Scene& scene, std::size_t index, const Shape& shape, Random& random) {
  const LayerSpec& spec = scene.layers[index];
  if (spec.weight) return tensor_from(*spec.weight, shape);
  const std::size_t receptive = shape.size() == 4 ? shape[2] * shape[3] : 1;
  const float fan_in = static_cast<float>(shape[1] * receptive);
  const float fan_out = static_cast<float>(shape[0] * receptive);
  Tensor weight = Tensor::from_shape(shape);
  if (feeds_relu_like(scene, index)) {
    const float stddev = std::sqrt(2.0f / fan_in);
    for (float& w : weight) w = random.normal(0.0f, stddev);
  } else {
    const float limit = std::sqrt(6.0f / (fan_in + fan_out));
    for (float& w : weight) w = random.uniform(-limit, limit);
  }
  return weight;
}

Tensor initial_bias(const LayerSpec& spec, const Shape& shape) {
  return spec.bias ? tensor_from(*spec.bias, shape) : zeros(shape);
}

PoolGeometry pool_geometry(const Shape& in, const Shape& out, const LayerSpec& spec) {
  return {int(in[0]), int(in[1]), int(in[2]), int(out[1]), int(out[2]), spec.kernel_size, spec.effective_stride()};
}

}  // namespace

std::vector<std::unique_ptr<Layer>> build_network(const Scene& scene, const std::vector<Shape>& shapes) {
  Random random(scene.seed);
  std::vector<std::unique_ptr<Layer>> layers;
  for (std::size_t index = 0; index < scene.layers.size(); ++index) {
    const LayerSpec& spec = scene.layers[index];
    const Shape& in = shapes[index];
    const Shape& out = shapes[index + 1];
    if (spec.type == "conv2d") {
      const ConvGeometry geometry{int(in[0]),         int(in[1]),   int(in[2]),     int(out[0]),  int(out[1]),
                                  int(out[2]),        spec.kernel_size, spec.effective_stride(), spec.padding, spec.dilation};
      Tensor weight = initial_weight(scene, index, weight_shape(spec, in), random);
      layers.push_back(std::make_unique<Conv2d>(geometry, std::move(weight), initial_bias(spec, bias_shape(spec, in))));
    } else if (spec.type == "dense") {
      Tensor weight = initial_weight(scene, index, weight_shape(spec, in), random);
      layers.push_back(std::make_unique<Dense>(std::move(weight), initial_bias(spec, bias_shape(spec, in))));
    } else if (spec.type == "maxpool2d") {
      layers.push_back(std::make_unique<MaxPool2d>(pool_geometry(in, out, spec)));
    } else if (spec.type == "avgpool2d") {
      layers.push_back(std::make_unique<AvgPool2d>(pool_geometry(in, out, spec)));
    } else if (spec.type == "flatten") {
      layers.push_back(std::make_unique<Flatten>());
    } else if (spec.type == "relu") {
      layers.push_back(std::make_unique<Relu>());
    } else if (spec.type == "leaky_relu") {
      layers.push_back(std::make_unique<LeakyRelu>(spec.negative_slope));
    } else if (spec.type == "sigmoid") {
      layers.push_back(std::make_unique<Sigmoid>());
    } else if (spec.type == "tanh") {
      layers.push_back(std::make_unique<Tanh>());
    } else if (spec.type == "softmax") {
      layers.push_back(std::make_unique<Softmax>());
    }
  }
  return layers;
}

}  // namespace cnnlens
