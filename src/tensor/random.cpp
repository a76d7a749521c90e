// PyTorch 1.13's CPU generator and its transforms, re-implemented bit for bit.
//
// References (PyTorch 1.13): aten/src/ATen/core/MT19937RNGEngine.h (the engine),
// CPUGeneratorImpl.cpp (random64, seeding), core/DistributionsHelper.h + TransformationHelper.h
// (uniform / normal / bernoulli / randint transforms), native/cpu/DistributionTemplates.h (the
// kernels, incl. the vectorised Box-Muller fill), native/cpu/avx_mathfun.h (the float log and
// sincos that fill uses), TensorFactories.cpp (randperm).
//
// NOTE: PyTorch runs these kernels from its AVX2 build of native/cpu, compiled by GCC with -mfma
// and the default -ffp-contract=fast, so many `a * b + c` there became fused multiply-adds. The
// fma() calls below mark those places; each one that can change a result was checked against
// torch (fused matches, unfused does not), the others multiply exactly anyway. Everything else
// must round after every operation, hence contraction is switched off for this file (GCC
// contracts by default on targets with FMA, e.g. -march=native or aarch64).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "nabla/tensor/random.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "nabla/compile/tape.h"

namespace nabla {

// ---- the engine: at::mt19937 + CPUGeneratorImpl ----

struct Generator::Impl {
  static constexpr int kN = 624;
  static constexpr int kM = 397;

  uint64_t seed = 0;  // kept whole, although only its low 32 bits seed the engine (as PyTorch)
  int left = 1;       // draws until the next twist, plus one (PyTorch's `left_`)
  uint32_t next = 0;  // index of the next state word to temper
  std::array<uint32_t, kN> words{};
  // Box-Muller makes values in pairs; torch keeps the second for the next scalar draw.
  std::optional<double> next_double_normal;
  std::mutex mutex;  // PyTorch locks its generator per kernel; so do the fills below

  void reseed(uint64_t s) {
    seed = s;
    words[0] = static_cast<uint32_t>(s & 0xffffffffu);
    for (int j = 1; j < kN; ++j)
      words[j] = 1812433253u * (words[j - 1] ^ (words[j - 1] >> 30)) + static_cast<uint32_t>(j);
    left = 1;
    next = 0;
    next_double_normal.reset();
  }

  void twist() {
    auto mix = [](uint32_t u, uint32_t v) {
      uint32_t y = (u & 0x80000000u) | (v & 0x7fffffffu);
      return (y >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
    };
    for (int j = 0; j < kN - kM; ++j) words[j] = words[j + kM] ^ mix(words[j], words[j + 1]);
    for (int j = kN - kM; j < kN - 1; ++j) words[j] = words[j + kM - kN] ^ mix(words[j], words[j + 1]);
    words[kN - 1] = words[kM - 1] ^ mix(words[kN - 1], words[0]);
    left = kN;
    next = 0;
  }

  uint32_t draw() {
    if (--left == 0) twist();
    uint32_t y = words[next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

  // The first draw is the high half.
  uint64_t draw64() {
    uint64_t hi = draw();
    uint64_t lo = draw();
    return (hi << 32) | lo;
  }
};

Generator::Generator(uint64_t seed) : impl_(new Impl) { impl_->reseed(seed); }
Generator::~Generator() { delete impl_; }
Generator::Generator(const Generator& other) : impl_(new Impl) { *this = other; }

Generator& Generator::operator=(const Generator& other) {
  if (this == &other) return *this;
  std::scoped_lock lock(impl_->mutex, other.impl_->mutex);
  impl_->seed = other.impl_->seed;
  impl_->left = other.impl_->left;
  impl_->next = other.impl_->next;
  impl_->words = other.impl_->words;
  impl_->next_double_normal = other.impl_->next_double_normal;
  return *this;
}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard lock(impl_->mutex);
  impl_->reseed(seed);
}

uint64_t Generator::initial_seed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seed;
}

uint32_t Generator::random() {
  std::lock_guard lock(impl_->mutex);
  return impl_->draw();
}

uint64_t Generator::random64() {
  std::lock_guard lock(impl_->mutex);
  return impl_->draw64();
}

// Text form: a header line, then seed, position and cached normal (as its bit pattern, so it
// survives exactly), then the 624 state words in hex.
std::string Generator::state() const {
  std::lock_guard lock(impl_->mutex);
  const Impl& g = *impl_;
  std::ostringstream out;
  out << "nabla-mt19937 1\n"
      << "seed " << g.seed << "\nleft " << g.left << "\nnext " << g.next << "\nnormal ";
  if (g.next_double_normal)
    out << std::hex << std::bit_cast<uint64_t>(*g.next_double_normal) << std::dec;
  else
    out << "none";
  out << "\nwords" << std::hex;
  for (int i = 0; i < Impl::kN; ++i) out << (i % 8 == 0 ? "\n" : " ") << g.words[i];
  out << "\n";
  return out.str();
}

void Generator::set_state(const std::string& state) {
  std::istringstream in(state);
  auto expect = [&](const char* key) {
    std::string word;
    in >> word;
    NABLA_CHECK(in && word == key, ValueError, "Generator::set_state: expected '", key, "', got '",
                detail::excerpt(word), "' (not a string from Generator::state())");
  };
  Impl g;
  std::string normal;
  int version = 0;
  expect("nabla-mt19937");
  in >> version;
  NABLA_CHECK(in && version == 1, ValueError, "Generator::set_state: unsupported version ", version);
  expect("seed");
  in >> g.seed;
  expect("left");
  in >> g.left;
  expect("next");
  in >> g.next;
  expect("normal");
  in >> normal;
  expect("words");
  in >> std::hex;
  for (auto& w : g.words) in >> w;
  NABLA_CHECK(in && g.left >= 1 && g.left <= Impl::kN && g.next <= Impl::kN, ValueError,
              "Generator::set_state: malformed or truncated state (left ", g.left, ", next ", g.next, ")");
  if (normal != "none") {
    uint64_t bits = 0;
    std::istringstream hex(normal);
    hex >> std::hex >> bits;
    NABLA_CHECK(hex && hex.peek() == EOF, ValueError, "Generator::set_state: bad cached normal '",
                detail::excerpt(normal), "'");
    g.next_double_normal = std::bit_cast<double>(bits);
  }
  std::lock_guard lock(impl_->mutex);
  impl_->seed = g.seed;
  impl_->left = g.left;
  impl_->next = g.next;
  impl_->words = g.words;
  impl_->next_double_normal = g.next_double_normal;
}

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

// ---- transforms (DistributionsHelper.h / TransformationHelper.h) ----

namespace {

using Impl = Generator::Impl;

// 2 * c10::pi<double>, as torch's constant-folded `2.0 * pi`.
constexpr double kTwoPi = 2.0 * 3.14159265358979323846;

// uniform_real_distribution<float>: 24 low bits of one draw.
float uniform_f32(Impl& g, float from, float to) {
  float x = static_cast<float>(g.draw() & ((1u << 24) - 1)) * (1.0f / (1u << 24));
  return std::fma(x, to - from, from);
}

// uniform_real_distribution<double>: 53 low bits of random64().
double uniform_f64(Impl& g, double from, double to) {
  double x =
      static_cast<double>(g.draw64() & ((uint64_t{1} << 53) - 1)) * (1.0 / static_cast<double>(uint64_t{1} << 53));
  return std::fma(x, to - from, from);
}

// normal_distribution<double>: Box-Muller on two 53-bit uniforms, caching the sine half.
double normal_f64(Impl& g, double mean, double std) {
  if (g.next_double_normal) {
    double v = *g.next_double_normal;
    g.next_double_normal.reset();
    return std::fma(v, std, mean);
  }
  double u1 = uniform_f64(g, 0.0, 1.0);
  double u2 = uniform_f64(g, 0.0, 1.0);
  double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  double theta = kTwoPi * u1;
  g.next_double_normal = r * std::sin(theta);
  return std::fma(r * std::cos(theta), std, mean);
}

// ---- the vectorised float fill: one lane of avx_mathfun.h's log256_ps / sincos256_ps ----

float bits_to_f(uint32_t u) { return std::bit_cast<float>(u); }
uint32_t f_to_bits(float f) { return std::bit_cast<uint32_t>(f); }

// Cephes logf as log256_ps computes it (NaN for x <= 0).
float avx_log(float x) {
  const bool invalid = x <= 0.0f;
  const float min_norm = bits_to_f(0x00800000u);
  x = x > min_norm ? x : min_norm;  // _mm256_max_ps(x, min_norm)
  int32_t imm0 = static_cast<int32_t>(f_to_bits(x) >> 23);
  x = bits_to_f((f_to_bits(x) & ~0x7f800000u) | f_to_bits(0.5f));
  imm0 -= 0x7f;
  float e = static_cast<float>(imm0) + 1.0f;
  const bool below = x < 0.707106781186547524f;
  float tmp = below ? x : 0.0f;
  x = x - 1.0f;
  e = e - (below ? 1.0f : 0.0f);
  x = x + tmp;
  float z = x * x;
  float y = 7.0376836292E-2f;
  y = std::fma(y, x, -1.1514610310E-1f);
  y = std::fma(y, x, 1.1676998740E-1f);
  y = std::fma(y, x, -1.2420140846E-1f);
  y = std::fma(y, x, 1.4249322787E-1f);
  y = std::fma(y, x, -1.6668057665E-1f);
  y = std::fma(y, x, 2.0000714765E-1f);
  y = std::fma(y, x, -2.4999993993E-1f);
  y = std::fma(y, x, 3.3333331174E-1f);
  y = y * x;
  y = std::fma(y, z, e * -2.12194440e-4f);
  y = std::fma(z, -0.5f, y);
  x = x + y;
  x = std::fma(e, 0.693359375f, x);
  return invalid ? bits_to_f(f_to_bits(x) | 0xffffffffu) : x;
}

// Cephes sinf/cosf as sincos256_ps computes them.
void avx_sincos(float x, float* s, float* c) {
  uint32_t sign_sin = f_to_bits(x) & 0x80000000u;
  x = bits_to_f(f_to_bits(x) & 0x7fffffffu);
  float y = x * 1.27323954473516f;      // 4 / pi
  int32_t j = static_cast<int32_t>(y);  // cvtt: truncation
  j = (j + 1) & ~1;
  y = static_cast<float>(j);
  const uint32_t swap_sign_sin = static_cast<uint32_t>(j & 4) << 29;
  const bool poly_cos = (j & 2) == 0;
  // Cody-Waite reduction x - y * pi/4 in three parts (the first two products are exact; the
  // third must be fused: unfused, 1 value in ~10^7 differs from torch).
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const uint32_t sign_cos = static_cast<uint32_t>(~(j - 2) & 4) << 29;
  sign_sin ^= swap_sign_sin;

  float z = x * x;
  float yc = 2.443315711809948E-005f;
  yc = std::fma(yc, z, -1.388731625493765E-003f);
  yc = std::fma(yc, z, 4.166664568298827E-002f);
  yc = yc * z;
  yc = std::fma(yc, z, -(z * 0.5f));
  yc = yc + 1.0f;

  float ys = -1.9515295891E-4f;
  ys = std::fma(ys, z, 8.3321608736E-3f);
  ys = std::fma(ys, z, -1.6666654611E-1f);
  ys = ys * z;
  ys = std::fma(ys, x, x);

  // Masked selection done with and/andnot and subtractions, as the original.
  float ysin2 = poly_cos ? ys : 0.0f;
  float ysin1 = poly_cos ? 0.0f : yc;
  ys = ys - ysin2;
  yc = yc - ysin1;
  *s = bits_to_f(f_to_bits(ysin1 + ysin2) ^ sign_sin);
  *c = bits_to_f(f_to_bits(yc + ys) ^ sign_cos);
}

// normal_fill_16_AVX2: 16 uniforms in place -> 16 normals (lanes j and j + 8 pair up).
void normal_fill_16_f32(float* data, float mean, float std) {
  const float two_pi = static_cast<float>(kTwoPi);
  for (int j = 0; j < 8; ++j) {
    float u1 = 1.0f - data[j];
    float u2 = data[j + 8];
    float radius = std::sqrt(-2.0f * avx_log(u1));
    float theta = two_pi * u2;
    float s, c;
    avx_sincos(theta, &s, &c);
    data[j] = std::fma(radius * c, std, mean);
    data[j + 8] = std::fma(radius * s, std, mean);
  }
}

// normal_fill_16<double>, with the C library's log / sin / cos.
void normal_fill_16_f64(double* data, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    double u1 = 1.0 - data[j];
    double u2 = data[j + 8];
    double radius = std::sqrt(-2.0 * std::log(u1));
    double theta = kTwoPi * u2;
    data[j] = std::fma(radius * std::cos(theta), std, mean);
    data[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

// normal_fill / normal_fill_AVX2: all uniforms first, Box-Muller 16 at a time; a tail that is
// not a multiple of 16 is redone by drawing 16 fresh uniforms over the last 16 slots.
template <class T, class Uniform, class Fill16>
void normal_fill(T* data, int64_t n, Uniform uniform, Fill16 fill16) {
  for (int64_t i = 0; i < n; ++i) data[i] = uniform();
  for (int64_t i = 0; i + 16 <= n; i += 16) fill16(data + i);
  if (n % 16 != 0) {
    T* tail = data + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = uniform();
    fill16(tail);
  }
}

// Calls fn(T&) on every element in the order PyTorch's TensorIterator visits an output:
// memory order (dimensions sorted by stride, size-1 dimensions dropped).
template <class T, class Fn>
void for_each_element(const Tensor& t, const char* op, Fn fn) {
  T* base = t.data<T>();
  const int64_t n = t.numel();
  if (n == 0) return;
  if (t.is_contiguous()) {
    for (int64_t i = 0; i < n; ++i) fn(base[i]);
    return;
  }
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size), outermost first
  for (int d = 0; d < t.dim(); ++d) {
    if (t.shape()[d] == 1) continue;
    NABLA_CHECK(t.strides()[d] != 0, ValueError, op,
                ": the tensor has several elements at one memory location (an expanded view, "
                "shape ",
                t.shape().to_string(), "); fill a contiguous tensor instead");
    dims.emplace_back(t.strides()[d], t.shape()[d]);
  }
  std::stable_sort(dims.begin(), dims.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<int64_t> index(dims.size(), 0);
  int64_t offset = 0;
  for (int64_t k = 0; k < n; ++k) {
    fn(base[offset]);
    for (int d = static_cast<int>(dims.size()) - 1; d >= 0; --d) {
      offset += dims[d].first;
      if (++index[d] < dims[d].second) break;
      offset -= dims[d].first * dims[d].second;
      index[d] = 0;
    }
  }
}

Impl& impl_of(Generator* gen) { return (gen ? *gen : default_generator()).impl(); }

}  // namespace

// ---- public functions ----

Tensor& uniform_(Tensor& t, double low, double high, Generator* gen) {
  t.mark_modified("uniform_");
  capture::refuse("uniform_");
  NABLA_CHECK(low <= high, ValueError, "uniform_: expects low <= high, got low=", low, ", high=", high);
  Impl& g = impl_of(gen);
  std::lock_guard lock(g.mutex);
  dispatch_floating(t.dtype(), "uniform_", [&]<class T>() {
    if constexpr (std::is_same_v<T, float>) {
      const float from = static_cast<float>(low), to = static_cast<float>(high);
      for_each_element<float>(t, "uniform_", [&](float& v) { v = uniform_f32(g, from, to); });
    } else {
      for_each_element<double>(t, "uniform_", [&](double& v) { v = uniform_f64(g, low, high); });
    }
  });
  return t;
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  t.mark_modified("normal_");
  capture::refuse("normal_");
  NABLA_CHECK(std >= 0.0, ValueError, "normal_: expects std >= 0.0, got std=", std);
  Impl& g = impl_of(gen);
  std::lock_guard lock(g.mutex);
  const int64_t n = t.numel();
  // NOTE: only contiguous tensors of 16+ elements take torch's batched path (which leaves the
  // cached normal alone); the rest draw one pair per two elements through the cache.
  const bool batched = n >= 16 && t.is_contiguous();
  dispatch_floating(t.dtype(), "normal_", [&]<class T>() {
    if (!batched) {
      for_each_element<T>(t, "normal_", [&](T& v) { v = static_cast<T>(normal_f64(g, mean, std)); });
    } else if constexpr (std::is_same_v<T, float>) {
      const float m = static_cast<float>(mean), s = static_cast<float>(std);
      normal_fill(
          t.data<float>(), n, [&] { return uniform_f32(g, 0.0f, 1.0f); },
          [&](float* d) { normal_fill_16_f32(d, m, s); });
    } else {
      normal_fill(
          t.data<double>(), n, [&] { return uniform_f64(g, 0.0, 1.0); },
          [&](double* d) { normal_fill_16_f64(d, mean, std); });
    }
  });
  return t;
}

Tensor& bernoulli_(Tensor& t, double p, Generator* gen) {
  t.mark_modified("bernoulli_");
  capture::refuse("bernoulli_ (dropout in training mode)");
  NABLA_CHECK(p >= 0.0 && p <= 1.0, ValueError, "bernoulli_: expects 0 <= p <= 1, got p=", p);
  Impl& g = impl_of(gen);
  std::lock_guard lock(g.mutex);
  // bernoulli_distribution<double>: a 53-bit uniform compared with p, whatever the dtype.
  dispatch_all(t.dtype(), [&]<class T>() {
    for_each_element<T>(t, "bernoulli_", [&](T& v) { v = static_cast<T>(uniform_f64(g, 0.0, 1.0) < p); });
  });
  return t;
}

Tensor rand(const Shape& shape, DType dtype, Generator* gen) {
  NABLA_CHECK(is_floating(dtype), DTypeError, "rand: expected float32 or float64, got ", dtype_name(dtype));
  Tensor t = Tensor::empty(shape, dtype);
  return uniform_(t, 0.0, 1.0, gen);
}

Tensor randn(const Shape& shape, DType dtype, Generator* gen) {
  NABLA_CHECK(is_floating(dtype), DTypeError, "randn: expected float32 or float64, got ", dtype_name(dtype));
  Tensor t = Tensor::empty(shape, dtype);
  return normal_(t, 0.0, 1.0, gen);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen) {
  capture::refuse("randint");
  NABLA_CHECK(low < high, ValueError, "randint: expects low < high, got low=", low, ", high=", high);
  Tensor t = Tensor::empty(shape, DType::int64);
  Impl& g = impl_of(gen);
  std::lock_guard lock(g.mutex);
  // uniform_int_from_to_distribution: one draw, or random64() once the range needs > 32 bits.
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  const bool wide = range >= (uint64_t{1} << 32);
  int64_t* out = t.data<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    uint64_t v = wide ? g.draw64() : g.draw();
    out[i] = static_cast<int64_t>(v % range + static_cast<uint64_t>(low));
  }
  return t;
}

Tensor randperm(int64_t n, Generator* gen) {
  capture::refuse("randperm");
  NABLA_CHECK(n >= 0, ValueError, "randperm: n must be non-negative, got ", n);
  Tensor t = Tensor::empty(Shape{n}, DType::int64);
  int64_t* out = t.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) out[i] = i;
  Impl& g = impl_of(gen);
  std::lock_guard lock(g.mutex);
  // Fisher-Yates from the front with a 32-bit draw modulo the remaining count (randperm_cpu).
  for (int64_t i = 0; i + 1 < n; ++i) {
    int64_t z = static_cast<int64_t>(g.draw()) % (n - i);
    std::swap(out[i], out[z + i]);
  }
  return t;
}

Tensor& exponential_(Tensor& t, double lambd, Generator* gen) {
  t.mark_modified("exponential_");
  capture::refuse("exponential_");
  NABLA_CHECK(lambd > 0.0, ValueError, "exponential_: expects lambd > 0.0, got lambd=", lambd);
  Impl& g = impl_of(gen);
  std::lock_guard lock(g.mutex);
  // exponential_distribution<double> then a cast: -1/lambd * log(1 - u), u a 53-bit uniform.
  dispatch_floating(t.dtype(), "exponential_", [&]<class T>() {
    for_each_element<T>(t, "exponential_",
                        [&](T& v) { v = static_cast<T>(-1.0 / lambd * std::log(1.0 - uniform_f64(g, 0.0, 1.0))); });
  });
  return t;
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator* gen) {
  capture::refuse("multinomial");
  NABLA_CHECK(probs.dim() == 1 || probs.dim() == 2, ShapeError, "multinomial: probs must be 1-D or 2-D, got shape ",
              probs.shape().to_string());
  NABLA_CHECK(num_samples > 0, ValueError, "multinomial: num_samples must be positive, got ", num_samples);
  const int64_t rows = probs.dim() == 2 ? probs.shape()[0] : 1;
  const int64_t cats = probs.shape().back();
  NABLA_CHECK(cats > 0, ShapeError, "multinomial: probs has no categories (shape ", probs.shape().to_string(), ")");
  NABLA_CHECK(replacement || num_samples <= cats, ValueError, "multinomial: cannot take ", num_samples,
              " samples without replacement from ", cats, " categories");
  Shape out_shape = probs.dim() == 2 ? Shape{rows, num_samples} : Shape{num_samples};
  Tensor out = Tensor::empty(out_shape, DType::int64);
  int64_t* o = out.data<int64_t>();
  dispatch_floating(probs.dtype(), "multinomial", [&]<class T>() {
    const std::vector<T> p = probs.contiguous().to_vector<T>();
    for (int64_t r = 0; r < rows; ++r) {
      T sum = 0;
      for (int64_t c = 0; c < cats; ++c) {
        const T v = p[r * cats + c];
        NABLA_CHECK(std::isfinite(v) && v >= 0, ValueError,
                    "multinomial: probability tensor contains either inf, nan or element < 0");
        sum += v;
      }
      NABLA_CHECK(sum > 0, ValueError, "multinomial: invalid distribution in row ", r, " (sum of probabilities <= 0)");
    }
    if (!replacement) {  // torch 1.13 draws with replacement by its cumulative-sum kernel even for one sample
      Tensor q = Tensor::empty(Shape{rows, cats}, probs.dtype());
      exponential_(q, 1.0, gen);
      const T* e = q.data<T>();
      std::vector<int64_t> order(cats);
      std::vector<T> key(cats);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cats; ++c) key[c] = p[r * cats + c] / e[r * cats + c];
        for (int64_t c = 0; c < cats; ++c) order[c] = c;
        // argmax keeps the first of ties; top-k lists the largest first.
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return key[a] > key[b]; });
        for (int64_t k = 0; k < num_samples; ++k) o[r * num_samples + k] = order[k];
      }
      return;
    }
    Impl& g = impl_of(gen);
    std::lock_guard lock(g.mutex);
    std::vector<T> cum(cats);
    for (int64_t r = 0; r < rows; ++r) {
      T sum = 0;
      for (int64_t c = 0; c < cats; ++c) cum[c] = sum += p[r * cats + c];
      for (int64_t c = 0; c < cats; ++c) cum[c] /= sum;
      cum[cats - 1] = 1;
      for (int64_t k = 0; k < num_samples; ++k) {
        const double u = uniform_f64(g, 0.0, 1.0);
        int64_t left = 0, right = cats;
        while (right - left > 0) {
          const int64_t mid = left + (right - left) / 2;
          if (cum[mid] < u)
            left = mid + 1;
          else
            right = mid;
        }
        o[r * num_samples + k] = left;
      }
    }
  });
  return out;
}

}  // namespace nabla
