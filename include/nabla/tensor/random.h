// nabla/tensor/random.h — seedable random numbers, reproducible across runs and platforms.
//
// The generator is PyTorch's CPU generator re-implemented bit for bit (mt19937 seeded like
// torch.manual_seed, the same uniform / normal / randint / randperm transforms), so that
// `manual_seed(s); rand(...)` gives the numbers torch gives after `torch.manual_seed(s)` and
// nn layers initialised from the same seed start from PyTorch's weights.
//
//   nabla::manual_seed(0);
//   Tensor w = nabla::rand({3, 2}, DType::float64);   // == torch.rand(3, 2, dtype=torch.float64)
//   Generator g(42); Tensor n = nabla::randn({5}, DType::float32, &g);
#pragma once
#include <cstdint>
#include <string>

#include "nabla/tensor/tensor.h"

namespace nabla {

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL);  // PyTorch's default seed
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const;

  uint32_t random();    // next 32 bits of mt19937
  uint64_t random64();  // two draws combined as PyTorch does
  // The complete state (mt19937 words and position, cached normal values), as text, so that
  // a checkpoint can restore the exact stream.
  std::string state() const;
  void set_state(const std::string& state);

  // Private to the transforms in random.cpp (PyTorch caches the second Box-Muller value).
  struct Impl;
  Impl& impl() { return *impl_; }
  ~Generator();
  Generator(const Generator&);
  Generator& operator=(const Generator&);

 private:
  Impl* impl_;
};

// The process-wide default generator (like torch's default CPU generator). It starts from
// seed 67280421310721, as torch.Generator() does (torch seeds its own default from the OS), so
// runs are reproducible even without manual_seed.
Generator& default_generator();
void manual_seed(uint64_t seed);

// Uniform on [0, 1).
Tensor rand(const Shape& shape, DType dtype = DType::float32, Generator* gen = nullptr);
// Standard normal. For float32 with 16+ elements this follows torch's AVX2 kernel, on every
// platform (torch itself gives other values on CPUs without AVX2).
Tensor randn(const Shape& shape, DType dtype = DType::float32, Generator* gen = nullptr);
// Integers uniform in [low, high), int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen = nullptr);
// A random permutation of 0..n-1, int64.
Tensor randperm(int64_t n, Generator* gen = nullptr);

// In-place fills, as torch.Tensor.uniform_ / normal_ / bernoulli_.
Tensor& uniform_(Tensor& t, double low = 0.0, double high = 1.0, Generator* gen = nullptr);
Tensor& normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
Tensor& bernoulli_(Tensor& t, double p, Generator* gen = nullptr);
// Exponential with rate lambd, as torch.Tensor.exponential_ (CPU, without MKL).
Tensor& exponential_(Tensor& t, double lambd = 1.0, Generator* gen = nullptr);

// `num_samples` category indices per row of `probs` (1-D (C) or 2-D (N, C), non-negative
// weights, not necessarily normalised), int64 (num_samples) or (N, num_samples), as
// torch.multinomial: without replacement (or one sample) by the exponential trick (argmax / top-k
// of probs / Exp(1)), with replacement by inverting the row's cumulative sum.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false, Generator* gen = nullptr);

}  // namespace nabla
