#include "parallel.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "blas.h"
#include "nabla/error.h"
#include "nabla/threads.h"

namespace nabla {
namespace kernels {
namespace {

int default_threads() {
  if (const char* env = std::getenv("NABLA_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1 && n <= 64) return n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::clamp(CPU_COUNT(&set), 1, 8);
  return std::clamp(int(std::thread::hardware_concurrency()), 1, 8);
}

std::atomic<int> g_threads{0};  // 0: not read yet

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// How long a worker waits for the next part by spinning before it sleeps: longer than the gaps
// between the GEMMs of a training step, far shorter than anything a person would notice.
constexpr std::chrono::microseconds kSpinFor{200};

// OpenBLAS's own threads keep spinning for ~0.1 s (2^28 cycles) after each multi-threaded call.
// Ours spinning beside them would put more busy threads than CPUs on the machine, and every
// thread then runs in fits and starts (PyTorch's 2-thread W4 on 2 CPUs: 4× slower than on 1).
// So within kBlasQuiet of an OpenBLAS call nabla's work stays on the calling thread, and a
// call tells idle workers to sleep at once instead of spinning.
constexpr std::chrono::milliseconds kBlasQuiet{100};
std::atomic<int64_t> g_last_blas_ns{std::numeric_limits<int64_t>::min() / 2};
std::atomic<bool> g_hibernate{false};
std::atomic<int64_t> g_parts_on_workers{0};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool blas_recently_active() {
  return now_ns() - g_last_blas_ns.load(std::memory_order_relaxed) < std::chrono::nanoseconds(kBlasQuiet).count();
}

// Persistent workers that help the caller through the parts of one call. The parts are claimed
// one at a time from a shared counter, by the caller as well as by the workers, so that a worker
// the OS has not scheduled yet costs nothing: the caller then runs every part itself. The
// counter packs the call's number, its part count and the next part into one atomic word, so a
// worker that wakes late can never claim a part of a call that has finished.
class Pool {
 public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }

  ~Pool() {
    stop_.store(true);
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      sleep_cv_.notify_all();
    }
    for (auto& w : workers_) w->thread.join();
  }

  void run(int parts, detail::PartFn fn, void* context, int helpers) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (parts <= 1 || helpers <= 0 || !busy.owns_lock() || blas_recently_active()) {
      for (int p = 0; p < parts; ++p) fn(context, p);
      return;
    }
    g_hibernate.store(false, std::memory_order_relaxed);
    while (int(workers_.size()) < helpers) start_worker();
    fn_.store(fn, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    ++call_;
    state_.store(pack(call_, parts, 0), std::memory_order_seq_cst);  // publishes fn_, context_
    for (int w = 0; w < helpers; ++w) workers_[w]->ticket.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      sleep_cv_.notify_all();
    }
    claim_and_run();
    while (done_.load(std::memory_order_acquire) != parts) cpu_relax();
  }

 private:
  struct Worker {
    std::thread thread;
    alignas(64) std::atomic<uint64_t> ticket{0};
  };

  static uint64_t pack(uint64_t call, uint64_t parts, uint64_t next) { return call << 32 | parts << 16 | next; }

  // Runs parts of the current call until none is left unclaimed; returns how many it ran.
  int claim_and_run() {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (int ran = 0;; ++ran) {
      const uint64_t parts = (s >> 16) & 0xffff, next = s & 0xffff;
      if (next >= parts) return ran;
      if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        --ran;
        continue;
      }
      // The call cannot finish before this part is done, so fn_ and context_ are still its own.
      fn_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), int(next));
      done_.fetch_add(1, std::memory_order_release);
      s = state_.load(std::memory_order_acquire);
    }
  }

  void start_worker() {
    auto worker = std::make_unique<Worker>();
    Worker* w = worker.get();
    worker->thread = std::thread([this, w] { loop(*w); });
    workers_.push_back(std::move(worker));
  }

  void loop(Worker& w) {
    uint64_t seen = 0;  // tickets start at 0
    for (;;) {
      auto spin_start = std::chrono::steady_clock::now();
      int spins = 0;
      uint64_t ticket;
      while ((ticket = w.ticket.load(std::memory_order_acquire)) == seen) {
        if (stop_.load(std::memory_order_relaxed)) return;
        cpu_relax();
        if (!g_hibernate.load(std::memory_order_relaxed) &&
            (++spins % 64 != 0 || std::chrono::steady_clock::now() - spin_start < kSpinFor))
          continue;
        std::unique_lock<std::mutex> lock(sleep_mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        sleep_cv_.wait(lock, [&] { return w.ticket.load(std::memory_order_seq_cst) != seen || stop_.load(); });
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
        spin_start = std::chrono::steady_clock::now();
      }
      if (stop_.load()) return;
      seen = ticket;
      g_parts_on_workers.fetch_add(claim_and_run(), std::memory_order_relaxed);
    }
  }

  std::mutex busy_;  // held by the caller whose parts are running
  std::vector<std::unique_ptr<Worker>> workers_;
  uint64_t call_ = 0;
  std::atomic<detail::PartFn> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  alignas(64) std::atomic<uint64_t> state_{0};
  alignas(64) std::atomic<int> done_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
};

}  // namespace

void note_blas_call() {
  g_last_blas_ns.store(now_ns(), std::memory_order_relaxed);
  g_hibernate.store(true, std::memory_order_relaxed);
}

int parallel_parts() { return get_num_threads(); }

int64_t parts_run_by_workers() { return g_parts_on_workers.load(std::memory_order_relaxed); }

void detail::run_parts(int parts, PartFn fn, void* context) {
  Pool::instance().run(parts, fn, context, std::min(parts, get_num_threads()) - 1);
}

}  // namespace kernels

void set_num_threads(int n) {
  NABLA_CHECK(n >= 1 && n <= 64, ValueError, "set_num_threads: expected 1 to 64 threads, got ", n);
  kernels::g_threads.store(n);
  kernels::blas::set_threads(n);
}

int get_num_threads() {
  int n = kernels::g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = kernels::default_threads();
    kernels::g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}

}  // namespace nabla
