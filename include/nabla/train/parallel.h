// nabla/train/parallel.h — how a data-parallel run takes part in training: the interface that
// nabla::dist (over MPI, nabla/distributed.h) implements, so that the trainer needs no MPI.
//
// With a Parallel attached, every rank runs the same Trainer on the same configuration; each
// global batch (the loader's, identical on every rank) is cut into world_size() shards of rows
// (the first B % N ranks take one row more) and rank k trains on shard k. After backward, the
// gradients become the row-weighted mean over the ranks, so every rank applies the update of
// one process taking the whole batch (see nabla/distributed.h for the exact reduction order).
//
//   auto parallel = nabla::dist::trainer_parallel();       // over MPI_COMM_WORLD
//   train::RunOptions o; o.parallel = parallel.get();     // rank 0 writes the run's files
//   train::run_training(config, o);
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "nabla/nn/module.h"

namespace nabla::train {

class Parallel {
 public:
  virtual ~Parallel() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // Throws nabla::ValueError naming `what` and the first rank whose `text` differs from rank 0's.
  virtual void check_same(const std::string& text, const std::string& what) = 0;
  // Checks that every rank has the same parameters and buffers (names, shapes, dtypes) and
  // copies rank 0's to every rank. sum_loss: the loss is a sum over the rows (reduction "sum"):
  // the ranks' gradients and losses are then added, not averaged.
  virtual void attach(std::shared_ptr<nn::Module> model, bool sum_loss) = 0;
  // Right before backward (optional): the gradient synchronisation may start while backward runs,
  // each bucket of gradients reduced as soon as backward has finished it (nabla/distributed.h,
  // DataParallel::prepare_backward); sync_gradients(local_rows) then completes it, with the same
  // bits as without this call. A Parallel that cannot overlap does nothing here.
  virtual void prepare_backward(int64_t local_rows) {}
  // After backward, before clipping and the optimizer: the attached model's gradients become
  // the row-weighted mean over the ranks; rank 0's buffers (BatchNorm statistics) are copied to
  // every rank.
  virtual void sync_gradients(int64_t local_rows) = 0;
  // The global batch's loss from each rank's loss over its `local_rows` rows.
  virtual double batch_loss(double local_loss, int64_t local_rows) = 0;
  // True on every rank when `flag` is true on any rank (stop requests).
  virtual bool any(bool flag) = 0;
};

// Rows [begin, end) of a batch of `rows` rows that rank `rank` of `world` takes.
inline std::pair<int64_t, int64_t> shard_rows(int64_t rows, int world, int rank) {
  const int64_t base = rows / world, extra = rows % world;
  const int64_t begin = rank * base + std::min<int64_t>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

}  // namespace nabla::train
