// The fast convolution (im2col + register-blocked GEMM, kernels/conv.hpp) against the direct-loop
// oracle (kernels/reference_conv.hpp) on many random geometries: every stride, padding, dilation
// and non-square shape the scene format allows at small sizes, forward and all three gradients.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cnnlens/kernels/conv.hpp"
#include "cnnlens/kernels/gemm.hpp"
#include "cnnlens/kernels/pad.hpp"
#include "cnnlens/kernels/reference_conv.hpp"
#include "test_support.hpp"

namespace cnnlens::testing {
namespace {

int out_size(int in, int kernel, int stride, int padding, int dilation) {
  const int span = dilation * (kernel - 1) + 1;
  return in + 2 * padding < span ? 0 : (in + 2 * padding - span) / stride + 1;
}

// A geometry in a test's failure messages: channels, sizes, kernel, strides, padding, dilation.
std::string describe(const ConvGeometry& g) {
  auto pair = [](Pair p) { return std::to_string(p.h) + "x" + std::to_string(p.w); };
  return "C" + std::to_string(g.in_channels) + " " + std::to_string(g.in_h) + "x" + std::to_string(g.in_w) + " -> O" +
         std::to_string(g.out_channels) + " k" + pair(g.kernel) + " s" + pair(g.stride) + " p" + pair(g.padding) +
         " d" + pair(g.dilation);
}

// x [C, H, W] with g's padding written out as zeros on all four sides: [C, H + 2 ph, W + 2 pw].
std::vector<float> zero_padded(const ConvGeometry& g, const std::vector<float>& x) {
  std::vector<float> xp(std::size_t(g.in_channels) * (g.in_h + 2 * g.padding.h) * (g.in_w + 2 * g.padding.w), -5.0f);
  kernels::pad_map(x.data(), g.in_channels, g.in_h, g.in_w, g.padding.h, g.padding.w, g.padding.h, g.padding.w,
                   kernels::PadMode::kZeros, xp.data());
  return xp;
}

TEST(ConvKernels, FastPathMatchesDirectLoopsOnRandomGeometries) {
  Random pick(2024);
  auto draw = [&](int low, int high) { return low + int(pick.uniform01() * float(high - low + 1)); };
  int checked = 0;
  for (int trial = 0; checked < 400 && trial < 4000; ++trial) {
    ConvGeometry g{};
    g.in_channels = draw(1, 5);
    g.in_h = draw(1, 13);
    g.in_w = draw(1, 13);
    g.out_channels = draw(1, 9);
    g.kernel = {draw(1, 5), draw(1, 5)};
    g.stride = {draw(1, 3), draw(1, 3)};
    g.padding = {draw(0, 2), draw(0, 2)};
    g.dilation = {draw(1, 2), draw(1, 2)};
    g.out_h = out_size(g.in_h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h);
    g.out_w = out_size(g.in_w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w);
    if (g.out_h <= 0 || g.out_w <= 0) continue;
    ++checked;
    const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
    const std::size_t in_size = std::size_t(g.in_channels * g.in_h * g.in_w);
    const std::size_t out_count = std::size_t(g.out_channels) * cells;
    const auto x = random_values(in_size, 100 + trial);
    const auto w = random_values(std::size_t(g.out_channels) * taps, 200 + trial);
    const auto b = random_values(std::size_t(g.out_channels), 300 + trial);
    const auto gy = random_values(out_count, 400 + trial);
    // Gradients start non-zero: both paths must add into them.
    const auto gw0 = random_values(w.size(), 500 + trial), gb0 = random_values(b.size(), 600 + trial);

    std::vector<float> y_ref(out_count), gw_ref = gw0, gb_ref = gb0, gx_ref(in_size, 7.0f);
    kernels::reference_conv2d_forward(g, x.data(), w.data(), b.data(), y_ref.data());
    kernels::reference_conv2d_backward(g, x.data(), w.data(), gy.data(), gw_ref.data(), gb_ref.data(), gx_ref.data());

    std::vector<float> columns(taps * cells), wt(taps * std::size_t(g.out_channels)), dcol(taps * cells);
    std::vector<float> y(out_count), gw = gw0, gb = gb0, gx(in_size, 7.0f);
    kernels::conv2d_forward(g, x.data(), w.data(), b.data(), y.data(), columns.data());
    kernels::conv2d_backward(g, columns.data(), w.data(), gy.data(), gw.data(), gb.data(), gx.data(), wt.data(),
                             dcol.data());
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + describe(g));
    ASSERT_TRUE(all_close(y, y_ref)) << "output";
    ASSERT_TRUE(all_close(gw, gw_ref)) << "weight grad";
    ASSERT_TRUE(all_close(gb, gb_ref)) << "bias grad";
    ASSERT_TRUE(all_close(gx, gx_ref)) << "input grad";
  }
  EXPECT_EQ(checked, 400);
}

// Maps large enough that the forward pass runs a few output rows at a time (the columns of a tile
// are about 64 KB), then backward on the whole columns, against the direct loops. (Backward in the
// same tiles was tried: 5% slower for net C on a 1 MB L2, where its columns stay in the cache.)
TEST(ConvKernels, TiledPassesOnLargeMapsMatchDirectLoops) {
  struct Case {
    int c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw;
  };
  for (const Case& k : {Case{3, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1}, Case{16, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1},
                        Case{5, 37, 29, 7, 5, 3, 2, 1, 2, 1, 1, 2}, Case{4, 61, 45, 6, 3, 4, 1, 2, 0, 2, 2, 1}}) {
    ConvGeometry g{};
    g.in_channels = k.c;
    g.in_h = k.h;
    g.in_w = k.w;
    g.out_channels = k.o;
    g.kernel = {k.kh, k.kw};
    g.stride = {k.sh, k.sw};
    g.padding = {k.ph, k.pw};
    g.dilation = {k.dh, k.dw};
    g.out_h = out_size(g.in_h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h);
    g.out_w = out_size(g.in_w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w);
    ASSERT_FALSE(kernels::conv_columns_in_one_tile(g)) << "the case must tile";
    const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
    const std::size_t in_size = std::size_t(g.in_channels * g.in_h * g.in_w), out_count = std::size_t(g.out_channels) * cells;
    const auto x = random_values(in_size, 1 + k.h);
    const auto w = random_values(std::size_t(g.out_channels) * taps, 2 + k.h);
    const auto b = random_values(std::size_t(g.out_channels), 3 + k.h);
    const auto gy = random_values(out_count, 4 + k.h);
    std::vector<float> y_ref(out_count), gw_ref(w.size(), 0.5f), gb_ref(b.size(), 0.5f), gx_ref(in_size, 0.5f);
    kernels::reference_conv2d_forward(g, x.data(), w.data(), b.data(), y_ref.data());
    kernels::reference_conv2d_backward(g, x.data(), w.data(), gy.data(), gw_ref.data(), gb_ref.data(), gx_ref.data());
    std::vector<float> columns(taps * cells, -9.0f), wt(taps * std::size_t(g.out_channels)), dcol(taps * cells);
    std::vector<float> y(out_count), gw(w.size(), 0.5f), gb(b.size(), 0.5f), gx(in_size, 0.5f);
    kernels::conv2d_forward(g, x.data(), w.data(), b.data(), y.data(), columns.data());
    kernels::im2col(g, x.data(), columns.data());  // forward left only its last tile's
    kernels::conv2d_backward(g, columns.data(), w.data(), gy.data(), gw.data(), gb.data(), gx.data(), wt.data(),
                             dcol.data());
    SCOPED_TRACE("C" + std::to_string(k.c) + " " + std::to_string(k.h) + "x" + std::to_string(k.w));
    EXPECT_TRUE(all_close(y, y_ref)) << "output";
    EXPECT_TRUE(all_close(gw, gw_ref)) << "weight grad";
    EXPECT_TRUE(all_close(gb, gb_ref)) << "bias grad";
    EXPECT_TRUE(all_close(gx, gx_ref)) << "input grad";
  }
}

// The weight gradient read from the zero-padded input's rows in place (no columns) against the
// columns' product: the same bits when the output width is a multiple of 4 (the same sums in the
// same order), within rounding otherwise, and both against the direct loops. Random geometries
// with a stride of 1 along rows (any stride down columns, padding, dilation), blocks of 4 outputs,
// maps wide enough for several lanes, and odd tap counts (a last tap on its own).
TEST(ConvKernels, WeightGradientFromTheInputIsTheColumnsProduct) {
  Random pick(77);
  auto draw = [&](int low, int high) { return low + int(pick.uniform01() * float(high - low + 1)); };
  int checked = 0, same_bits = 0;
  for (int trial = 0; checked < 300 && trial < 3000; ++trial) {
    ConvGeometry g{};
    g.in_channels = draw(1, 4);
    g.in_h = draw(1, 14);
    g.in_w = draw(1, 21);
    g.out_channels = 4 * draw(1, 3);
    g.kernel = {draw(1, 4), draw(1, 4)};
    g.stride = {draw(1, 3), 1};
    g.padding = {draw(0, 2), draw(0, 2)};
    g.dilation = {draw(1, 2), draw(1, 2)};
    g.out_h = out_size(g.in_h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h);
    g.out_w = out_size(g.in_w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w);
    if (g.out_h <= 0 || g.out_w <= 0) continue;
    ASSERT_TRUE(kernels::conv_weight_grad_reads_input(g));
    ++checked;
    const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
    const std::size_t in_size = std::size_t(g.in_channels * g.in_h * g.in_w);
    const auto x = random_values(in_size, 700 + trial);
    const auto gy = random_values(std::size_t(g.out_channels) * cells, 800 + trial);
    const auto gw0 = random_values(std::size_t(g.out_channels) * taps, 900 + trial);
    const int xp_h = g.in_h + 2 * g.padding.h, xp_w = g.in_w + 2 * g.padding.w;
    const std::vector<float> xp = zero_padded(g, x);

    std::vector<float> columns(taps * cells), from_columns = gw0, from_input = gw0;
    kernels::im2col(g, x.data(), columns.data());
    kernels::gemm_nt_accumulate(g.out_channels, int(taps), int(cells), gy.data(), int(cells), columns.data(),
                                int(cells), from_columns.data(), int(taps));
    kernels::conv2d_weight_grad_from_input(g, xp.data(), xp_h, xp_w, gy.data(), from_input.data());
    std::vector<float> reference = gw0, gb(std::size_t(g.out_channels)), gx(in_size);
    kernels::reference_conv2d_backward(g, x.data(), std::vector<float>(gw0.size()).data(), gy.data(), reference.data(),
                                       gb.data(), gx.data());
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + describe(g));
    ASSERT_TRUE(all_close(from_input, reference)) << "against the direct loops";
    if (g.out_w % 4 == 0) {
      ++same_bits;
      ASSERT_EQ(0, std::memcmp(from_input.data(), from_columns.data(), from_input.size() * sizeof(float)))
          << "the columns' product, bit for bit";
    } else {
      ASSERT_TRUE(all_close(from_input, from_columns)) << "the columns' product";
    }
  }
  EXPECT_EQ(checked, 300);
  EXPECT_GT(same_bits, 30);
}

// The forward pass read from the zero-padded input in place against conv2d_forward (im2col
// columns, in tiles on large maps): the same bits, with and without the fused ReLU, on random
// geometries with a stride of 1 along rows, blocks of 4 outputs and output widths that are
// multiples of 4 (panels of 8 and a last one of 4), including maps large enough to tile.
TEST(ConvKernels, ForwardFromTheInputIsTheColumnsProductBitForBit) {
  Random pick(91);
  auto draw = [&](int low, int high) { return low + int(pick.uniform01() * float(high - low + 1)); };
  int checked = 0, tiled = 0;
  for (int trial = 0; checked < 200 && trial < 5000; ++trial) {
    ConvGeometry g{};
    g.in_channels = draw(1, 4);
    const bool large = trial % 4 == 0;
    g.in_h = large ? draw(40, 70) : draw(1, 14);
    g.in_w = large ? draw(40, 70) : draw(1, 24);
    g.out_channels = 4 * draw(1, 3);
    g.kernel = {draw(1, 4), draw(1, 4)};
    g.stride = {draw(1, 3), 1};
    g.padding = {draw(0, 2), draw(0, 2)};
    g.dilation = {draw(1, 2), draw(1, 2)};
    g.out_h = out_size(g.in_h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h);
    g.out_w = out_size(g.in_w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w);
    if (g.out_h <= 0 || g.out_w <= 0 || g.out_w % 4 != 0) continue;
    ASSERT_TRUE(kernels::conv_forward_reads_input(g));
    ++checked;
    if (!kernels::conv_columns_in_one_tile(g)) ++tiled;
    const std::size_t taps = kernels::conv_taps(g), cells = kernels::conv_cells(g);
    const std::size_t in_size = std::size_t(g.in_channels * g.in_h * g.in_w);
    const auto x = random_values(in_size, 1100 + trial);
    const auto w = random_values(std::size_t(g.out_channels) * taps, 1200 + trial);
    const auto b = random_values(std::size_t(g.out_channels), 1300 + trial);
    const int xp_h = g.in_h + 2 * g.padding.h, xp_w = g.in_w + 2 * g.padding.w;
    const std::vector<float> xp = zero_padded(g, x);
    std::vector<float> packed(w.size(), -3.0f);
    std::vector<int> offsets(taps, -1);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + describe(g));
    for (const bool relu : {false, true}) {
      std::vector<float> columns(taps * cells), from_columns(std::size_t(g.out_channels) * cells, 9.0f);
      std::vector<float> from_input(from_columns.size(), -9.0f);
      kernels::conv2d_forward(g, x.data(), w.data(), b.data(), from_columns.data(), columns.data(), relu);
      kernels::conv2d_forward_from_input(g, xp.data(), xp_h, xp_w, w.data(), b.data(), from_input.data(),
                                         packed.data(), offsets.data(), relu);
      ASSERT_EQ(0, std::memcmp(from_input.data(), from_columns.data(), from_input.size() * sizeof(float)))
          << (relu ? "with" : "without") << " the fused ReLU";
    }
  }
  EXPECT_EQ(checked, 200);
  EXPECT_GT(tiled, 10);
}

// Every block shape of the micro-kernels (rows 1..4 and beyond, columns around 4 and 8).
TEST(ConvKernels, GemmMatchesNaiveProductsAtEveryEdge) {
  for (int M = 1; M <= 9; ++M) {
    for (int N = 1; N <= 19; ++N) {
      for (int K : {1, 3, 4, 7, 16}) {
        const auto A = random_values(std::size_t(M * K), 1 + M * 100 + N);
        const auto B = random_values(std::size_t(K * N), 2 + M * 100 + N);
        const auto Bt = random_values(std::size_t(N * K), 3 + M * 100 + N);
        const auto bias = random_values(std::size_t(M), 4 + M);
        const auto C0 = random_values(std::size_t(M * N), 5 + N);
        std::vector<float> nn_bias(M * N), nn_acc = C0, nt = C0;
        std::vector<float> nn_bias_ref(M * N), nn_acc_ref(M * N), nt_ref(M * N);
        for (int m = 0; m < M; ++m) {
          for (int n = 0; n < N; ++n) {
            double s = 0.0, t = 0.0;
            for (int k = 0; k < K; ++k) {
              s += double(A[m * K + k]) * B[k * N + n];
              t += double(A[m * K + k]) * Bt[n * K + k];
            }
            nn_bias_ref[m * N + n] = float(bias[m] + s);
            nn_acc_ref[m * N + n] = float(C0[m * N + n] + s);
            nt_ref[m * N + n] = float(C0[m * N + n] + t);
          }
        }
        kernels::gemm_nn(M, N, K, A.data(), K, B.data(), N, nn_bias.data(), N, bias.data(), false);
        kernels::gemm_nn(M, N, K, A.data(), K, B.data(), N, nn_acc.data(), N, nullptr, true);
        // B holds [N, K] here; the product reads its rows.
        kernels::gemm_nt_accumulate(M, N, K, A.data(), K, Bt.data(), K, nt.data(), N);
        SCOPED_TRACE("M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" + std::to_string(K));
        ASSERT_TRUE(all_close(nn_bias, nn_bias_ref));
        ASSERT_TRUE(all_close(nn_acc, nn_acc_ref));
        ASSERT_TRUE(all_close(nt, nt_ref));
      }
    }
  }
}

// Long K (several K blocks), enough rows to copy B's panels side by side, and rows of B 1024
// floats apart: the blocked, packed product must give exactly the sums of one pass over k in
// order (float multiply, then add), the same bits, as every parity test assumes.
TEST(ConvKernels, GemmInKBlocksWithPackedPanelsGivesTheSumsOfOnePassBitForBit) {
  constexpr int kLdb = 1024;
  for (int M : {8, 12, 13}) {
    for (int N : {8, 20, 37}) {
      for (int K : {255, 256, 257, 600}) {
        const auto A = random_values(std::size_t(M * K), 11 + M + N + K);
        const auto B = random_values(std::size_t(K * kLdb), 12 + M + N + K);
        const auto bias = random_values(std::size_t(M), 13 + M);
        const auto C0 = random_values(std::size_t(M * N), 14 + N);
        std::vector<float> with_bias(M * N), accumulated = C0;
        std::vector<float> with_bias_ref(M * N), accumulated_ref(M * N);
        for (int m = 0; m < M; ++m) {
          for (int n = 0; n < N; ++n) {
            float s = bias[m], t = C0[m * N + n];
            for (int k = 0; k < K; ++k) {
              const float product = A[m * K + k] * B[k * kLdb + n];
              s += product;
              t += product;
            }
            with_bias_ref[m * N + n] = s;
            accumulated_ref[m * N + n] = t;
          }
        }
        kernels::gemm_nn(M, N, K, A.data(), K, B.data(), kLdb, with_bias.data(), N, bias.data(), false);
        kernels::gemm_nn(M, N, K, A.data(), K, B.data(), kLdb, accumulated.data(), N, nullptr, true);
        SCOPED_TRACE("M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" + std::to_string(K));
        ASSERT_EQ(with_bias, with_bias_ref);
        ASSERT_EQ(accumulated, accumulated_ref);
      }
    }
  }
}

}  // namespace
}  // namespace cnnlens::testing
