// Generic parts of every layer: gradient zeroing and the named-tensor listing.
#include "cnnlens/layer.hpp"

namespace cnnlens {

Param* Layer::find_param(const std::string& name) {
  for (Param& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void Layer::zero_grad() {
  for (Param& p : params_) p.grad.fill(0.0f);
}

std::vector<NamedTensor> Layer::tensors() const {
  std::vector<NamedTensor> out = {
      {"input", &input_}, {"output", &output_}, {"grad_output", &grad_output_}, {"grad_input", &grad_input_}};
  for (const Param& p : params_) {
    out.push_back({p.name, &p.value});
    out.push_back({p.name + ".grad", &p.grad});
    if (p.momentum.dimension() > 0) out.push_back({p.name + ".momentum", &p.momentum});
    if (p.velocity.dimension() > 0) out.push_back({p.name + ".velocity", &p.velocity});
    if (p.delta.dimension() > 0) out.push_back({p.name + ".delta", &p.delta});
  }
  list_caches(out);
  return out;
}

}  // namespace cnnlens
