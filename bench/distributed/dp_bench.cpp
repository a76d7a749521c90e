// nabla_dp_bench: W4 / W5 (../shared/WORKLOADS.md: ReLU MLPs, f32, softmax cross-entropy, SGD
// lr 0.01 momentum 0.9, 8 random batches) trained data-parallel with a fixed global batch: each
// of the N ranks takes its shard of every batch and DataParallel averages the gradients.
// Prints one JSON line (rank 0): global-batch steps/s and the share of a step spent in
// communication. bench/distributed/run.sh alternates 1 rank x 1 thread, 2 ranks x 1 thread and
// 1 rank x 2 threads.
//
// The reductions overlap backward (DataParallel::prepare_backward) unless `no-overlap` is given;
// the communication share then counts prepare_backward and sync_gradients, not the MPI calls the
// hooks make during backward. With `timeline`, each rank also times the parts of a step
// (forward, backward, waiting for the other ranks in a barrier placed before sync_gradients,
// sync_gradients, the optimizer step) and rank 0 prints every rank's means in ms; the barrier
// adds a round trip to each step.
//   mpirun -np 2 -x NABLA_NUM_THREADS=1 -x OPENBLAS_NUM_THREADS=1 ./build/nabla_dp_bench W4
//     [steps] [bucket MB, 0: the default] [timeline] [no-overlap]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nabla/distributed.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/sgd.h"
#include "nabla/tensor/random.h"
#include "nabla/threads.h"
#include "nabla/train/parallel.h"

using namespace nabla;

int main(int argc, char** argv) {
  dist::Context mpi(&argc, &argv);
  const std::string id = argc > 1 ? argv[1] : "W4";
  const int64_t steps = argc > 2 ? std::atoll(argv[2]) : 40;
  dist::DataParallelOptions options;
  bool timeline = false, overlap = true;
  for (int i = 4; i < argc; ++i) {
    const std::string word = argv[i];
    timeline |= word == "timeline";
    overlap &= word != "no-overlap";
  }
  if (argc > 3 && std::atof(argv[3]) > 0) options.bucket_bytes = static_cast<int64_t>(std::atof(argv[3]) * (1 << 20));
  const std::vector<int64_t> widths =
      id == "W5" ? std::vector<int64_t>{1024, 4096, 4096, 10} : std::vector<int64_t>{784, 512, 256, 10};
  const int64_t batch = id == "W5" ? 256 : 128;
  const int n = dist::world_size(), me = dist::rank();
  manual_seed(0);
  auto model = std::make_shared<nn::Sequential>();
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    model->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(widths[i], widths[i + 1])));
    if (i + 2 < widths.size()) model->push_back(std::make_shared<nn::ReLU>());
  }
  std::unique_ptr<dist::DataParallel> ddp;
  if (n > 1) ddp = std::make_unique<dist::DataParallel>(model, options);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  // 8 global batches; this rank keeps its rows of each.
  const auto [begin, end] = train::shard_rows(batch, n, me);
  std::vector<Tensor> xs, ys;
  Generator g(1);
  for (int b = 0; b < 8; ++b) {
    Tensor x = randn({batch, widths[0]}, DType::float32, &g);
    Tensor y = randint(0, 10, {batch}, &g);
    xs.push_back(x.slice(0, begin, end).contiguous());
    ys.push_back(y.slice(0, begin, end).contiguous());
  }
  // forward, backward, wait (barrier), sync, optimizer: seconds summed over the timed steps.
  std::vector<double> parts(5, 0.0);
  auto step = [&](int64_t s) {
    using clock = std::chrono::steady_clock;
    auto t = clock::now();
    auto lap = [&](int part) {
      const auto now = clock::now();
      parts[part] += std::chrono::duration<double>(now - t).count();
      t = now;
    };
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy(model->forward(xs[s % 8]), ys[s % 8]);
    lap(0);
    if (ddp && overlap) ddp->prepare_backward(end - begin);
    loss.backward();
    lap(1);
    if (ddp && timeline) dist::barrier();
    lap(2);
    if (ddp) ddp->sync_gradients(end - begin);
    lap(3);
    opt.step();
    lap(4);
  };
  for (int64_t s = 0; s < 3; ++s) step(s);  // warm-up
  std::fill(parts.begin(), parts.end(), 0.0);
  if (n > 1) dist::barrier();
  const double comm0 = ddp ? ddp->communication_seconds() : 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; ++s) step(s);
  if (n > 1) dist::barrier();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double comm = ddp ? ddp->communication_seconds() - comm0 : 0;
  if (me == 0)
    std::printf(
        "{\"workload\": \"%s\", \"ranks\": %d, \"threads\": %d, \"steps\": %lld, \"steps_per_s\": %.3f, "
        "\"comm_share\": %.4f, \"bucket_mb\": %.1f, \"overlap\": %s}\n",
        id.c_str(), n, get_num_threads(), static_cast<long long>(steps), double(steps) / seconds,
        seconds > 0 ? comm / seconds : 0.0, options.bucket_bytes / double(1 << 20), ddp && overlap ? "true" : "false");
  if (timeline) {
    Tensor mine = Tensor::from_vector(parts, Shape{5});
    const std::vector<double> all = dist::all_gather(mine).to_vector<double>();
    for (int r = 0; r < n && me == 0; ++r)
      std::printf(
          "{\"workload\": \"%s\", \"rank\": %d, \"ms_per_step\": {\"forward\": %.3f, \"backward\": %.3f, "
          "\"wait\": %.3f, \"sync\": %.3f, \"optimizer\": %.3f}}\n",
          id.c_str(), r, 1e3 * all[5 * r] / steps, 1e3 * all[5 * r + 1] / steps, 1e3 * all[5 * r + 2] / steps,
          1e3 * all[5 * r + 3] / steps, 1e3 * all[5 * r + 4] / steps);
  }
  return 0;
}
