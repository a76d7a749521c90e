// bench/workloads.h — the training workloads W1–W5 of ../shared/WORKLOADS.md, written with
// nabla's public API exactly as a user would write them (nn::Sequential or a small residual
// module, a loss module, optim::SGD, backward, step), so that timing them times nabla as used.
//
//   auto w = nabla::bench::make_workload("w4");   // network, loss, optimizer and 8 batches, built once
//   for (int i = 0; i < 100; ++i) w->step();      // one training step on the next batch (cycled)
//   double l = w->last_loss();                    // the loss of the last step
//
// Everything is seeded so that bench/vs_torch can rebuild the same weights and data in PyTorch
// (nabla's Linear init and random generator reproduce PyTorch's bit for bit):
//   weights: nabla::manual_seed(0), then the Linear layers in network order;
//   data:    a Generator seeded with 1 (two moons: make_moons(n 1024, noise 0.1, seed 1);
//            W4/W5: per batch randn({B, in}) then randint(0, 10, {B}), 8 batches).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nabla/compile.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/optim.h"
#include "nabla/train/step.h"

namespace nabla::bench {

// What a workload is, for reports.
struct WorkloadInfo {
  std::string id;       // "W1" ... "W5"
  std::string network;  // "2-2-1 sigmoid"
  std::string data;     // "XOR (4 rows)"
  int64_t batch = 0;
  DType dtype = DType::float32;
  std::string loss;       // "MSE"
  std::string optimizer;  // "SGD lr 0.5"
  // 3 × Σ 2·B·in·out over the linear layers (WORKLOADS.md's convention).
  double flop_per_step = 0;
  // Whether GFLOP/s is a meaningful figure (the GEMM-heavy W4, W5).
  bool gemm_heavy = false;
};

class Workload {
 public:
  Workload(WorkloadInfo info, std::shared_ptr<nn::Module> model, std::shared_ptr<nn::Loss> loss,
           std::unique_ptr<optim::Optimizer> optimizer, std::vector<Tensor> inputs, std::vector<Tensor> targets);

  // One training step on the next batch: zero_grad, forward, loss, backward, optimizer step.
  void step();
  // Runs the step through nabla::compile (nabla/compile.h): recorded once, replayed after; or
  // eagerly (the default, and what `nabla bench --eager` times).
  void set_compiled(bool compiled);
  bool compiled() const { return compiled_ != nullptr; }
  // Data-parallel (nabla/train/parallel.h, e.g. under `mpirun -np N nabla bench`): this rank keeps
  // its rows of every batch (train::shard_rows), the model takes rank 0's parameters, and every
  // step averages the gradients over the ranks. Eager only: a compiled step would replay without
  // the communication. `parallel` is not owned.
  void set_parallel(train::Parallel* parallel);
  // The compiled step's kernels with their mean time over `replays` replays (CompiledStep::profile);
  // empty unless compiled and stepped at least twice.
  std::vector<CompiledStep::KernelTime> profile(int replays) {
    return compiled_ ? compiled_->profile(replays) : std::vector<CompiledStep::KernelTime>{};
  }
  // The loss of the last step (NaN before the first).
  double last_loss() const;

  const WorkloadInfo& info() const { return info_; }
  nn::Module& model() { return *model_; }
  size_t num_batches() const { return inputs_.size(); }

 private:
  WorkloadInfo info_;
  std::shared_ptr<nn::Module> model_;
  std::shared_ptr<nn::Loss> loss_fn_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::vector<Tensor> inputs_, targets_;  // one per batch, built once
  train::TrainStep step_;                 // zero_grad, forward, loss, backward, step: nabla's one training step
  size_t next_ = 0;
  Tensor loss_;
  std::unique_ptr<CompiledStep> compiled_;

  Tensor eager_step(const Tensor& x, const Tensor& y);
};

// "W1".."W5" (any case). ValueError naming the known workloads otherwise.
std::unique_ptr<Workload> make_workload(const std::string& id);
// "W1", ..., "W5".
std::vector<std::string> workload_ids();

}  // namespace nabla::bench
