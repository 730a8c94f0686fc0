// Four-sided padding by rule and its gradient fold; the rules are in kernels/pad.hpp.
#include "cnnlens/kernels/pad.hpp"

#include "cnnlens/kernels/simd.hpp"

namespace cnnlens::kernels {

PadMode pad_mode_from(const std::string& name) {
  if (name == "reflect") return PadMode::kReflect;
  if (name == "replicate") return PadMode::kReplicate;
  if (name == "circular") return PadMode::kCircular;
  return PadMode::kZeros;
}

int pad_source(int i, int size, PadMode mode) {
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case PadMode::kZeros: return -1;
    case PadMode::kReflect: return i < 0 ? -i : 2 * (size - 1) - i;
    case PadMode::kReplicate: return i < 0 ? 0 : size - 1;
    case PadMode::kCircular: return ((i % size) + size) % size;
  }
  return -1;
}

// Row by row: the input's own cells are one copied run (conv2d's weight gradient pads a sample
// this way on every backward pass); only the border cells ask the rule.
void pad_map(const float* x, int channels, int h, int w, int top, int left, int bottom, int right, PadMode mode,
             float* y) {
  const int ph = h + top + bottom, pw = w + left + right;
  for (int c = 0; c < channels; ++c) {
    const float* plane = x + c * h * w;
    for (int u = 0; u < ph; ++u, y += pw) {
      const int su = pad_source(u - top, h, mode);
      if (su < 0) {
        zero_floats(y, pw);
        continue;
      }
      const float* from = plane + su * w;
      auto border = [&](int v) {
        const int sv = pad_source(v - left, w, mode);
        y[v] = sv < 0 ? 0.0f : from[sv];
      };
      for (int v = 0; v < left; ++v) border(v);
      copy_floats(y + left, from, w);
      for (int v = left + w; v < pw; ++v) border(v);
    }
  }
}

void unpad_map_add(const float* gy, int channels, int h, int w, int top, int left, int bottom, int right,
                   PadMode mode, float* gx) {
  const int ph = h + top + bottom, pw = w + left + right;
  for (int c = 0; c < channels; ++c) {
    const float* g = gy + c * ph * pw;
    float* plane = gx + c * h * w;
    for (int u = 0; u < ph; ++u) {
      const int su = pad_source(u - top, h, mode);
      if (su < 0) continue;
      for (int v = 0; v < pw; ++v) {
        const int sv = pad_source(v - left, w, mode);
        if (sv >= 0) plane[su * w + sv] += g[u * pw + v];
      }
    }
  }
}

}  // namespace cnnlens::kernels
