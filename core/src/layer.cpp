// Generic parts of every layer: lookup by name and gradient zeroing.
#include "cnnlens/layer.hpp"

#include <stdexcept>

namespace cnnlens {

const char* role_name(BufferRole role) {
  switch (role) {
    case BufferRole::kStatistic: return "statistic";
    case BufferRole::kBatch: return "batch";
    case BufferRole::kMask: return "mask";
    case BufferRole::kRouting: return "routing";
  }
  return "buffer";
}

Param* Layer::find_param(const std::string& name) {
  for (Param& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Buffer* Layer::find_buffer(const std::string& name) {
  for (Buffer& b : buffers_) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

Param& Layer::param(const std::string& name) {
  Param* p = find_param(name);
  if (p == nullptr) throw std::logic_error("layer has no parameter " + name);
  return *p;
}

const Param& Layer::param(const std::string& name) const { return const_cast<Layer*>(this)->param(name); }

void Layer::zero_grad() {
  for (Param& p : params_) p.grad.fill(0.0f);
}

void add_into(Tensor& dst, const Tensor& src) {
  float* d = dst.data();
  const float* s = src.data();
  for (std::size_t k = 0, n = dst.size(); k < n; ++k) d[k] += s[k];
}

}  // namespace cnnlens
