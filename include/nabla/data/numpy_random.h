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
// Not reproduced: other distributions, integers(), spawn(), the legacy np.random.seed / RandomState
// (Mersenne Twister), and 32-bit draws (PCG64's has_uint32 buffer).
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
