// nabla_micro_bench: Google Benchmark micro-benchmarks of nabla's building blocks (the GEMM
// wrapper and its two paths, elementwise ops, reductions, a Linear layer forward + backward).
//
//   build-bench/nabla_micro_bench                           # everything, OpenBLAS's default threads
//   build-bench/nabla_micro_bench --threads=1 --benchmark_filter=gemm
//
// --threads=N sets nabla's thread count (nabla::set_num_threads, OpenBLAS's too) before the first benchmark.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "../runner.h"

int main(int argc, char** argv) {
  // Take --threads=N out of argv before Google Benchmark sees it (it rejects unknown flags).
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      nabla::bench::set_num_threads(std::atoi(argv[i] + 10));
      continue;
    }
    argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::AddCustomContext("threads", std::to_string(nabla::bench::num_threads()));
  benchmark::AddCustomContext("nabla_version", NABLA_VERSION);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
