// The machine's own ceiling for the GEMM numbers: fused multiply-adds on registers only (12
// independent 8-float accumulators, no memory traffic), on one thread and on two at once. On the
// 2-vCPU Zen 4 machines: ~97 GFLOP/s on one thread (Time ~1 950 ns); on two, ~190 in all at some
// times (Time ~1 000 ns, 2026-11-23 08:58) and ~102 in all at others (two processes of this loop
// at ~51 each, 07:40): the host sometimes runs the two vCPUs on one core's FMA units. The
// FLOP/s counter is right for one thread only.
//   build-bench/nabla_micro_bench --benchmark_filter=fma_peak
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <atomic>
#include <thread>
#include <vector>

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

// What handing work to the other core costs: the caller writes a layer's activations (KB
// kibibytes), a second thread reads them and writes a result of the same size, the caller reads
// that back — the data flow of one product split over two threads. BM_handover_same_thread does
// the same reads and writes on the caller alone; the difference is the price of the two trips
// between the cores' caches and the two hand-overs. Measured 2026-11-23 12:55 on the 2-vCPU
// machines, the vCPUs on separate cores by fma_peak: 4 KB 3.3–4.3 µs against 0.3–0.4 on one
// thread, 16 KB 12.1–12.4 µs against 1.5, 64 KB 35–37 µs against 5.5–6.6 — moving a 64-wide
// layer's 16 KB between the cores costs more than the ~3 µs a 64×64×64 product (~6 µs) would
// save by being split in two.
//   build-bench/nabla_micro_bench --benchmark_filter=handover
void touch(const std::vector<float>& in, std::vector<float>& out) {
  for (size_t i = 0; i < in.size(); ++i) out[i] = in[i] * 0.5f + 1.0f;
}

void BM_handover_cross_core(benchmark::State& state) {
  const size_t n = size_t(state.range(0)) * 256;
  std::vector<float> activations(n, 1.0f), result(n, 0.0f), back(n, 0.0f);
  std::atomic<int> turn{0};  // 0: the caller's, 1: the helper's, 2: stop
  std::thread helper([&] {
    for (;;) {
      int t;
      while ((t = turn.load(std::memory_order_acquire)) == 0) _mm_pause();
      if (t == 2) return;
      touch(activations, result);
      turn.store(0, std::memory_order_release);
    }
  });
  float value = 0;
  for (auto _ : state) {
    for (float& a : activations) a = value;  // the caller produces the input...
    turn.store(1, std::memory_order_release);
    while (turn.load(std::memory_order_acquire) != 0) _mm_pause();
    touch(result, back);  // ...and consumes the helper's output
    value += back[0];
  }
  turn.store(2, std::memory_order_release);
  helper.join();
  benchmark::DoNotOptimize(value);
}
void BM_handover_same_thread(benchmark::State& state) {
  const size_t n = size_t(state.range(0)) * 256;
  std::vector<float> activations(n, 1.0f), result(n, 0.0f), back(n, 0.0f);
  float value = 0;
  for (auto _ : state) {
    for (float& a : activations) a = value;
    touch(activations, result);
    benchmark::ClobberMemory();
    touch(result, back);
    value += back[0];
  }
  benchmark::DoNotOptimize(value);
}
BENCHMARK(BM_handover_cross_core)->ArgName("KB")->Arg(4)->Arg(16)->Arg(64)->UseRealTime();
BENCHMARK(BM_handover_same_thread)->ArgName("KB")->Arg(4)->Arg(16)->Arg(64)->UseRealTime();

}  // namespace
