// float32 exp, log and sigmoid (kernels/exp_log.h, through the tensor ops that use them) against
// the exact value (long double, rounded once to float) on ~1 million floats each, sampled evenly
// over their bit patterns (subnormals, tiny and huge values included), plus the special values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "nabla/nabla.h"

namespace nabla {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
// Floats in order as integers (−0 and +0 both 0), so that a difference counts ULPs.
int64_t ordinal(float f) {
  const uint32_t b = bits_of(f);
  return (b & 0x80000000u) ? -int64_t(b & 0x7fffffffu) : int64_t(b);
}

std::vector<float> values_of(const Tensor& t) {
  const float* p = t.contiguous().data<float>();
  return std::vector<float>(p, p + t.numel());
}

// Every `stride`-th float bit pattern from `first` to `last` (as magnitudes), of the given sign.
std::vector<float> sweep(uint32_t first, uint32_t last, uint32_t stride, bool negative) {
  std::vector<float> xs;
  for (uint64_t b = first; b <= last; b += stride) xs.push_back(from_bits(uint32_t(b) | (negative ? 0x80000000u : 0)));
  return xs;
}

// The same, over −limit … limit.
std::vector<float> symmetric_sweep(float limit, uint32_t stride) {
  std::vector<float> xs = sweep(0, bits_of(limit), stride, false);
  const std::vector<float> negative = sweep(0, bits_of(limit), stride, true);
  xs.insert(xs.end(), negative.begin(), negative.end());
  return xs;
}

struct Accuracy {
  int64_t samples = 0, not_correctly_rounded = 0, max_ulps = 0;
  float worst_input = 0;
};

template <class Op, class Exact>
Accuracy measure(const std::vector<float>& xs, Op op, Exact exact) {
  const std::vector<float> got = values_of(op(Tensor::from_vector(xs, {int64_t(xs.size())})));
  Accuracy a;
  for (size_t i = 0; i < xs.size(); ++i) {
    const float want = float(exact((long double)xs[i]));
    const int64_t ulps = std::llabs(ordinal(got[i]) - ordinal(want));
    ++a.samples;
    if (ulps != 0) ++a.not_correctly_rounded;
    if (ulps > a.max_ulps) a.max_ulps = ulps, a.worst_input = xs[i];
  }
  return a;
}

// Prints what was measured; at most `max_ulps` off anywhere, and at least `min_samples` samples.
void report(const char* what, const Accuracy& a, int64_t min_samples, int64_t max_ulps) {
  std::printf("  %s float32: %lld samples, %lld not correctly rounded, max %lld ULP (at %a)\n", what,
              (long long)a.samples, (long long)a.not_correctly_rounded, (long long)a.max_ulps, a.worst_input);
  EXPECT_GE(a.samples, min_samples) << what;
  EXPECT_LE(a.max_ulps, max_ulps) << what << " at " << a.worst_input;
}

TEST(ExpLogF32, ExpWithinOneUlpAndAlmostAlwaysCorrectlyRounded) {
  // −104 … 104 covers every input whose result is neither 0 nor +inf (subnormal results included).
  const std::vector<float> xs = symmetric_sweep(104.0f, 1117);  // (e^89 … e^104 are +inf: tested too)
  const Accuracy a = measure(
      xs, [](const Tensor& t) { return exp(t); }, [](long double v) { return expl(v); });
  report("exp", a, 1900000, 1);
  EXPECT_LE(a.not_correctly_rounded, a.samples / 10000);
}

TEST(ExpLogF32, LogWithinOneUlpAndAlmostAlwaysCorrectlyRounded) {
  // Every positive finite float: subnormals (scaled first), the tiny, around 1, the huge.
  const std::vector<float> xs = sweep(1, bits_of(std::numeric_limits<float>::max()), 2131, false);
  const Accuracy a = measure(
      xs, [](const Tensor& t) { return log(t); }, [](long double v) { return logl(v); });
  report("log", a, 900000, 1);
  EXPECT_LE(a.not_correctly_rounded, a.samples / 10000);
}

TEST(ExpLogF32, SigmoidWithinFewUlps) {
  // σ(x) = 1/(1 + e^−|x|) or e^−|x|/(1 + e^−|x|): three float roundings after e^−|x|.
  const std::vector<float> xs = symmetric_sweep(104.0f, 2113);
  const Accuracy a = measure(
      xs, [](const Tensor& t) { return sigmoid(t); }, [](long double v) { return 1.0L / (1.0L + expl(-v)); });
  report("sigmoid", a, 900000, 3);
}

TEST(ExpLogF32, SpecialValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> xs = {0.0f,      -0.0f,     kInf,      -kInf,   nan,        89.0f,
                                 88.72283f, 88.72284f, -103.972f, -104.0f, -87.33655f, 1.0f};
  const std::vector<float> e = values_of(exp(Tensor::from_vector(xs, {int64_t(xs.size())})));
  EXPECT_EQ(bits_of(e[0]), bits_of(1.0f));
  EXPECT_EQ(bits_of(e[1]), bits_of(1.0f));
  EXPECT_EQ(e[2], kInf);
  EXPECT_EQ(bits_of(e[3]), bits_of(0.0f));
  EXPECT_TRUE(std::isnan(e[4]));
  EXPECT_EQ(e[5], kInf);
  EXPECT_EQ(e[6], float(expl((long double)xs[6])));  // the largest finite results
  EXPECT_EQ(e[7], kInf);
  EXPECT_EQ(e[8], float(expl((long double)xs[8])));  // the least subnormal, 2^−149
  EXPECT_EQ(bits_of(e[9]), bits_of(0.0f));
  EXPECT_EQ(e[10], float(expl((long double)xs[10])));  // around the least normal float
  EXPECT_EQ(e[11], float(expl((long double)xs[11])));

  const std::vector<float> ls = {0.0f, -0.0f, -1.0f, -kInf, kInf, nan, 1.0f, 0x1p-149f, 0x1p-127f, 2.0f};
  const std::vector<float> l = values_of(log(Tensor::from_vector(ls, {int64_t(ls.size())})));
  EXPECT_EQ(l[0], -kInf);
  EXPECT_EQ(l[1], -kInf);
  EXPECT_TRUE(std::isnan(l[2]));
  EXPECT_TRUE(std::isnan(l[3]));
  EXPECT_EQ(l[4], kInf);
  EXPECT_TRUE(std::isnan(l[5]));
  EXPECT_EQ(bits_of(l[6]), bits_of(0.0f));
  EXPECT_EQ(l[7], float(logl(0x1p-149L)));
  EXPECT_EQ(l[8], float(logl(0x1p-127L)));
  EXPECT_EQ(l[9], float(logl(2.0L)));
}

// A value does not depend on where it sits: the vectorised body of a loop and its scalar tail
// (a tensor of 37 elements has both) give the bits a one-element tensor gives.
TEST(ExpLogF32, SameBitsInVectorLanesAndScalarTail) {
  std::vector<float> xs;
  for (int i = 0; i < 37; ++i) xs.push_back(float(i - 18) * 1.37f + 0.011f * float(i * i));
  const Tensor x = Tensor::from_vector(xs, {37});
  const Tensor positive = x.abs() + 1e-3;
  const std::vector<float> e = values_of(exp(x)), l = values_of(log(positive)), s = values_of(sigmoid(x));
  const std::vector<float> p = values_of(positive);
  for (int i = 0; i < 37; ++i) {
    const Tensor one = Tensor::from_vector(std::vector<float>{xs[size_t(i)]}, {1});
    const Tensor one_positive = Tensor::from_vector(std::vector<float>{p[size_t(i)]}, {1});
    EXPECT_EQ(bits_of(e[size_t(i)]), bits_of(values_of(exp(one))[0])) << i;
    EXPECT_EQ(bits_of(l[size_t(i)]), bits_of(values_of(log(one_positive))[0])) << i;
    EXPECT_EQ(bits_of(s[size_t(i)]), bits_of(values_of(sigmoid(one))[0])) << i;
  }
}

}  // namespace
}  // namespace nabla
