// The machine's own ceiling for the GEMM numbers: fused multiply-adds on registers only (12
// independent 8-float accumulators, no memory traffic), on one thread and on two at once. On the
// 2-vCPU Zen 4 machines this measured ~97 GFLOP/s on one thread and ~51 each on two: the two
// vCPUs share one core's FMA units.
//   build-bench/nabla_micro_bench --benchmark_filter=fma_peak
#include <benchmark/benchmark.h>
#include <immintrin.h>

namespace {

__attribute__((target("avx2,fma"))) void BM_fma_peak(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    state.SkipWithError("this CPU has no AVX2+FMA");
    return;
  }
  const __m256 scale = _mm256_set1_ps(0.999999f), shift = _mm256_set1_ps(1e-7f);
  __m256 acc[12];
  for (int r = 0; r < 12; ++r) acc[r] = _mm256_set1_ps(float(r));
  constexpr int kInner = 1000;
  for (auto _ : state) {
    for (int i = 0; i < kInner; ++i) {
#pragma GCC unroll 12
      for (int r = 0; r < 12; ++r) acc[r] = _mm256_fmadd_ps(acc[r], scale, shift);
    }
  }
  for (int r = 0; r < 12; ++r) benchmark::DoNotOptimize(acc[r]);
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * 8 * 12 * kInner, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}
BENCHMARK(BM_fma_peak)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
