// `nabla bench W... [--threads N] [--json]`: times the training workloads W1–W5 of WORKLOADS.md
// (steps/s, µs/step, GFLOP/s, final loss, peak RSS). The workloads and the timing live in bench/
// (bench/workloads.h, bench/runner.h); this file only parses and prints. It exists only in builds
// configured with NABLA_BUILD_BENCH=ON, which define NABLA_HAVE_BENCH and link the bench library.
// Under `mpirun -np N` (a build with MPI) the workloads run data-parallel: each global batch split
// over the ranks (nabla/train/parallel.h), the eager step, rank 0 prints with the communication share.
#ifdef NABLA_HAVE_BENCH
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.h"
#include "json_out.h"
#include "runner.h"
#ifdef NABLA_WITH_MPI
#include "nabla/distributed/train.h"
#endif

namespace nabla::cli {
namespace bench_command {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kDescription{"Time the training workloads W1-W5 (steps/s, GFLOP/s, peak memory)",
                               "Mide los entrenamientos de referencia W1-W5 (pasos/s, GFLOP/s, memoria máxima)"};
constexpr Message kWorkloadHelp{"Workloads to run: w1 w2 w3 w4 w5 (any case) or all",
                                "Entrenamientos a medir: w1 w2 w3 w4 w5 (mayúsculas o minúsculas) o all"};
constexpr Message kThreadsHelp{
    "Threads for nabla's kernels and OpenBLAS (default: NABLA_NUM_THREADS, else the CPUs, at most 8)",
    "Hilos para los núcleos de nabla y OpenBLAS (por omisión: NABLA_NUM_THREADS, si no las CPU, hasta 8)"};
constexpr Message kJsonHelp{"Print one JSON object per line and workload instead of the table",
                            "Imprime un objeto JSON por línea y entrenamiento en lugar de la tabla"};
constexpr Message kEagerHelp{
    "Time the eager step (graph built every step) instead of the nabla::compile'd one",
    "Mide el paso inmediato (grafo construido en cada paso) en lugar del compilado con nabla::compile"};
constexpr Message kProfileHelp{"Instead of timing, list the compiled step's kernels with their mean time per step",
                               "En lugar de medir, lista los núcleos del paso compilado con su tiempo medio por paso"};
constexpr Message kStepsHelp{"Steps per timed repeat (default: as many as take about --seconds)",
                             "Pasos por repetición medida (por omisión: los que tarden unos --seconds)"};
constexpr Message kRepeatsHelp{"Timed repeats; the median, min and max are reported",
                               "Repeticiones medidas; se informan la mediana, el mínimo y el máximo"};
constexpr Message kWarmupHelp{"Warm-up steps before timing (default: about 0.25 s worth; 0 needs --steps)",
                              "Pasos de calentamiento antes de medir (por omisión: unos 0.25 s; 0 requiere --steps)"};
constexpr Message kSecondsHelp{"Target duration of one repeat when --steps is not given",
                               "Duración buscada de una repetición cuando no se da --steps"};
constexpr Message kHeader{
    "nabla {} - training steps on one mini-batch; steps/s is the median of {} repeats",
    "nabla {} - pasos de entrenamiento con un minilote; pasos/s es la mediana de {} repeticiones"};
constexpr Message kPeakNote{
    "peak RSS is the whole process's so far (run one workload per process to compare)",
    "la memoria máxima es la del proceso hasta ese momento (un entrenamiento por proceso para comparar)"};
constexpr Message kParallelNote{
    "data-parallel over {} ranks: each step is one global batch split over the ranks; the eager step; rank 0's "
    "timings",
    "en paralelo de datos sobre {} procesos: cada paso es un lote global repartido entre ellos; el paso inmediato; "
    "tiempos del proceso 0"};
constexpr Message kCommShare{"{}: {} % of the time in synchronising gradients (rank 0)",
                             "{}: {} % del tiempo en sincronizar gradientes (proceso 0)"};
constexpr Message kFooter{"Examples: nabla bench w2 --threads 1 --json\n          nabla bench all",
                          "Ejemplos: nabla bench w2 --threads 1 --json\n          nabla bench all"};

struct Options {
  std::vector<std::string> workloads;
  int threads = 0;
  bool json = false;
  bool profile = false;
  bench::BenchOptions bench;
};

// --profile: each kernel of the recorded step with its mean time, then the totals per op name.
void print_profile(const std::string& id) {
  std::unique_ptr<bench::Workload> w = bench::make_workload(id);
  w->set_compiled(true);
  // Warm-up, record, then replays for ~0.3 s: OpenBLAS's threads spin for ~0.1 s after start-up
  // and would take CPU time from the first replays.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3 || std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300); ++i) w->step();
  const int replays = w->info().flop_per_step > 1e9 ? 3 : 200;
  const std::vector<CompiledStep::KernelTime> times = w->profile(replays);
  double total = 0;
  std::vector<std::pair<std::string, double>> by_name;
  for (const CompiledStep::KernelTime& t : times) {
    total += t.mean_ns;
    auto it = std::find_if(by_name.begin(), by_name.end(), [&](const auto& p) { return p.first == t.name; });
    if (it == by_name.end())
      by_name.emplace_back(t.name, t.mean_ns);
    else
      it->second += t.mean_ns;
  }
  char line[128];
  std::snprintf(line, sizeof line, "%.2f", total / 1000);
  std::cout << w->info().id << ": " << times.size() << " kernels, " << line << " us per step (mean of " << replays
            << " replays, each kernel timed alone)\n";
  for (size_t i = 0; i < times.size(); ++i) {
    std::snprintf(line, sizeof line, "  %3zu  %-16s %10.0f ns\n", i, times[i].name, times[i].mean_ns);
    std::cout << line;
  }
  std::sort(by_name.begin(), by_name.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::cout << "  by op:\n";
  for (const auto& [name, ns] : by_name) {
    std::snprintf(line, sizeof line, "       %-16s %10.0f ns  %5.1f %%\n", name.c_str(), ns, 100 * ns / total);
    std::cout << line;
  }
}

int run(const Options& o, const Context& ctx) {
  const Translator& tr = ctx.tr;
  const std::vector<std::string> ids = bench::resolve_workloads(o.workloads);
  bench::validate(o.bench);
  if (o.profile) {
    for (const std::string& id : ids) print_profile(id);
    return 0;
  }
  if (o.threads > 0) bench::set_num_threads(o.threads);
  bench::BenchOptions options = o.bench;
#ifdef NABLA_WITH_MPI
  const dist::MpiRun mpi = dist::join_if_launched();
  if (mpi.parallel) {
    options.parallel = mpi.parallel.get();
    options.compiled = false;
  }
  const int rank = mpi.rank(), ranks = mpi.world_size();
#else
  const int rank = 0, ranks = 1;
#endif
  // Every rank runs the workloads (in step with the others); rank 0 prints.
  std::ostringstream sink;
  std::ostream& out = rank == 0 ? std::cout : sink;
  if (!o.json && ranks > 1) out << tr(kParallelNote, ranks) << "\n";
  if (!o.json) out << tr(kHeader, NABLA_VERSION, o.bench.repeats) << "\n\n" << bench::table_header() << "\n";
  std::vector<bench::BenchResult> results;
  for (const std::string& id : ids) {
    results.push_back(bench::run_workload(id, options));
    // Each line as soon as it is measured: W5 alone takes seconds.
    out << (o.json ? dump_json(bench::to_json(results.back())) : bench::table_row(results.back())) << std::endl;
  }
  if (!o.json) {
    out << "\n";
    for (const bench::BenchResult& r : results) {
      const bench::WorkloadInfo& i = r.info;
      if (r.ranks > 1) {
        char share[32];
        std::snprintf(share, sizeof share, "%.1f", 100 * r.comm_share);
        out << tr(kCommShare, i.id, share) << "\n";
      }
      out << i.id << ": " << i.network << " | " << i.data << " | batch " << i.batch << " | " << dtype_name(i.dtype)
          << " | " << i.loss << " | " << i.optimizer << " | " << (r.compiled ? "compiled" : "eager") << " | "
          << r.steps_per_repeat << " steps/repeat\n";
    }
    if (results.size() > 1) out << tr(kPeakNote) << "\n";
  }
  return 0;
}

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("workload", o->workloads, std::string(tr.text(kWorkloadHelp)))->required()->type_name("W");
  app.add_option("--threads", o->threads, std::string(tr.text(kThreadsHelp)))->check(CLI::Range(1, 1024));
  app.add_flag("--json", o->json, std::string(tr.text(kJsonHelp)));
  app.add_flag("--profile", o->profile, std::string(tr.text(kProfileHelp)));
  app.add_option("--steps", o->bench.steps, std::string(tr.text(kStepsHelp)))->check(CLI::Range(1, 100000000));
  app.add_option("--repeats", o->bench.repeats, std::string(tr.text(kRepeatsHelp)))
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--warmup", o->bench.warmup, std::string(tr.text(kWarmupHelp)))->check(CLI::Range(0, 100000000));
  app.add_option("--seconds", o->bench.target_seconds, std::string(tr.text(kSecondsHelp)))
      ->check(CLI::Range(0.001, 60.0))
      ->capture_default_str();
  app.add_flag("!--eager", o->bench.compiled, std::string(tr.text(kEagerHelp)));
  app.footer(std::string(tr.text(kFooter)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"bench", kDescription, setup});

}  // namespace bench_command
}  // namespace nabla::cli
#endif  // NABLA_HAVE_BENCH
