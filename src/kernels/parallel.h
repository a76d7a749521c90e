// Splitting one kernel's work over nabla's threads (nabla/threads.h): the caller and up to
// get_num_threads() - 1 persistent workers claim the parts one by one until none is left, and the
// call returns when all are done (so more parts than threads balance the load).
//
//   kernels::run_parts(4, [&](int part) { rows(part * m / 4, (part + 1) * m / 4); });
//
// Made for kernels of a few microseconds (the GEMMs of a 64-wide layer): workers wait for work by
// spinning for a while (a wake-up through the OS would cost as much as the work) and then sleep.
// No allocation per call. Parts run on the caller, one after another, when nabla is set to one
// thread or when another thread is using the workers at that moment; a worker the OS is slow to
// schedule leaves its parts to the caller. At most 65535 parts.
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

namespace nabla::kernels {

// Called before each OpenBLAS call: for the next 100 ms run_parts keeps to the calling thread
// and idle workers sleep, so that nabla's threads do not fight OpenBLAS's spinning ones.
void note_blas_call();

// How many parts the workers (not the callers) have run so far: for tests.
int64_t parts_run_by_workers();

// nabla::get_num_threads(): how many threads run_parts uses.
int parallel_parts();

namespace detail {
using PartFn = void (*)(void* context, int part);
void run_parts(int parts, PartFn fn, void* context);
}  // namespace detail

// Calls work(part) for part = 0 … parts-1, concurrently where workers are free.
template <class Work>
void run_parts(int parts, Work&& work) {
  using W = std::remove_reference_t<Work>;
  detail::run_parts(
      parts, [](void* context, int part) { (*static_cast<W*>(context))(part); },
      const_cast<void*>(static_cast<const void*>(&work)));
}

// Elementwise loops of at least this many elements are split over the threads (below it the
// hand-over costs about what it saves: a 4096-element relu takes ~0.5 µs).
inline constexpr int64_t kParallelElements = 32768;

// Calls work(begin, end) over [0, n): once, on this thread, when the work (n elements, or
// `elements` touched in all when given) is below kParallelElements or nabla runs on one thread;
// else in 2 parts per thread, each a multiple of 64 long (whole cache lines of floats).
template <class Work>
void parallel_range(int64_t n, Work&& work, int64_t elements = -1) {
  if (n <= 0) return;
  const int threads = (elements < 0 ? n : elements) >= kParallelElements ? parallel_parts() : 1;
  if (threads <= 1) {
    work(int64_t(0), n);
    return;
  }
  const int parts = 2 * threads;
  run_parts(parts, [&](int part) {
    const int64_t begin = n * part / parts / 64 * 64, end = part + 1 == parts ? n : n * (part + 1) / parts / 64 * 64;
    if (begin < end) work(begin, end);
  });
}

}  // namespace nabla::kernels
