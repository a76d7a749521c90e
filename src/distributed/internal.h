// Private to src/distributed: what distributed.cpp and overlap.cpp share — MPI error checks, the
// waits with a deadline, and a parameter's gradient as memory a reduction may overwrite.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "nabla/distributed.h"
#include "nabla/tensor/tensor.h"

namespace nabla::dist::internal {

// The most values one collective call moves: MPI counts are int.
constexpr int64_t kMaxCount = int64_t{1} << 30;

// Throws IOError naming `op` and this rank unless code is MPI_SUCCESS.
void check_mpi(int code, const char* op);
// Waits for non-blocking collectives with a deadline (NABLA_DIST_TIMEOUT, default 300 s),
// yielding the CPU between polls.
void wait_all(const char* op, MPI_Request* requests, int count);

// p's gradient as memory sync_gradients may overwrite: .grad itself when nothing else refers to
// it (backward's fresh tensor, the usual case), else a contiguous copy (zeros without a
// gradient) made p's .grad. Writing in place spares a new tensor per parameter per step, whose
// first touch of every page is a page fault (W5: 84 MB per step).
// dist::sync_gradients's reduction (src/distributed/overlap.cpp): `parameters`' gradients cut
// into buckets as DataParallel's, reduced after backward.
void reduce_gradients(const std::vector<Tensor>& parameters, int64_t local_rows, bool mean,
                      const DataParallelOptions& options);

template <typename T>
T* exclusive_grad(const Tensor& p) {
  const std::shared_ptr<TensorImpl>& g = p.impl()->grad;
  if (g && g.use_count() == 1 && g->storage.use_count() == 1 && g->dtype == p.dtype() && g->shape == p.shape() &&
      g->is_contiguous() && !g->requires_grad && !g->grad_fn)
    return static_cast<T*>(g->storage->data()) + g->offset;
  Tensor fresh = Tensor::empty(p.shape(), p.dtype());
  const Tensor old = p.grad();
  if (old.defined()) {
    const Tensor c = old.contiguous();
    std::memcpy(fresh.data<T>(), c.data<T>(), sizeof(T) * c.numel());
  } else {
    std::fill_n(fresh.data<T>(), fresh.numel(), T(0));
  }
  Tensor(p).set_grad(fresh);
  return fresh.data<T>();
}

}  // namespace nabla::dist::internal
