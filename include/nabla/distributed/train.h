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

}  // namespace nabla::dist
