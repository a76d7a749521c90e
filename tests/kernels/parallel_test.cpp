// nabla's worker threads (kernels/parallel.h, nabla/threads.h): every part runs exactly once,
// concurrent callers and OpenBLAS's quiet period fall back to the calling thread, and results do
// not depend on the thread count (bit for bit).
#include "kernels/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "kernels/gemm.h"
#include "nabla/nabla.h"

namespace nabla::kernels {
namespace {

// Sets the thread count for one test and puts the previous one back.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : previous_(get_num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(previous_); }

 private:
  int previous_;
};

void busy_for(std::chrono::microseconds t) {
  const auto until = std::chrono::steady_clock::now() + t;
  while (std::chrono::steady_clock::now() < until) {
  }
}

// Waits out OpenBLAS's quiet period (note_blas_call), during which parts stay on the caller, and
// wakes the workers (asleep by then) with a few calls of real length, so that they are spinning,
// ready, when the code under test splits its work.
void after_blas_quiet_period() {
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  for (int i = 0; i < 20; ++i) run_parts(2, [](int) { busy_for(std::chrono::microseconds(50)); });
}

TEST(Parallel, EveryPartRunsExactlyOnce) {
  ThreadCount two(2);
  after_blas_quiet_period();
  const int64_t before = parts_run_by_workers();
  for (int round = 0; round < 2000; ++round) {
    const int parts = 1 + round % 9;
    std::vector<std::atomic<int>> runs(static_cast<size_t>(parts));
    run_parts(parts, [&](int part) {
      runs[part].fetch_add(1);
      busy_for(std::chrono::microseconds(3));  // a GEMM slice's few microseconds
    });
    for (int p = 0; p < parts; ++p) ASSERT_EQ(runs[p].load(), 1) << "round " << round << " part " << p;
  }
  EXPECT_GT(parts_run_by_workers(), before) << "the worker never took a part in 2000 calls";
}

TEST(Parallel, RangeCoversEveryIndexOnceInCacheLineChunks) {
  ThreadCount two(2);
  for (int64_t n : {int64_t(0), int64_t(10), kParallelElements - 1, kParallelElements, kParallelElements * 3 + 17}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n) + 0);
    std::atomic<int> calls{0};
    parallel_range(n, [&](int64_t begin, int64_t end) {
      calls.fetch_add(1);
      EXPECT_LT(begin, end);
      EXPECT_EQ(begin % 64, 0) << "chunks start on whole cache lines";
      for (int64_t i = begin; i < end; ++i) hits[size_t(i)].fetch_add(1);
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)].load(), 1) << "n " << n << " index " << i;
    if (n > 0 && n < kParallelElements) EXPECT_EQ(calls.load(), 1) << "small ranges stay in one piece";
  }
}

TEST(Parallel, ConcurrentCallersEachGetAllTheirParts) {
  ThreadCount two(2);
  std::atomic<int64_t> total{0};
  auto caller = [&] {
    for (int round = 0; round < 500; ++round) run_parts(4, [&](int part) { total.fetch_add(part + 1); });
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 2 * 500 * (1 + 2 + 3 + 4));
}

TEST(Parallel, OneThreadAndOpenBlasQuietPeriodKeepWorkOnTheCaller) {
  const std::thread::id me = std::this_thread::get_id();
  {
    ThreadCount one(1);
    run_parts(8, [&](int) { EXPECT_EQ(std::this_thread::get_id(), me); });
  }
  ThreadCount two(2);
  note_blas_call();  // OpenBLAS's threads are spinning now: nabla's must not join them
  run_parts(8, [&](int) { EXPECT_EQ(std::this_thread::get_id(), me); });
}

TEST(Parallel, SetNumThreadsChecksItsArgument) {
  EXPECT_THROW(set_num_threads(0), ValueError);
  EXPECT_THROW(set_num_threads(65), ValueError);
  ThreadCount three(3);
  EXPECT_EQ(get_num_threads(), 3);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(Parallel, GemmAndTrainingStepsGiveTheSameBitsOnOneAndTwoThreads) {
  // A thin product large enough to be split (m·n·k ≥ kParallelGemm, a side ≤ kThinGemm).
  constexpr int64_t m = 2048, n = 16, k = 128;
  static_assert(m * n * k >= kParallelGemm && n <= kThinGemm);
  Generator g(3);
  const std::vector<float> a = randn({m * k}, DType::float32, &g).to_vector<float>();
  const std::vector<float> b = randn({k * n}, DType::float32, &g).to_vector<float>();
  const std::vector<float> bias = randn({n}, DType::float32, &g).to_vector<float>();
  auto product = [&](int threads, bool tb) {
    ThreadCount count(threads);
    std::vector<float> c(size_t(m * n));
    gemm(false, tb, m, n, k, a.data(), k, b.data(), tb ? k : n, bias.data(), c.data(), n);
    return c;
  };
  after_blas_quiet_period();
  const int64_t before = parts_run_by_workers();
  // At least 20 rounds; more (up to ~2 000) while no worker has taken a part yet: on a loaded
  // machine the caller may claim every part of many products before the worker is scheduled.
  int rounds = 0;
  for (; rounds < 20 || (parts_run_by_workers() == before && rounds < 2000); ++rounds) {
    EXPECT_TRUE(same_bits(product(1, false), product(2, false)));
    EXPECT_TRUE(same_bits(product(1, true), product(2, true)));
  }
  EXPECT_GT(parts_run_by_workers(), before) << "no part of " << 2 * rounds << " split products was taken by a worker";

  // A wide layer kept in nabla's own kernels (a side of 16): its 65 536 weights and its 64 × 4096
  // activations are split over the threads by the optimizer, relu, relu's backward and the bias
  // gradient; then a 64-wide layer whose GEMMs split. (OpenBLAS's products, for larger layers, may
  // differ in the last bits between thread counts: they are not part of this test.)
  auto train = [](int threads) {
    ThreadCount count(threads);
    after_blas_quiet_period();
    manual_seed(11);
    nn::Sequential wide({std::make_shared<nn::Linear>(nn::LinearOptions(16, 4096)), std::make_shared<nn::ReLU>(),
                         std::make_shared<nn::Linear>(nn::LinearOptions(4096, 1))});
    nn::Sequential square({std::make_shared<nn::Linear>(nn::LinearOptions(64, 64)), std::make_shared<nn::ReLU>(),
                           std::make_shared<nn::Linear>(nn::LinearOptions(64, 64)), std::make_shared<nn::ReLU>(),
                           std::make_shared<nn::Linear>(nn::LinearOptions(64, 1))});
    std::vector<Tensor> params = wide.parameters();
    for (const Tensor& p : square.parameters()) params.push_back(p);
    optim::SGD opt(params, optim::SGDOptions(0.01).momentum(0.9));
    Generator data(5);
    Tensor x = randn({64, 16}, DType::float32, &data), z = randn({64, 64}, DType::float32, &data);
    Tensor y = rand({64, 1}, DType::float32, &data);
    for (int step = 0; step < 3; ++step) {
      opt.zero_grad();
      (nn::functional::binary_cross_entropy_with_logits(wide.forward(x), y) +
       nn::functional::binary_cross_entropy_with_logits(square.forward(z), y))
          .backward();
      opt.step();
    }
    std::vector<float> all;
    for (const Tensor& p : params) {
      std::vector<float> v = p.to_vector<float>();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  };
  const std::vector<float> one = train(1);
  // On a busy machine the worker may not get a CPU in time and the caller runs every part: try
  // again then, so that the comparison is made with work that really was split.
  bool split = false;
  for (int attempt = 0; attempt < 50 && !split; ++attempt) {
    const int64_t before = parts_run_by_workers();
    const std::vector<float> two = train(2);
    split = parts_run_by_workers() > before;
    EXPECT_TRUE(same_bits(one, two)) << "attempt " << attempt;
  }
  EXPECT_TRUE(split) << "no part of 50 training runs was taken by a worker";
}

}  // namespace
}  // namespace nabla::kernels
