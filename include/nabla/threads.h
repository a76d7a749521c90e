// nabla/threads.h — how many threads nabla computes on.
//
//   nabla::set_num_threads(1);   // everything on the calling thread (and OpenBLAS on one)
//   int n = nabla::get_num_threads();
//
// Products larger than 64³ multiply-adds go to OpenBLAS, which is set to this count. nabla's own
// kernels split over this many threads (the caller plus persistent workers that spin briefly
// between kernels and then sleep) the work that is large enough to gain from it: elementwise
// ops, bias gradients and optimizer updates of at least 32 768 elements, and its thin products
// (a side ≤ 16) of at least 2^21 multiply-adds. Smaller work (the layers of 2-16-1 and 64-wide
// nets) stays on the calling thread: handing it over, and moving its operands to the other
// core's cache and its result back, costs more than it saves (kernels/gemm.h has the figures).
//
// The default is the NABLA_NUM_THREADS environment variable when set (1…64), else the number of
// CPUs this process may run on, at most 8. Results do not depend on the count: each thread
// computes whole rows, with the same arithmetic in the same order.
#pragma once

namespace nabla {

// Sets the count (≥ 1; ValueError otherwise). Takes effect for the next kernel.
void set_num_threads(int n);
int get_num_threads();

}  // namespace nabla
