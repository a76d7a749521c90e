// nabla/distributed/train.h — `nabla train` over MPI: train::Parallel (nabla/train/parallel.h)
// implemented with nabla::dist's DataParallel on MPI_COMM_WORLD.
//
//   nabla::dist::Context mpi(&argc, &argv);
//   auto parallel = nabla::dist::trainer_parallel();
//   train::RunOptions o; o.out_dir = "runs/a"; o.parallel = parallel.get();
//   train::run_training(config, o);                      // under mpirun -np N, on every rank
#pragma once
#include <memory>

#include "nabla/distributed.h"
#include "nabla/train/parallel.h"

namespace nabla::dist {

std::unique_ptr<train::Parallel> trainer_parallel(const DataParallelOptions& options = {});

// What a program that may run under mpirun holds: when launched_by_mpi(), MPI initialised for this
// object's lifetime and the train::Parallel for the trainer and the bench; otherwise both empty (one
// process). `nabla train` and `nabla bench` start this way.
//   nabla::dist::MpiRun mpi = nabla::dist::join_if_launched();
//   options.parallel = mpi.parallel.get();                  // nullptr: a one-process run
struct MpiRun {
  std::unique_ptr<Context> context;
  std::unique_ptr<train::Parallel> parallel;  // destroyed before the context
  int rank() const { return parallel ? parallel->rank() : 0; }
  int world_size() const { return parallel ? parallel->world_size() : 1; }
};
MpiRun join_if_launched(const DataParallelOptions& options = {});

}  // namespace nabla::dist
