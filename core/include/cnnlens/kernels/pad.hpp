// Padding a [C, H, W] map on four sides by a rule, and folding the padded map's gradient back:
// shared by pad2d and by conv2d's non-zero padding modes (which pad first, then convolve).
//   zeros:     outside cells are 0 (their gradient goes nowhere)
//   reflect:   x[-i] = x[i], x[H-1+i] = x[H-1-i]  (the edge is not repeated; needs pad < size)
//   replicate: the edge value is repeated
//   circular:  the map wraps around (needs pad <= size)
// Backward: every padded cell that copied source cell s adds its gradient into s.
#pragma once

#include <string>

namespace cnnlens::kernels {

enum class PadMode { kZeros, kReflect, kReplicate, kCircular };

PadMode pad_mode_from(const std::string& name);

// The source index along one axis for padded position `i` (may be negative or >= size), or -1
// for a zero-padded cell.
int pad_source(int i, int size, PadMode mode);

// y[C, H + top + bottom, W + left + right] from x[C, H, W].
void pad_map(const float* x, int channels, int h, int w, int top, int left, int bottom, int right, PadMode mode,
             float* y);
// gx[C, H, W] += the padded gradient gy folded back onto the cells each padded cell copied.
void unpad_map_add(const float* gy, int channels, int h, int w, int top, int left, int bottom, int right,
                   PadMode mode, float* gx);

}  // namespace cnnlens::kernels
