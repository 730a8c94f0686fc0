// Documented limits (docs/scene-format.md, "Limits"), checked before anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cnnlens::limits {

constexpr std::size_t kMaxChannels = 1024;
constexpr std::size_t kMaxSide = 512;
constexpr std::size_t kMaxWindow = 512;  // kernel, stride, padding, dilation
constexpr std::size_t kMaxBatch = 1024;  // samples in a scene's input batch
constexpr std::size_t kMaxNodes = 256;
constexpr std::size_t kMaxInputsPerNode = 64;
constexpr std::size_t kMaxParameters = 32'000'000;
constexpr std::size_t kMaxTensorElements = 4'194'304;  // any one tensor, batch included
// Multiply-adds of one sample's forward pass: a ResNet-18 on 32x32 input (about 0.56e9) loads.
constexpr std::uint64_t kMaxMultiplyAdds = 2'000'000'000;
constexpr std::size_t kMaxSceneBytes = 128u << 20;
constexpr double kMaxLearningRate = 100.0;

}  // namespace cnnlens::limits
