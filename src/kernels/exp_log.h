// e^x and ln x for float32: nabla's own, so that the loops which call them vectorise.
//
// glibc's expf and logf are a call per element (~5 ns each): a 32-sample loss spent as long in
// them as in all of its network's products (W2 in bench/RESULTS.md). These are branch-free
// functions of plain double arithmetic (no table, no call), so the compiler vectorises every loop
// that calls them, and a value is the same bits in a vector lane, in a scalar tail and on any CPU
// (double multiplies and adds are exact IEEE operations; -ffp-contract=off keeps them separate).
//
// Accuracy: each works in double, with a truncation error below 1e-11 relative, and rounds once
// to float, so the result is within 1 ULP of the exact value and correctly rounded for all but a
// few inputs in ten thousand (tests/kernels/exp_log_test.cpp measures both on ~2 million floats
// per function). glibc's functions are correctly rounded; PyTorch's vectorised ones (SLEEF) are
// within 1 ULP, as these are.
//
// float64 keeps std::exp and std::log.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace nabla::kernels {

// e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2; e^r by its Taylor series to r^9
// (the first term left out, r^10/10!, is below 7e-12 of e^r).
inline float exp_f32(float x) {
  constexpr double kLog2e = 1.4426950408889634, kLn2 = 0.6931471805599453;
  // Adding 1.5 · 2^52 rounds to an integer (to nearest, ties to even) and leaves it in the low bits.
  constexpr double kRoundShifter = 0x1.8p52;
  double xd = x;
  // Beyond these bounds the float result is 0 or +inf anyway (e^-104 < half the least subnormal,
  // e^89 > FLT_MAX); clamping keeps 2^n a normal double. A NaN passes both tests unchanged.
  xd = xd < -104.0 ? -104.0 : xd;
  xd = xd > 89.0 ? 89.0 : xd;
  const double shifted = xd * kLog2e + kRoundShifter;
  const double n = shifted - kRoundShifter;
  const double r = xd - n * kLn2;  // exact enough: |n| ≤ 150, the product's rounding ~1e-14
  // e^r = Σ r^k/k!, k = 0..9, grouped (Estrin) into four short chains: the vector units work
  // on them side by side instead of waiting on one ten-step chain.
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120),
               p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880);
  const double p = (p01 + r2 * p23) + r4 * (p45 + r2 * p67) + r8 * p89;
  // 2^n built from its bits: n sits in the low bits of `shifted`; the shift keeps only the
  // 11-bit exponent field n + 1023 (within 873..1151 after the clamp).
  const double two_to_n = std::bit_cast<double>((std::bit_cast<uint64_t>(shifted) + 1023) << 52);
  const float result = float(p * two_to_n);
  return x != x ? x : result;
}

// ln x = e · ln 2 + ln m with x = m · 2^e, m in [√½, √2]; ln m = 2 atanh(s), s = (m − 1)/(m + 1),
// |s| ≤ 0.172, by the odd series 2(s + s³/3 + … + s¹³/13) (the next term is below 2e-12 of it).
inline float log_f32(float x) {
  constexpr double kLn2 = 0.6931471805599453;
  // Subnormals are scaled into the normal range first, so that the exponent field is e.
  const bool subnormal = x < 0x1p-126f;  // also 0 and negatives: their result is replaced below
  const float scaled = subnormal ? x * 0x1p23f : x;
  const int32_t bits = std::bit_cast<int32_t>(scaled);
  int32_t e = ((bits >> 23) & 0xff) - 127 - (subnormal ? 23 : 0);
  float m = std::bit_cast<float>((bits & 0x7fffff) | 0x3f800000);  // in [1, 2), exact
  const bool above_sqrt2 = m > 1.41421356f;
  m = above_sqrt2 ? m * 0.5f : m;  // exact
  e += above_sqrt2 ? 1 : 0;
  const double f = double(m) - 1.0;
  const double s = f / (2.0 + f), s2 = s * s;
  const double s4 = s2 * s2, s8 = s4 * s4;  // Estrin again, as in exp_f32
  const double q = (1.0 / 3 + s2 * (1.0 / 5)) + s4 * (1.0 / 7 + s2 * (1.0 / 9)) + s8 * (1.0 / 11 + s2 * (1.0 / 13));
  const double log_m = 2.0 * s + 2.0 * s * (s2 * q);
  float result = float(double(e) * kLn2 + log_m);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  result = x == 0 ? -kInf : result;
  result = x < 0 ? std::numeric_limits<float>::quiet_NaN() : result;
  result = x == kInf ? kInf : result;
  return x != x ? x : result;
}

// The element functions of the exp and log ops (and of the kernels that fuse them): the above
// for float32, the C library's for float64.
template <class T>
inline T exp_value(T v) {
  if constexpr (std::is_same_v<T, float>)
    return exp_f32(v);
  else
    return std::exp(v);
}
template <class T>
inline T log_value(T v) {
  if constexpr (std::is_same_v<T, float>)
    return log_f32(v);
  else
    return std::log(v);
}

}  // namespace nabla::kernels
