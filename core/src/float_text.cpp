// write_float_short: the shortest round-tripping decimal of a float32, with double arithmetic.
//
// Why not a library: nlohmann's Grisu2 takes about 140 ns a float (a photo scene's 196,608
// input values, about 30 ms), and the page writes the scene after every edit for its undo step;
// std::to_chars for floats is missing from the libc++ of Debian's Emscripten 3.1.6.
//
// How: for p significant digits, the nearest p-digit decimal to the float is D * 10^-s, with
// D = round(|value| * 10^s) (one multiply or divide, then a round to an integer). It is accepted
// when D / 10^s, computed in double, narrows to the same float. That is exactly what a reader
// does with the text: D < 2^53 and 10^|s| <= 10^16 are exact doubles and IEEE division rounds
// correctly, so the double is the one JSON.parse or strtod gives for the decimal. A wrong D (the
// scaling rounds too) can therefore cost a digit, never a different float. Every p-digit decimal
// is also a (p+1)-digit one, so the nearest with more digits is never farther: whether p digits
// read back rises with p, so the first p that does is found by bisection (9 always suffice for a
// float). (Next to a power of two the rounding interval is lopsided and the nearest decimal
// may fall on its short side while another is inside: then one digit more is written.)
// Outside [1e-7, 1e9), rare in a network's tensors, nlohmann's own conversion writes the value.
#include "float_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include <nlohmann/detail/conversions/to_chars.hpp>

namespace cnnlens {
namespace {

constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
constexpr double kFastMin = 1e-7;
constexpr double kFastEnd = 1e9;
// nlohmann's layout for floats: plain digits for decimal-point positions in (-4, 6], else d.ddde±XX
constexpr int kMinExp = -4;
constexpr int kMaxExp = 6;

// "00" to "99": two digits per division halves the chain of divisions by 10.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// The digits of d (> 0, below 2^32) at out, most significant first; returns how many.
int write_digits(std::uint32_t d, char* out) {
  char reversed[10];
  int n = 0;
  for (; d >= 100; d /= 100) {
    const char* pair = kDigitPairs + 2 * (d % 100);
    reversed[n++] = pair[1];
    reversed[n++] = pair[0];
  }
  if (d >= 10) {
    reversed[n++] = kDigitPairs[2 * d + 1];
    reversed[n++] = kDigitPairs[2 * d];
  } else {
    reversed[n++] = char('0' + d);
  }
  for (int k = 0; k < n; ++k) out[k] = reversed[n - 1 - k];
  return n;
}

// Plain loops rather than memcpy/memset: the runs are a few bytes, and in wasm those are calls.
char* copy(char* out, const char* from, int count) {
  for (int k = 0; k < count; ++k) *out++ = from[k];
  return out;
}
char* zeros(char* out, int count) {
  for (int k = 0; k < count; ++k) *out++ = '0';
  return out;
}

char* write_exponent(char* out, int e) {
  *out++ = e < 0 ? '-' : '+';
  if (e < 0) e = -e;
  if (e >= 10) *out++ = char('0' + e / 10);
  else *out++ = '0';  // at least two digits, as printf's %g and nlohmann
  *out++ = char('0' + e % 10);
  return out;
}

// Writes the value 0.d1d2...dk * 10^n, its k digits at `digits`, at out; returns the end.
char* lay_out(char* out, const char* digits, int k, int n) {
  if (k <= n && n <= kMaxExp) {  // 1500.0
    out = zeros(copy(out, digits, k), n - k);
    *out++ = '.';
    *out++ = '0';
    return out;
  }
  if (0 < n && n <= kMaxExp) {  // 12.75
    out = copy(out, digits, n);
    *out++ = '.';
    return copy(out, digits + n, k - n);
  }
  if (kMinExp < n && n <= 0) {  // 0.0025
    *out++ = '0';
    *out++ = '.';
    return copy(zeros(out, -n), digits, k);
  }
  *out++ = digits[0];  // 2.5e-05, 1e+07
  if (k > 1) {
    *out++ = '.';
    out = copy(out, digits + 1, k - 1);
  }
  *out++ = 'e';
  return write_exponent(out, n - 1);
}

}  // namespace

char* write_float_short(char* first, char* last, float value) {
  const double magnitude = std::fabs(double(value));
  if (!(magnitude >= kFastMin && magnitude < kFastEnd)) return nlohmann::detail::to_chars(first, last, value);

  // e10 = floor(log10(magnitude)), from the binary exponent and one comparison
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  const int e2 = int((bits >> 23) & 0xffu) - 127;  // magnitude in [2^e2, 2^(e2+1)): normal over the fast range
  int e10 = (e2 * 78913) >> 18;                    // floor(e2 * log10(2)), so 10^e10 <= magnitude
  const int above = e10 + 1;
  if (above >= 0 ? magnitude >= kPow10[above] : magnitude * kPow10[-above] >= 1.0) e10 = above;

  // the nearest decimal of p significant digits, and whether it reads back as `value`
  auto nearest = [&](int p, double& digits) {
    const int s = p - 1 - e10;  // in [-8, 15] over the fast range
    digits = std::nearbyint(s >= 0 ? magnitude * kPow10[s] : magnitude / kPow10[-s]);
    const double read = s >= 0 ? digits / kPow10[s] : digits * kPow10[-s];
    return static_cast<float>(read) == static_cast<float>(magnitude);
  };
  // Most of a network's values need 8 or 9 digits (0.37254903, -0.123456789), so 8 and 7 are
  // tried first: two probes for nearly all, and a binary search below 7 for the short ones.
  double digits = 0.0;
  int high = 8;  // `high` digits read back, as `digits`
  if (!nearest(8, digits)) {
    if (!nearest(9, digits)) return nlohmann::detail::to_chars(first, last, value);  // not expected; safe
    high = 9;
  } else {
    double fewer = 0.0;
    if (nearest(7, fewer)) {
      digits = fewer;
      int low = 1;
      high = 7;
      while (low < high) {
        const int mid = (low + high) / 2;
        if (nearest(mid, fewer)) {
          high = mid;
          digits = fewer;
        } else {
          low = mid + 1;
        }
      }
    }
  }

  char text[10];
  int k = write_digits(std::uint32_t(digits), text);  // at most 10^9: nine digits and a carry
  const int n = e10 + 1 + (k - high);  // the decimal point's place (k is high + 1 when rounding carried)
  while (k > 1 && text[k - 1] == '0') --k;
  char* out = first;
  if (value < 0) *out++ = '-';
  (void)last;  // at most 15 chars: -0.00012345678, -1.23456789e+08
  return lay_out(out, text, k, n);
}

}  // namespace cnnlens
