// The machine's own ceiling for the GEMM numbers: fused multiply-adds on registers only (12
// independent 8-float accumulators, no memory traffic), on one thread and on two at once. On the
// 2-vCPU Zen 4 machines: ~97 GFLOP/s on one thread (Time ~1 950 ns); on two, ~190 in all at some
// times (Time ~1 000 ns, 2026-11-23 08:58) and ~102 in all at others (two processes of this loop
// at ~51 each, 07:40): the host sometimes runs the two vCPUs on one core's FMA units. The
// FLOP/s counter is right for one thread only.
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
  // On two threads Google Benchmark's Time column is the wall time per iteration of both threads
  // together: 192 000 flops per iteration, so GFLOP/s in all = 192 / (Time in ns) · 1000.
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * 8 * 12 * kInner, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}
BENCHMARK(BM_fma_peak)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
