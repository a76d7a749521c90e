// Matrix products on raw pointers. Large products go to OpenBLAS; tiny ones use a plain loop,
// where OpenBLAS's per-call overhead would dominate.
#pragma once
#include <cstdint>

namespace nabla::kernels {

// C (m, n) = op(A) (m, k) · op(B) (k, n), row-major; op transposes when trans_* is set.
// lda/ldb/ldc are the row strides of A, B, C as stored. beta = 0 overwrites C, 1 accumulates.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace nabla::kernels
