// Matrix products on raw pointers. Large products go to OpenBLAS; tiny ones use a plain loop,
// where OpenBLAS's per-call overhead would dominate.
#pragma once
#include <cstdint>

namespace nabla::kernels {

// Below this many multiply-adds the call overhead of OpenBLAS (argument checks, thread
// dispatch) costs more than the arithmetic. bench/micro (nabla_micro_bench --benchmark_filter=gemm)
// measured the crossover of small_gemm against OpenBLAS between m·n·k = 64 and 512.
inline constexpr int64_t kSmallGemm = 256;
// Products at least 16 columns wide (one full register tile) and up to this many multiply-adds
// go to small_gemm_blocked: measured (nabla_micro_bench --benchmark_filter=gemm) faster than
// OpenBLAS on W2's layers (32×16×16: 0.74 µs vs 1.04 µs) and slower from about 64×64×64 on.
inline constexpr int64_t kBlockedGemm = 16384;
inline constexpr int64_t kBlockedMinCols = 16;

// The register-blocked in-house kernel (gemm.cpp) that gemm uses up to kSmallGemm (same contract).
void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                        int64_t ldb, float beta, float* c, int64_t ldc);
void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                        const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// The plain reference loop (same contract as gemm below), kept for the micro-benchmarks.
template <class T>
void small_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
                T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * ldc;
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) crow[j] = T(0);
    }
    for (int64_t p = 0; p < k; ++p) {
      const T av = ta ? a[p * lda + i] : a[i * lda + p];
      if (!tb) {
        const T* brow = b + p * ldb;
        for (int64_t j = 0; j < n; ++j) crow[j] += av * brow[j];
      } else {
        for (int64_t j = 0; j < n; ++j) crow[j] += av * b[j * ldb + p];
      }
    }
  }
}

// C (m, n) = op(A) (m, k) · op(B) (k, n), row-major; op transposes when trans_* is set.
// lda/ldb/ldc are the row strides of A, B, C as stored. beta = 0 overwrites C, 1 accumulates.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace nabla::kernels
