// nabla/threads.h — how many threads nabla computes on.
//
//   nabla::set_num_threads(1);   // everything on the calling thread (and OpenBLAS on one)
//   int n = nabla::get_num_threads();
//
// nabla's own kernels split a product of a 32- to 64-wide layer's size (the in-house GEMM, up to
// m·n·k = 64³) over this many threads, the caller plus persistent workers that spin briefly
// between kernels and then sleep; larger products go to OpenBLAS, which is set to the same count.
// Smaller work (elementwise ops, the tiny layers of 2-16-1 nets) stays on the calling thread,
// where handing it over would cost more than it saves.
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
