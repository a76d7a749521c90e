// The BLAS (OpenBLAS on Debian), opened when a product first needs it.
//
// nabla's small-network products run in its own kernels (gemm.h); only larger ones go to the
// BLAS. Opening it at start-up would cost every process the library's ~2 MB of resident pages,
// its threads and their start-up time, so a training run of a small net never loads it: the
// library is dlopen'ed on the first call here, from the path CMake found at build time
// (NABLA_BLAS_LIBRARY), else libopenblas.so.0, libcblas.so.3, libblas.so.3.
#pragma once
#include <cstdint>

namespace nabla::kernels::blas {

// Row-major cblas_sgemm / cblas_dgemm: C = A·B (op as trans_*), beta 0. IOError when no BLAS
// library can be opened.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc);
void dgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
           int64_t ldb, double* c, int64_t ldc);

// OpenBLAS's thread count: set now if the library is open, else when it is opened. Returns false
// when the library is open and has no openblas_set_num_threads (not OpenBLAS).
bool set_threads(int n);

// Whether the library has been opened (for tests: a small net's training leaves it closed).
bool loaded();

}  // namespace nabla::kernels::blas
