// The GEMM wrapper (src/kernels/gemm.h) and both of its paths at the same shapes, to show where
// OpenBLAS starts to beat the in-house loop (the wrapper switches at m·n·k > kBlockedGemm,
// src/kernels/gemm.h):
//   BM_gemm_wrapper  what nabla calls (its path depends on m·n·k; the label says which)
//   BM_gemm_small    the in-house register-blocked kernel at every size (kernels::small_gemm_blocked)
//   BM_gemm_openblas cblas_sgemm at every size
// For the crossover, run on a quiet machine with --threads=1 (the small loop is single-threaded).
// Arguments: m, n, k, trans_a, trans_b. Shapes: squares, and the three products of each Linear
// layer of W2–W4 (forward x·Wᵀ: m=B n=out k=in, NT; grad of x: m=B n=in k=out, NN;
// grad of W: m=in n=out k=B, TN).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <array>
#include <cstdint>
#include <vector>

#include "kernels/gemm.h"
#include "nabla/nabla.h"

namespace {

constexpr int64_t kBlockedGemmCopy = nabla::kernels::kBlockedGemm;

enum class Path { wrapper, small, openblas };

template <Path path>
void BM_gemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const bool ta = state.range(3) != 0, tb = state.range(4) != 0;
  // Stored shapes: A is (m, k), or (k, m) when transposed; B is (k, n), or (n, k).
  nabla::Generator g(0);
  const std::vector<float> a = nabla::randn({m * k}, nabla::DType::float32, &g).to_vector<float>();
  const std::vector<float> b = nabla::randn({k * n}, nabla::DType::float32, &g).to_vector<float>();
  std::vector<float> c(static_cast<size_t>(m * n));
  const int64_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
  for (auto _ : state) {
    if constexpr (path == Path::wrapper) {
      nabla::kernels::gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, nullptr, c.data(), ldc);
    } else if constexpr (path == Path::small) {
      nabla::kernels::small_gemm_blocked(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, nullptr, c.data(), ldc);
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
                  1.0f, a.data(), int(lda), b.data(), int(ldb), 0.0f, c.data(), int(ldc));
    }
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["mnk"] = static_cast<double>(m * n * k);
  if (path == Path::wrapper) state.SetLabel(m * n * k <= kBlockedGemmCopy ? "in-house" : "OpenBLAS");
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "n", "k", "ta", "tb"});
  for (int64_t s : {2, 4, 8, 12, 16, 20, 24, 32, 48, 64, 128, 256, 512, 1024}) b->Args({s, s, s, 0, 0});
  // (batch, in, out) of each Linear layer of W2, W3, W4.
  const std::vector<std::array<int64_t, 3>> layers = {{32, 2, 16},     {32, 16, 16},    {32, 16, 1},
                                                      {64, 2, 64},     {64, 64, 64},    {64, 64, 1},
                                                      {128, 784, 512}, {128, 512, 256}, {128, 256, 10}};
  for (const auto& [batch, in, out] : layers) {
    b->Args({batch, out, in, 0, 1});  // forward: x · Wᵀ
    b->Args({batch, in, out, 0, 0});  // grad of x: grad_out · W
    b->Args({in, out, batch, 1, 0});  // grad of Wᵀ: xᵀ · grad_out
  }
}

// Wall-clock time (OpenBLAS may run several threads); the CPU column is the calling thread's.
BENCHMARK(BM_gemm<Path::wrapper>)->Name("BM_gemm_wrapper")->Apply(shapes)->UseRealTime();
BENCHMARK(BM_gemm<Path::small>)->Name("BM_gemm_small")->Apply(shapes)->UseRealTime();
BENCHMARK(BM_gemm<Path::openblas>)->Name("BM_gemm_openblas")->Apply(shapes)->UseRealTime();

}  // namespace
