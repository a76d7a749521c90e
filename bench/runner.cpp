#include "runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "nabla/error.h"
#include "nabla/tensor/dtype.h"
#include "nabla/threads.h"

namespace nabla::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Steps/s with about 3 significant digits but never in exponent form.
std::string rate(double v) { return fixed(v, v >= 100 ? 0 : v >= 10 ? 1 : 2); }

// Forwards to a Parallel and adds up the seconds its gradient synchronisation takes: the
// communication share of a data-parallel step (waiting for a slower rank included).
class TimedParallel : public train::Parallel {
 public:
  explicit TimedParallel(train::Parallel& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int world_size() const override { return inner_.world_size(); }
  void check_same(const std::string& text, const std::string& what) override { inner_.check_same(text, what); }
  void attach(std::shared_ptr<nn::Module> model, bool sum_loss) override { inner_.attach(std::move(model), sum_loss); }
  void prepare_backward(int64_t local_rows) override {
    const Clock::time_point start = Clock::now();
    inner_.prepare_backward(local_rows);
    seconds += seconds_since(start);
  }
  void sync_gradients(int64_t local_rows) override {
    const Clock::time_point start = Clock::now();
    inner_.sync_gradients(local_rows);
    seconds += seconds_since(start);
  }
  double batch_loss(double local_loss, int64_t local_rows) override {
    return inner_.batch_loss(local_loss, local_rows);
  }
  bool any(bool flag) override { return inner_.any(flag); }
  double seconds = 0;

 private:
  train::Parallel& inner_;
};

}  // namespace

void validate(const BenchOptions& options) {
  NABLA_CHECK(options.repeats >= 1, ValueError, "bench: repeats must be >= 1, got ", options.repeats);
  NABLA_CHECK(options.steps >= 0, ValueError, "bench: steps must be >= 0, got ", options.steps);
  NABLA_CHECK(options.warmup >= -1, ValueError, "bench: warmup must be >= 0, got ", options.warmup);
  NABLA_CHECK(options.warmup != 0 || options.steps > 0, ValueError,
              "bench: a warm-up of 0 steps needs an explicit number of steps per repeat");
  NABLA_CHECK(options.target_seconds > 0, ValueError, "bench: target seconds must be > 0, got ",
              options.target_seconds);
  NABLA_CHECK(!options.parallel || !options.compiled, ValueError,
              "bench: a data-parallel run times the eager step (a compiled step cannot replay the communication)");
}

BenchResult run_workload(const std::string& id, const BenchOptions& options) {
  validate(options);
  std::unique_ptr<Workload> w = make_workload(id);
  w->set_compiled(options.compiled);
  std::unique_ptr<TimedParallel> parallel;
  if (options.parallel) {
    parallel = std::make_unique<TimedParallel>(*options.parallel);
    w->set_parallel(parallel.get());
  }
  // Every rank must take the same number of steps (each one a collective): a loop that ends on
  // this rank's clock goes on while any rank's clock says so.
  auto on_any_rank = [&](bool flag) { return parallel ? parallel->any(flag) : flag; };
  BenchResult r;
  r.ranks = parallel ? parallel->world_size() : 1;
  r.info = w->info();
  r.threads = num_threads();
  r.compiled = options.compiled;

  // Warm-up: first-touch of the weights, the allocator's caches, OpenBLAS's thread start.
  const Clock::time_point warm_start = Clock::now();
  double warm_seconds = 0;
  if (options.warmup >= 0) {
    for (int i = 0; i < options.warmup; ++i) w->step();
    r.warmup_steps = options.warmup;
  } else {
    while (on_any_rank(r.warmup_steps < 2 || warm_seconds < 0.25)) {
      w->step();
      ++r.warmup_steps;
      warm_seconds = seconds_since(warm_start);
    }
  }
  warm_seconds = seconds_since(warm_start);

  if (options.steps > 0) {
    r.steps_per_repeat = options.steps;
  } else {
    double per_step = warm_seconds / r.warmup_steps;
    // The ranks' mean step time (batch_loss: the row-weighted mean of a value over the ranks).
    if (parallel) per_step = parallel->batch_loss(per_step, 1);
    r.steps_per_repeat = std::max(3, static_cast<int>(std::lround(options.target_seconds / per_step)));
  }
  const double comm_before = parallel ? parallel->seconds : 0;
  double timed_seconds = 0;

  for (int rep = 0; rep < options.repeats; ++rep) {
    const Clock::time_point start = Clock::now();
    for (int i = 0; i < r.steps_per_repeat; ++i) w->step();
    const double seconds = seconds_since(start);
    timed_seconds += seconds;
    r.steps_per_s.push_back(r.steps_per_repeat / seconds);
  }
  if (parallel) r.comm_share = (parallel->seconds - comm_before) / timed_seconds;

  r.median = median_of(r.steps_per_s);
  r.min = *std::min_element(r.steps_per_s.begin(), r.steps_per_s.end());
  r.max = *std::max_element(r.steps_per_s.begin(), r.steps_per_s.end());
  r.us_per_step = 1e6 / r.median;
  r.gflops = r.info.flop_per_step * r.median / 1e9;
  r.final_loss = w->last_loss();
  r.peak_rss_mb = peak_rss_mb();
  r.blas_mapped = blas_mapped();
  return r;
}

std::vector<std::string> resolve_workloads(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (const std::string& name : names) {
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::toupper(c); });
    if (key == "ALL") {
      for (const std::string& id : workload_ids()) add(id);
      continue;
    }
    const std::vector<std::string> ids = workload_ids();
    NABLA_CHECK(std::find(ids.begin(), ids.end(), key) != ids.end(), ValueError, "bench: unknown workload \"", name,
                "\"; expected w1, w2, w3, w4, w5 or all");
    add(key);
  }
  return out;
}

nlohmann::json to_json(const BenchResult& r) {
  nlohmann::json j;
  j["workload"] = r.info.id;
  j["steps_per_s"] = r.median;
  j["steps_per_s_min"] = r.min;
  j["steps_per_s_max"] = r.max;
  j["us_per_step"] = r.us_per_step;
  j["gflops"] = r.info.gemm_heavy ? nlohmann::json(r.gflops) : nlohmann::json(nullptr);
  j["final_loss"] = std::isfinite(r.final_loss) ? nlohmann::json(r.final_loss) : nlohmann::json(nullptr);
  j["peak_rss_mb"] = r.peak_rss_mb;
  j["blas_mapped"] = r.blas_mapped;
  j["threads"] = r.threads;
  j["mode"] = r.compiled ? "compiled" : "eager";
  j["repeats"] = r.steps_per_s.size();
  j["steps_per_repeat"] = r.steps_per_repeat;
  j["warmup_steps"] = r.warmup_steps;
  j["steps_per_s_all"] = r.steps_per_s;
  j["batch"] = r.info.batch;
  j["dtype"] = std::string(dtype_name(r.info.dtype));
  j["flop_per_step"] = r.info.flop_per_step;
  j["ranks"] = r.ranks;
  if (r.ranks > 1) j["comm_share"] = r.comm_share;
  j["version"] = NABLA_VERSION;
  return j;
}

std::string table_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-4s %7s %10s  %-19s %10s %8s %12s %10s", "id", "threads", "steps/s", "(min - max)",
                "us/step", "GFLOP/s", "final loss", "peak RSS");
  return buf;
}

std::string table_row(const BenchResult& r) {
  char buf[256];
  const std::string range = "(" + rate(r.min) + " - " + rate(r.max) + ")";
  const std::string gflops = r.info.gemm_heavy ? fixed(r.gflops, 1) : "-";
  std::snprintf(buf, sizeof buf, "%-4s %7d %10s  %-19s %10s %8s %12.6g %6.1f MiB", r.info.id.c_str(), r.threads,
                rate(r.median).c_str(), range.c_str(), fixed(r.us_per_step, r.us_per_step < 100 ? 2 : 1).c_str(),
                gflops.c_str(), r.final_loss, r.peak_rss_mb);
  return buf;
}

bool set_num_threads(int n) {
  NABLA_CHECK(n >= 1, ValueError, "bench: the number of threads must be >= 1, got ", n);
  nabla::set_num_threads(n);  // nabla's own kernels, and OpenBLAS's (now, or when it is opened)
  return true;
}

int num_threads() { return nabla::get_num_threads(); }

// The peak resident set of this program: VmHWM from /proc/self/status. Not getrusage's
// ru_maxrss, which Linux carries over an exec: started from a Python script (bench/vs_torch),
// it reports the Python interpreter's peak (about 14 MiB) instead of nabla's.
double peak_rss_mb() {
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    std::fclose(f);
    if (kib >= 0) return kib / 1024.0;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports KiB
}

bool blas_mapped() {
  std::FILE* f = std::fopen("/proc/self/maps", "r");
  if (!f) return false;
  char line[1024];
  bool found = false;
  while (!found && std::fgets(line, sizeof line, f)) found = std::strstr(line, "blas") != nullptr;
  std::fclose(f);
  return found;
}

}  // namespace nabla::bench
