// Shape inference and the checks that a scene can run, done before anything is allocated.
#include <string>

#include "cnnlens/error.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {
namespace {

std::string layer_name(const LayerSpec& spec, std::size_t index) {
  return "layer " + std::to_string(index) + " (" + spec.type + ")";
}

[[noreturn]] void fail_layer(const LayerSpec& spec, std::size_t index, const std::string& message) {
  throw SceneError(layer_name(spec, index) + ": " + message);
}

std::string pair_text(const Pair& p) { return std::to_string(p.h) + "x" + std::to_string(p.w); }

bool is_2d_layer(const std::string& type) {
  return type == "conv2d" || type == "maxpool2d" || type == "avgpool2d" || type == "flatten";
}

// Output length of one axis of a strided, dilated, padded window.
long long window_positions(long long size, int kernel, int stride, int padding, int dilation) {
  const long long span = static_cast<long long>(dilation) * (kernel - 1) + 1;
  const long long padded = size + 2LL * padding;
  if (span > padded) return 0;
  return (padded - span) / stride + 1;
}

void check_count(const LayerSpec& spec, std::size_t index, const char* field,
                 const std::optional<std::vector<float>>& values, const Shape& expected) {
  if (!values) return;
  const std::size_t want = element_count(expected);
  if (values->size() != want) {
    fail_layer(spec, index,
               std::string(field) + " has " + std::to_string(values->size()) + " values, expected " +
                   std::to_string(want) + " (" + shape_to_string(expected) + ")");
  }
}

}  // namespace

Pair LayerSpec::effective_stride() const {
  if (stride) return *stride;
  return type == "conv2d" ? Pair{1, 1} : kernel_size;
}

const char* loss_name(LossKind kind) { return kind == LossKind::kMse ? "mse" : "cross_entropy"; }

Shape weight_shape(const LayerSpec& spec, const Shape& input) {
  if (spec.type == "conv2d") {
    return {std::size_t(spec.out_channels), input[0], std::size_t(spec.kernel_size.h), std::size_t(spec.kernel_size.w)};
  }
  if (spec.type == "dense") return {std::size_t(spec.out_features), input[0]};
  return {};
}

Shape bias_shape(const LayerSpec& spec, const Shape& /*input*/) {
  if (spec.type == "conv2d") return {std::size_t(spec.out_channels)};
  if (spec.type == "dense") return {std::size_t(spec.out_features)};
  return {};
}

Shape layer_output_shape(const LayerSpec& spec, const Shape& input, std::size_t index) {
  if (is_2d_layer(spec.type) && input.size() != 3) {
    fail_layer(spec, index, "needs a [C, H, W] input but gets a vector of " + std::to_string(input[0]) +
                                " values (2-D layers must come before flatten)");
  }
  if ((spec.type == "dense" || spec.type == "softmax") && input.size() != 1) {
    fail_layer(spec, index, "needs a 1-D input but gets " + shape_to_string(input) + " (add a flatten layer before it)");
  }
  if (spec.type == "conv2d" || spec.type == "maxpool2d" || spec.type == "avgpool2d") {
    const Pair k = spec.kernel_size, s = spec.effective_stride(), p = spec.padding, d = spec.dilation;
    const Pair padded{int(input[1]) + 2 * p.h, int(input[2]) + 2 * p.w};
    const Pair span{d.h * (k.h - 1) + 1, d.w * (k.w - 1) + 1};
    if (span.h > padded.h || span.w > padded.w) {
      const bool plain = spec.type != "conv2d" || (d.h == 1 && d.w == 1);
      fail_layer(spec, index,
                 "kernel_size " + pair_text(k) + (plain ? "" : " with dilation " + pair_text(d) + " spans " + pair_text(span) + " and") +
                     " is larger than the" + (spec.type == "conv2d" ? " padded" : "") + " input " + pair_text(padded));
    }
    const long long out_h = window_positions(input[1], k.h, s.h, p.h, d.h);
    const long long out_w = window_positions(input[2], k.w, s.w, p.w, d.w);
    const std::size_t channels = spec.type == "conv2d" ? std::size_t(spec.out_channels) : input[0];
    return {channels, std::size_t(out_h), std::size_t(out_w)};
  }
  if (spec.type == "flatten") return {element_count(input)};
  if (spec.type == "dense") return {std::size_t(spec.out_features)};
  return input;  // activations keep the shape
}

std::uint64_t layer_multiply_adds(const LayerSpec& spec, const Shape& input, const Shape& output) {
  const std::uint64_t out = element_count(output);
  const std::uint64_t window = std::uint64_t(spec.kernel_size.h) * std::uint64_t(spec.kernel_size.w);
  if (spec.type == "conv2d") return out * input[0] * window;
  if (spec.type == "maxpool2d" || spec.type == "avgpool2d") return out * window;
  if (spec.type == "dense") return out * input[0];
  return out;
}

std::vector<Shape> validate_scene(const Scene& scene) {
  if (element_count(scene.input_shape) > limits::kMaxTensorElements) {
    throw SceneError("input: shape " + shape_to_string(scene.input_shape) + " has more than " +
                     std::to_string(limits::kMaxTensorElements) + " values");
  }
  if (scene.input.size() != element_count(scene.input_shape)) {
    throw SceneError("input: data has " + std::to_string(scene.input.size()) + " values, expected " +
                     std::to_string(element_count(scene.input_shape)) + " (" + shape_to_string(scene.input_shape) + ")");
  }
  std::vector<Shape> shapes = {scene.input_shape};
  std::size_t parameters = 0;
  std::uint64_t multiply_adds = 0;
  for (std::size_t index = 0; index < scene.layers.size(); ++index) {
    const LayerSpec& spec = scene.layers[index];
    const Shape& input = shapes.back();
    Shape output = layer_output_shape(spec, input, index);
    if (element_count(output) > limits::kMaxTensorElements) {
      fail_layer(spec, index, "its output " + shape_to_string(output) + " has " + std::to_string(element_count(output)) +
                                  " values, more than the limit " + std::to_string(limits::kMaxTensorElements));
    }
    multiply_adds += layer_multiply_adds(spec, input, output);
    if (multiply_adds > limits::kMaxMultiplyAdds) {
      fail_layer(spec, index, "the network would need more than " + std::to_string(limits::kMaxMultiplyAdds) +
                                  " multiply-adds per pass, too slow to stay interactive");
    }
    const Shape weights = weight_shape(spec, input);
    if (!weights.empty()) {
      parameters += element_count(weights) + element_count(bias_shape(spec, input));
      if (parameters > limits::kMaxParameters) {
        fail_layer(spec, index, "the network would have more than " + std::to_string(limits::kMaxParameters) + " parameters");
      }
      check_count(spec, index, "weight", spec.weight, weights);
      check_count(spec, index, "bias", spec.bias, bias_shape(spec, input));
    } else if (spec.weight || spec.bias) {
      fail_layer(spec, index, "has no parameters, so it takes no weight or bias");
    }
    shapes.push_back(std::move(output));
  }
  check_target(scene.loss, scene.target, scene.target_class, shapes.back());
  return shapes;
}

void check_target(LossKind loss, const std::vector<float>& values, int class_index, const Shape& output) {
  if (loss == LossKind::kMse) {
    if (values.size() != element_count(output)) {
      throw SceneError("target has " + std::to_string(values.size()) + " values, but the network's output " +
                       shape_to_string(output) + " has " + std::to_string(element_count(output)));
    }
  } else {
    if (output.size() != 1) {
      throw SceneError("cross_entropy needs a 1-D output (class scores), but the network's output is " +
                       shape_to_string(output) + "; end the network with flatten and dense");
    }
    if (class_index < 0 || std::size_t(class_index) >= output[0]) {
      throw SceneError("target class " + std::to_string(class_index) + " is out of range: the output has " +
                       std::to_string(output[0]) + " classes (0 to " + std::to_string(output[0] - 1) + ")");
    }
  }
}

}  // namespace cnnlens
