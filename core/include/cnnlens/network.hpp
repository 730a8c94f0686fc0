// Builds the layer objects of a validated scene, drawing any parameter the scene leaves out.
#pragma once

#include <memory>
#include <vector>

#include "cnnlens/layer.hpp"
#include "cnnlens/scene.hpp"

namespace cnnlens {

// `shapes` is validate_scene(scene): each layer's input shape, then the output shape.
std::vector<std::unique_ptr<Layer>> build_network(const Scene& scene, const std::vector<Shape>& shapes);

}  // namespace cnnlens
