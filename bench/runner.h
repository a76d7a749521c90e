// bench/runner.h — times a workload (bench/workloads.h) the way WORKLOADS.md asks: a warm-up,
// then ≥ 5 timed repeats of a fixed number of steps, reported as steps/s (median, min, max),
// µs/step, GFLOP/s for the GEMM-heavy workloads, the final loss and the process's peak RSS.
// `nabla bench` (apps/cli/cmd_bench.cpp) is a thin layer over this file.
//
//   nabla::bench::set_num_threads(1);
//   nabla::bench::BenchResult r = nabla::bench::run_workload("w2", {});
//   std::cout << nabla::bench::to_json(r).dump() << "\n";
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workloads.h"

namespace nabla::bench {

struct BenchOptions {
  // Steps per timed repeat; 0 picks the number for a repeat of about target_seconds (at least 3).
  int steps = 0;
  int repeats = 5;
  // Warm-up steps before the first repeat; -1: about 0.25 s worth, at least 2 steps (the
  // warm-up also measures the step time that `steps = 0` needs). 0 needs an explicit `steps`.
  int warmup = -1;
  double target_seconds = 0.5;
  // Time the step through nabla::compile (recorded in the warm-up, replayed while timed), as a user
  // who wants speed writes it; false times the eager step.
  bool compiled = true;
  // Data-parallel over the ranks of `parallel` (Workload::set_parallel; needs compiled = false):
  // every rank runs this in lockstep, the ranks agree on the step counts, each reports its own
  // timings. Not owned; null: one process.
  train::Parallel* parallel = nullptr;
};

struct BenchResult {
  WorkloadInfo info;
  int threads = 0;       // OpenBLAS threads in effect
  bool compiled = true;  // nabla::compile or eager
  int warmup_steps = 0;
  int steps_per_repeat = 0;
  std::vector<double> steps_per_s;      // one per timed repeat, in order
  double median = 0, min = 0, max = 0;  // of steps_per_s
  double us_per_step = 0;               // 1e6 / median
  double gflops = 0;                    // flop_per_step · median / 1e9 (reported for W4, W5)
  double final_loss = 0;                // the loss of the last step taken
  double peak_rss_mb = 0;               // of the whole process so far, MiB
  bool blas_mapped = false;             // whether a BLAS library is mapped (opened) by then
  int ranks = 1;                        // data-parallel ranks (each step is one global batch)
  double comm_share = 0;                // of the timed repeats' time, spent in synchronising gradients
};

// ValueError naming the first invalid option.
void validate(const BenchOptions& options);

// Builds workload `id` ("w1".."w5", any case) and times it. ValueError for a bad id or options.
BenchResult run_workload(const std::string& id, const BenchOptions& options);

// The workload ids the user named: each "w1".."w5" (any case) or "all"; duplicates dropped, the
// order kept. ValueError naming the unknown one.
std::vector<std::string> resolve_workloads(const std::vector<std::string>& names);

// One JSON object: workload, steps_per_s, steps_per_s_min, steps_per_s_max, us_per_step,
// gflops (null for W1–W3), final_loss, peak_rss_mb, blas_mapped, and the settings it ran with.
nlohmann::json to_json(const BenchResult& r);
// A readable table: the header line, then one line per result.
std::string table_header();
std::string table_row(const BenchResult& r);

// nabla's thread count (nabla::set_num_threads: its own kernels and OpenBLAS). Returns true
// (kept for callers that checked whether the BLAS's threads could be set).
bool set_num_threads(int n);
// nabla::get_num_threads().
int num_threads();
// The process's peak resident set size (getrusage ru_maxrss, = VmHWM), MiB.
double peak_rss_mb();
// Whether a BLAS library (its file name contains "blas") is mapped into this process: nabla opens
// it only for products too large for its own kernels (W4, W5), never for W1–W3.
bool blas_mapped();

}  // namespace nabla::bench
