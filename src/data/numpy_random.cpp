#include "nabla/data/numpy_random.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "nabla/error.h"
#include "nabla/expr/expr.h"
#include "numpy_ziggurat.h"

// NOTE: numpy's wheels and Debian's numpy are built for baseline x86-64, where `a * b + c` is a
// multiply and an add, each rounded. A fused multiply-add would change the ziggurat's wedge test
// in the last bit, so none may be formed here, whatever -march the project is built with.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace nabla::numpy {

// ============================== SeedSequence ==============================

namespace {

// numpy/random/bit_generator.pyx
constexpr std::uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875, kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
constexpr std::uint32_t kMixMultL = 0xca01f9dd, kMixMultR = 0x4973f715;
constexpr int kXShift = 16;

std::uint32_t hashmix(std::uint32_t value, std::uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  return value ^ (value >> kXShift);
}

std::uint32_t mix(std::uint32_t x, std::uint32_t y) {
  const std::uint32_t result = kMixMultL * x - kMixMultR * y;
  return result ^ (result >> kXShift);
}

std::vector<std::uint32_t> words_of(std::uint64_t n) {
  if (n == 0) return {0};
  std::vector<std::uint32_t> w;
  for (; n > 0; n >>= 32) w.push_back(static_cast<std::uint32_t>(n));
  return w;
}

}  // namespace

SeedSequence::SeedSequence(std::uint64_t entropy) : SeedSequence(words_of(entropy)) {}

SeedSequence::SeedSequence(const std::vector<std::uint32_t>& entropy) {
  std::uint32_t hash_const = kInitA;
  for (std::size_t i = 0; i < pool_.size(); ++i) pool_[i] = hashmix(i < entropy.size() ? entropy[i] : 0, hash_const);
  for (std::size_t src = 0; src < pool_.size(); ++src)
    for (std::size_t dst = 0; dst < pool_.size(); ++dst)
      if (src != dst) pool_[dst] = mix(pool_[dst], hashmix(pool_[src], hash_const));
  for (std::size_t src = pool_.size(); src < entropy.size(); ++src)
    for (std::size_t dst = 0; dst < pool_.size(); ++dst)
      pool_[dst] = mix(pool_[dst], hashmix(entropy[src], hash_const));
}

std::vector<std::uint32_t> SeedSequence::generate_state(std::size_t n_words) const {
  std::uint32_t hash_const = kInitB;
  std::vector<std::uint32_t> state(n_words);
  for (std::size_t i = 0; i < n_words; ++i) {
    std::uint32_t v = pool_[i % pool_.size()] ^ hash_const;
    hash_const *= kMultB;
    v *= hash_const;
    state[i] = v ^ (v >> kXShift);
  }
  return state;
}

std::vector<std::uint64_t> SeedSequence::generate_state64(std::size_t n_words) const {
  const std::vector<std::uint32_t> w = generate_state(2 * n_words);
  std::vector<std::uint64_t> out(n_words);
  for (std::size_t i = 0; i < n_words; ++i) out[i] = w[2 * i] | (std::uint64_t(w[2 * i + 1]) << 32);
  return out;
}

// ============================== PCG64 ==============================

namespace {

using u128 = unsigned __int128;
constexpr u128 make128(std::uint64_t high, std::uint64_t low) { return (u128(high) << 64) | low; }
constexpr u128 kPcgMultiplier = make128(0x2360ED051FC65DA4ULL, 0x4385DF649FCCF645ULL);

}  // namespace

PCG64::PCG64(const SeedSequence& seed) {
  const std::vector<std::uint64_t> v = seed.generate_state64(4);
  const u128 initstate = make128(v[0], v[1]), initseq = make128(v[2], v[3]);
  // pcg_setseq_128_srandom_r
  inc_ = (initseq << 1) | 1;
  state_ = 0;
  state_ = state_ * kPcgMultiplier + inc_;
  state_ += initstate;
  state_ = state_ * kPcgMultiplier + inc_;
}

PCG64::State PCG64::state() const {
  return {std::uint64_t(state_ >> 64), std::uint64_t(state_), std::uint64_t(inc_ >> 64), std::uint64_t(inc_)};
}

std::uint64_t PCG64::random_raw() {
  state_ = state_ * kPcgMultiplier + inc_;
  const std::uint64_t xored = std::uint64_t(state_ >> 64) ^ std::uint64_t(state_);
  return std::rotr(xored, static_cast<int>(state_ >> 122));
}

double PCG64::next_double() { return double(random_raw() >> 11) * (1.0 / 9007199254740992.0); }

// ============================== Generator ==============================

double Generator::standard_normal() {
  using detail::kFiDouble, detail::kKiDouble, detail::kWiDouble;
  constexpr double kR = 3.6541528853610087963519472518;      // ziggurat_nor_r
  constexpr double kInvR = 0.27366123732975827203338247596;  // ziggurat_nor_inv_r
  for (;;) {
    // One 64-bit draw: 8 bits of layer, 1 of sign, 52 of magnitude.
    std::uint64_t r = bits_.random_raw();
    const int idx = static_cast<int>(r & 0xff);
    r >>= 8;
    const bool negative = r & 1;
    const std::uint64_t rabs = (r >> 1) & 0x000fffffffffffffULL;
    double x = double(rabs) * kWiDouble[idx];
    if (negative) x = -x;
    if (rabs < kKiDouble[idx]) return x;  // inside the layer's rectangle: 99.3% of draws
    if (idx == 0) {
      // The tail beyond r (Marsaglia's method); numpy 1.24 takes log1p(-U) to avoid log(0).
      for (;;) {
        const double xx = -kInvR * std::log1p(-bits_.next_double());
        const double yy = -std::log1p(-bits_.next_double());
        if (yy + yy > xx * xx) return ((rabs >> 8) & 0x1) ? -(kR + xx) : kR + xx;
      }
    }
    if ((kFiDouble[idx - 1] - kFiDouble[idx]) * bits_.next_double() + kFiDouble[idx] < std::exp(-0.5 * x * x))
      return x;  // in the wedge under the density
  }
}

double Generator::normal(double loc, double scale) { return loc + scale * standard_normal(); }

std::vector<double> Generator::random(std::size_t n) {
  std::vector<double> out(n);
  for (double& v : out) v = random();
  return out;
}

std::vector<double> Generator::standard_normal(std::size_t n) {
  std::vector<double> out(n);
  for (double& v : out) v = standard_normal();
  return out;
}

std::vector<double> Generator::normal(std::size_t n, double loc, double scale) {
  std::vector<double> out(n);
  for (double& v : out) v = normal(loc, scale);
  return out;
}

// ============================== RandomState ==============================
// numpy/random/src/mt19937/mt19937.c, src/legacy/legacy-distributions.c,
// src/distributions/distributions.c (random_interval, random_bounded_uint64_fill), mtrand.pyx.

namespace {

constexpr int kMtN = 624, kMtM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU, kUpperMask = 0x80000000U, kLowerMask = 0x7fffffffU;

// The smallest 2^k - 1 >= max.
std::uint64_t mask_for(std::uint64_t max) {
  std::uint64_t mask = max;
  for (int shift = 1; shift <= 32; shift <<= 1) mask |= mask >> shift;
  return mask;
}

}  // namespace

void RandomState::seed(std::uint32_t seed) {
  // mt19937_seed (init_genrand)
  for (int i = 0; i < kMtN; ++i) {
    key_[i] = seed;
    seed = 1812433253U * (seed ^ (seed >> 30)) + static_cast<std::uint32_t>(i + 1);
  }
  pos_ = kMtN;
  has_gauss_ = false;
  gauss_ = 0.0;
}

std::uint32_t RandomState::random_uint32() {
  if (pos_ == kMtN) {  // mt19937_gen: all 624 words at once
    int i = 0;
    for (; i < kMtN - kMtM; ++i) {
      const std::uint32_t y = (key_[i] & kUpperMask) | (key_[i + 1] & kLowerMask);
      key_[i] = key_[i + kMtM] ^ (y >> 1) ^ (-(y & 1) & kMatrixA);
    }
    for (; i < kMtN - 1; ++i) {
      const std::uint32_t y = (key_[i] & kUpperMask) | (key_[i + 1] & kLowerMask);
      key_[i] = key_[i + (kMtM - kMtN)] ^ (y >> 1) ^ (-(y & 1) & kMatrixA);
    }
    const std::uint32_t y = (key_[kMtN - 1] & kUpperMask) | (key_[0] & kLowerMask);
    key_[kMtN - 1] = key_[kMtM - 1] ^ (y >> 1) ^ (-(y & 1) & kMatrixA);
    pos_ = 0;
  }
  std::uint32_t y = key_[pos_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  return y ^ (y >> 18);
}

std::uint64_t RandomState::random_uint64() {
  const std::uint64_t high = random_uint32();
  return (high << 32) | random_uint32();
}

double RandomState::random_sample() {
  const std::int32_t a = static_cast<std::int32_t>(random_uint32() >> 5);
  const std::int32_t b = static_cast<std::int32_t>(random_uint32() >> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

std::vector<double> RandomState::rand(std::size_t n) {
  std::vector<double> out(n);
  for (double& v : out) v = random_sample();
  return out;
}

double RandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double cached = gauss_;
    gauss_ = 0.0;
    return cached;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

std::vector<double> RandomState::randn(std::size_t n) {
  std::vector<double> out(n);
  for (double& v : out) v = standard_normal();
  return out;
}

std::uint64_t RandomState::random_interval(std::uint64_t max) {
  if (max == 0) return 0;
  const std::uint64_t mask = mask_for(max);
  std::uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (random_uint32() & mask)) > max) {
    }
  } else {
    while ((value = (random_uint64() & mask)) > max) {
    }
  }
  return value;
}

std::vector<std::int64_t> RandomState::randint(std::int64_t low, std::int64_t high, std::size_t n) {
  NABLA_CHECK(low < high, ValueError, "RandomState::randint: low >= high (low ", low, ", high ", high, ")");
  // random_bounded_uint64_fill(off = low, rng = high - 1 - low, use_masked = true)
  const std::uint64_t off = static_cast<std::uint64_t>(low);
  const std::uint64_t range = static_cast<std::uint64_t>(high) - 1 - off;
  std::vector<std::int64_t> out(n);
  // random_interval's masked rejection is numpy's for every range: a range of 0 draws nothing,
  // one of 2^32 - 1 (or 2^64 - 1) takes the raw draw, as the mask keeps all its bits.
  for (std::int64_t& v : out) v = static_cast<std::int64_t>(off + random_interval(range));
  return out;
}

std::int64_t RandomState::randint(std::int64_t low, std::int64_t high) { return randint(low, high, 1)[0]; }

void RandomState::shuffle(std::vector<std::int64_t>& values) {
  for (std::size_t i = values.size(); i-- > 1;) {
    const std::size_t j = random_interval(i);
    std::swap(values[i], values[j]);
  }
}

void RandomState::shuffle_rows(std::vector<double>& values, std::size_t cols) {
  NABLA_CHECK(cols > 0 && values.size() % cols == 0, ValueError, "RandomState::shuffle_rows: ", values.size(),
              " values are not rows of ", cols);
  const std::size_t rows = values.size() / cols;
  for (std::size_t i = rows; i-- > 1;) {
    const std::size_t j = random_interval(i);
    if (i != j) std::swap_ranges(values.begin() + i * cols, values.begin() + (i + 1) * cols, values.begin() + j * cols);
  }
}

std::vector<std::int64_t> RandomState::permutation(std::int64_t n) {
  NABLA_CHECK(n >= 0, ValueError, "RandomState::permutation: n must be non-negative, got ", n);
  std::vector<std::int64_t> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[i] = i;
  shuffle(values);
  return values;
}

// ============================== LabelRule ==============================

struct LabelRule::Impl {
  expr::Expression lhs, rhs;
  std::string op;  // > >= < <=
};

namespace {

// Columns count characters, as expr's do (UTF-8 continuation bytes do not start one).
int characters(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

[[noreturn]] void rule_error(const std::string& rule, int column, const std::string& message) {
  throw ParseError::in_text(
      nabla::detail::concat("label rule '", nabla::detail::excerpt(rule), "': ", message, " (column ", column, ")"),
      rule, 1, column);
}

// Parses one side; re-throws its errors with columns in the whole rule.
expr::Expression side(const std::string& rule, std::size_t begin, std::size_t end) {
  const std::string text = rule.substr(begin, end - begin);
  const int offset = characters(std::string_view(rule).substr(0, begin));
  try {
    return expr::Expression(text);
  } catch (const ParseError& e) {
    std::string message = e.what();
    if (const std::size_t p = message.rfind(" (column "); p != std::string::npos) message.resize(p);
    rule_error(rule, offset + std::max(1, e.column()), message);
  }
}

void check_names(const std::string& rule, const expr::Expr& e, int offset, int64_t features) {
  using Kind = expr::Expr::Kind;
  if (e.kind == Kind::variable) {
    const std::string& n = e.text;
    bool ok = n.size() >= 2 && n[0] == 'x' && n[1] != '0' && n.size() <= 12 &&
              n.find_first_not_of("0123456789", 1) == std::string::npos;
    if (ok) ok = std::stoll(n.substr(1)) <= features;
    if (!ok)
      rule_error(rule, offset + e.column,
                 nabla::detail::concat("unknown variable '", n, "' (the features are x1 .. x", features, ")"));
  }
  if (e.kind == Kind::call) {
    static const char* const kOne[] = {"exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid"};
    bool ok = false;
    for (const char* f : kOne) ok = ok || (e.text == f && e.args.size() == 1);
    ok = ok || ((e.text == "min" || e.text == "max") && e.args.size() == 2);
    if (!ok)
      rule_error(rule, offset + e.column,
                 "unsupported function '" + e.text + "' (exp log sqrt abs sin cos tanh sigmoid, min max)");
  }
  if (e.kind == Kind::binary) {  // a chain x1+x2+... in a loop (expr::left_chain)
    const std::vector<const expr::Expr*> chain = expr::left_chain(e);
    check_names(rule, *chain.back()->args[0], offset, features);
    for (size_t i = chain.size(); i-- > 0;) check_names(rule, *chain[i]->args[1], offset, features);
    return;
  }
  for (const auto& a : e.args) check_names(rule, *a, offset, features);
}

// The formula on one row, with numpy's elementwise operations.
double eval(const expr::Expr& e, const double* row) {
  using Kind = expr::Expr::Kind;
  switch (e.kind) {
    case Kind::number:
      return e.number;
    case Kind::variable:
      return row[std::stoll(e.text.substr(1)) - 1];
    case Kind::negate:
      return -eval(*e.args[0], row);
    case Kind::binary: {
      if (e.text == "^") {
        const double a = eval(*e.args[0], row);
        const expr::Expr& rhs = *e.args[1];
        // numpy's power: x**2 is np.square (x·x), other exponents pow.
        if (rhs.kind == Kind::number && rhs.number == 2.0) return a * a;
        return std::pow(a, eval(rhs, row));
      }
      const std::vector<const expr::Expr*> chain = expr::left_chain(e);  // a+b+c+... in a loop
      double a = eval(*chain.back()->args[0], row);
      for (size_t i = chain.size(); i-- > 0;) {
        const double b = eval(*chain[i]->args[1], row);
        const std::string& op = chain[i]->text;
        a = op == "+" ? a + b : op == "-" ? a - b : op == "*" ? a * b : a / b;
      }
      return a;
    }
    case Kind::call: {
      const double a = eval(*e.args[0], row);
      const std::string& f = e.text;
      if (f == "min") return std::fmin(a, eval(*e.args[1], row));
      if (f == "max") return std::fmax(a, eval(*e.args[1], row));
      if (f == "sigmoid") return 1.0 / (1.0 + std::exp(-a));  // as the notebooks write it
      if (f == "exp") return std::exp(a);
      if (f == "log") return std::log(a);
      if (f == "sqrt") return std::sqrt(a);
      if (f == "abs") return std::fabs(a);
      if (f == "sin") return std::sin(a);
      if (f == "cos") return std::cos(a);
      return std::tanh(a);
    }
  }
  return NAN;
}

}  // namespace

LabelRule::LabelRule(std::string text, int64_t features) : text_(std::move(text)) {
  NABLA_CHECK(features > 0, ValueError, "LabelRule: features must be positive, got ", features);
  // The comparison: one of > >= < <= outside any brackets.
  std::size_t at = std::string::npos, len = 0;
  int depth = 0;
  for (std::size_t i = 0; i < text_.size(); ++i) {
    const char c = text_[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == '>' || c == '<') && depth == 0) {
      if (at != std::string::npos)
        rule_error(text_, characters(std::string_view(text_).substr(0, i)) + 1, "more than one comparison");
      at = i;
      len = i + 1 < text_.size() && text_[i + 1] == '=' ? 2 : 1;
      i += len - 1;
    }
  }
  if (at == std::string::npos)
    rule_error(text_, characters(text_) + 1, "expected a comparison such as 'x1^2 + x2^2 > 1.3' (> >= < <=)");
  impl_ = std::make_unique<Impl>(Impl{side(text_, 0, at), side(text_, at + len, text_.size()), text_.substr(at, len)});
  check_names(text_, impl_->lhs.root(), 0, features);
  check_names(text_, impl_->rhs.root(), characters(std::string_view(text_).substr(0, at + len)), features);
}

LabelRule::~LabelRule() = default;
LabelRule::LabelRule(LabelRule&&) noexcept = default;
LabelRule& LabelRule::operator=(LabelRule&&) noexcept = default;

bool LabelRule::operator()(const double* row) const {
  const double a = eval(impl_->lhs.root(), row), b = eval(impl_->rhs.root(), row);
  const std::string& op = impl_->op;
  return op == ">" ? a > b : op == ">=" ? a >= b : op == "<" ? a < b : a <= b;
}

// ============================== the dataset ==============================

Dataset make_normal_dataset(const NormalDatasetOptions& o) {
  NABLA_CHECK(o.n > 0 && o.features > 0, ValueError,
              "make_normal_dataset: n and features must be positive, got n = ", o.n, ", features = ", o.features);
  const LabelRule rule(o.label, o.features);
  Generator rng(o.seed);
  const std::vector<double> x = rng.normal(static_cast<std::size_t>(o.n * o.features));
  std::vector<double> y(static_cast<std::size_t>(o.n));
  for (int64_t i = 0; i < o.n; ++i) y[i] = rule(x.data() + i * o.features) ? 1.0 : 0.0;
  Dataset d;
  d.x = Tensor::from_vector(x, {o.n, o.features}, o.dtype);
  d.y = Tensor::from_vector(y, {o.n, 1}, o.dtype);
  d.num_classes = 2;
  d.name = "numpy_normal";
  d.validate();
  return d;
}

}  // namespace nabla::numpy
