// nabla/data/numpy_random.h — numpy's default random generator, bit for bit, for the calls the
// course's notebooks make (np.random.default_rng(seed) followed by normal / standard_normal /
// random), and a dataset drawn with it: the notebooks' points, exactly.
//
//   nabla::numpy::Generator rng(7);                        // rng = np.random.default_rng(7)
//   std::vector<double> X = rng.normal(60 * 2);            // X = rng.normal(size=(60, 2)), row-major
//   std::vector<double> W = rng.normal(2, 0.0, 0.5);       // W = rng.normal(scale=0.5, size=(1, 2))
//
// What is reproduced, from numpy's sources (numpy >= 1.17; the tests compare with numpy 1.24.2):
// * SeedSequence(seed), seed a non-negative integer: the seed split into 32-bit words (lowest
//   first), mixed into a pool of four words by O'Neill's seed_seq hash (hashmix/mix with
//   INIT_A/MULT_A, MIX_MULT_L/R), and generate_state(n) hashing the pool round-robin with
//   INIT_B/MULT_B (uint64 words are two uint32 words, little-endian).
// * PCG64 seeded as numpy seeds it: generate_state(4, uint64) = s0 s1 i0 i1, initstate
//   s0·2⁶⁴ + s1, initseq i0·2⁶⁴ + i1; srandom: inc = 2·initseq + 1, state = 0, step,
//   state += initstate, step. Each draw steps the 128-bit LCG (state·M + inc, M =
//   0x2360ED051FC65DA44385DF649FCCF645) and outputs XSL-RR: rotr64(hi ^ lo, state >> 122)
//   (`random_raw`).
// * random(): (random_raw() >> 11) · 2⁻⁵³, uniform on [0, 1).
// * standard_normal(): numpy's 256-layer ziggurat (random_standard_normal in
//   distributions/distributions.c) with its tables ki_double/wi_double/fi_double (copied out of
//   numpy, src/data/numpy_ziggurat.h), including the wedge test and the tail beyond r ≈ 3.6542
//   with log1p(−U) as numpy 1.24 computes it. normal(loc, scale) = loc + scale · standard_normal().
// * RandomState(seed) — numpy's legacy generator, also behind np.random.seed(seed) and the
//   np.random.* functions — for an integer seed in [0, 2³²): MT19937 seeded by init_genrand as
//   `_legacy_seeding` does (mt19937_seed: key[0] = seed, key[i] = 1812433253·(key[i−1] ^
//   key[i−1] >> 30) + i, first draw regenerates all 624 words), no cached Gaussian.
//   random_sample(): (a >> 5, b >> 6) of two draws, (a·2²⁶ + b)·2⁻⁵³. standard_normal():
//   `legacy_gauss`, the polar method: x1, x2 = 2·random_sample() − 1 until 0 < r² = x1² + x2² < 1,
//   f = sqrt(−2·log(r²)/r²); returns f·x2 and keeps f·x1 for the next call (the cache survives
//   rand() calls in between, and seed() clears it). randint(low, high) with numpy's default dtype
//   (int64): `_rand_int64` → random_bounded_uint64_fill with the masked rejection: range
//   r = high − 1 − low, mask = the smallest 2^k − 1 ≥ r, draw & mask until ≤ r, a 32-bit draw when
//   r < 2³² (no mask for r = 2³² − 1), else a 64-bit draw (hi word first). shuffle(): Fisher-Yates
//   from the end, j = random_interval(i) (the same masked rejection, 32-bit for i < 2³²), for i =
//   n−1 .. 1; permutation(n) shuffles arange(n).
// Not reproduced: other distributions, integers(), spawn(), 32-bit draws of PCG64 (its has_uint32
// buffer); for RandomState, seeds that are arrays (init_by_array), get_state/set_state, and dtypes
// of randint other than int64.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::numpy {

// numpy.random.SeedSequence(entropy) with the default pool size (4) and no spawn key.
class SeedSequence {
 public:
  explicit SeedSequence(std::uint64_t entropy);
  // Entropy given as 32-bit words, lowest first (what numpy makes of an int or a list of ints).
  explicit SeedSequence(const std::vector<std::uint32_t>& entropy_words);

  const std::array<std::uint32_t, 4>& pool() const { return pool_; }
  std::vector<std::uint32_t> generate_state(std::size_t n_words) const;
  std::vector<std::uint64_t> generate_state64(std::size_t n_words) const;  // dtype=np.uint64

 private:
  std::array<std::uint32_t, 4> pool_{};
};

// numpy.random.PCG64: the 128-bit LCG with the XSL-RR output.
class PCG64 {
 public:
  explicit PCG64(std::uint64_t seed) : PCG64(SeedSequence(seed)) {}
  explicit PCG64(const SeedSequence& seed);

  // bit_generator.state["state"] as {state, inc}, each {high 64 bits, low 64 bits}.
  struct State {
    std::uint64_t state_high = 0, state_low = 0, inc_high = 0, inc_low = 0;
  };
  State state() const;

  std::uint64_t random_raw();  // bit_generator.random_raw()
  double next_double();        // (random_raw() >> 11) * 2^-53

 private:
  unsigned __int128 state_ = 0, inc_ = 0;
};

// numpy.random.default_rng(seed): a Generator over PCG64(SeedSequence(seed)).
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : bits_(seed) {}

  double random() { return bits_.next_double(); }
  double standard_normal();
  double normal(double loc, double scale);  // loc + scale * standard_normal()
  // n draws in order, as rng.random(size=n) / rng.standard_normal(n) / rng.normal(loc, scale, n)
  // fill an array (row-major for a shape).
  std::vector<double> random(std::size_t n);
  std::vector<double> standard_normal(std::size_t n);
  std::vector<double> normal(std::size_t n, double loc = 0.0, double scale = 1.0);

  PCG64& bit_generator() { return bits_; }

 private:
  PCG64 bits_;
};

// A class rule over the features x1, x2, ... of a row: "x1^2 + x2^2 > 1.3",
// "sigmoid(2*x1 - x2 + 0.5) > 0.5". Two formulas (nabla::expr syntax) joined by one of
// > >= < <=, evaluated in double the way numpy evaluates the same expression on arrays: x^2 is
// x·x (np.square), other powers std::pow, sigmoid(z) = 1/(1 + exp(−z)); functions exp log sqrt
// abs sin cos tanh sigmoid, min max. Throws ParseError (source = the rule, 1-based column) for a
// malformed rule, an unknown function, or a variable other than x1 .. x<features>.
class LabelRule {
 public:
  LabelRule(std::string text, int64_t features);
  ~LabelRule();
  LabelRule(LabelRule&&) noexcept;
  LabelRule& operator=(LabelRule&&) noexcept;

  bool operator()(const double* row) const;  // row: `features` values
  const std::string& text() const { return text_; }

 private:
  struct Impl;
  std::string text_;
  std::unique_ptr<Impl> impl_;
};

// numpy.random.RandomState(seed) — the legacy Mersenne Twister generator; np.random.seed(seed)
// followed by np.random.rand / randn / randint / permutation / shuffle draws the same numbers.
//
//   nabla::numpy::RandomState rs(42);                      // rs = np.random.RandomState(42)
//   std::vector<std::int64_t> p = rs.permutation(442);     // rs.permutation(442)
//   std::vector<double> z = rs.randn(5);                   // rs.randn(5)
class RandomState {
 public:
  explicit RandomState(std::uint32_t seed) { this->seed(seed); }
  void seed(std::uint32_t seed);  // np.random.seed(seed): fresh MT state, Gaussian cache cleared

  std::uint32_t random_uint32();  // raw MT19937 output (genrand_int32)
  std::uint64_t random_uint64();  // two draws, the first the high word (mt19937_next64)
  double random_sample();         // rand(): uniform on [0, 1), 53 bits from two draws
  std::vector<double> rand(std::size_t n);
  double standard_normal();  // randn(): legacy polar method with its cached second value
  std::vector<double> randn(std::size_t n);
  // randint(low, high): uniform on [low, high), numpy's default int64 dtype. Throws ValueError
  // when low >= high.
  std::int64_t randint(std::int64_t low, std::int64_t high);
  std::vector<std::int64_t> randint(std::int64_t low, std::int64_t high, std::size_t n);
  // random_interval(max): uniform on [0, max] by masked rejection (what shuffle draws).
  std::uint64_t random_interval(std::uint64_t max);
  std::vector<std::int64_t> permutation(std::int64_t n);  // np.random.permutation(n)
  void shuffle(std::vector<std::int64_t>& values);        // np.random.shuffle, 1-D
  // np.random.shuffle of a 2-D array's rows (row-major, `cols` values per row): the same index
  // draws as shuffle of a 1-D array with as many elements as rows.
  void shuffle_rows(std::vector<double>& values, std::size_t cols);

  // The MT19937 state as numpy's get_state() shows it: the 624 key words and the position.
  const std::array<std::uint32_t, 624>& key() const { return key_; }
  int pos() const { return pos_; }
  bool has_gauss() const { return has_gauss_; }
  double cached_gauss() const { return gauss_; }

 private:
  std::array<std::uint32_t, 624> key_{};
  int pos_ = 624;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

struct NormalDatasetOptions {
  int64_t n = 0;           // rows
  int64_t features = 2;    // columns
  std::uint64_t seed = 0;  // np.random.default_rng(seed)
  std::string label;       // the LabelRule giving class 1
  DType dtype = DType::float64;
};

// The notebooks' data: X = np.random.default_rng(seed).normal(size=(n, features)) (drawn in
// double, then cast to dtype), y = 1.0 where the rule holds, else 0.0 (float [n, 1]: binary
// classification). Rows in drawing order. Throws ValueError for n <= 0 or features <= 0, and
// ParseError for a bad rule.
Dataset make_normal_dataset(const NormalDatasetOptions& options);

}  // namespace nabla::numpy
