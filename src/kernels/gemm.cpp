#include "gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace nabla::kernels {

namespace {

// The register-blocked kernel for small products (see gemm.h). C is computed in tiles of
// kRows rows × kCols columns held in registers: for each p, a row of B (contiguous) is multiplied
// by one element of A per tile row and added in. B stored transposed is first packed into a
// row-major copy (a thread-local scratch that only grows: no allocation in steady state).
// target_clones: an AVX2+FMA build of the same loops, picked at load time where the CPU has it
// (the compiler vectorises the kCols loop into FMAs), and the baseline x86-64 build elsewhere.
template <class T>
struct Tile {
  static constexpr int kRows = 4;
  static constexpr int kLanes = 32 / int(sizeof(T));  // one 256-bit vector of T
  static constexpr int kCols = 2 * kLanes;
  typedef T Vec __attribute__((vector_size(32)));
};

template <class T>
[[gnu::always_inline]] inline typename Tile<T>::Vec load(const T* p) {
  typename Tile<T>::Vec v;
  std::memcpy(&v, p, sizeof v);  // an unaligned vector load
  return v;
}

template <class T>
[[gnu::always_inline]] inline void tile(int64_t rows, int64_t cols, int64_t k, const T* a, int64_t a_row,
                                        int64_t a_col, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  using Vec = typename Tile<T>::Vec;
  constexpr int R = Tile<T>::kRows, L = Tile<T>::kLanes, C = Tile<T>::kCols;
  if (rows == R && cols == C) {
    // The whole tile in 8 vector registers; each step: 2 loads of B, 4 broadcasts of A, 8 FMAs.
    Vec acc[R][2] = {};
    for (int64_t p = 0; p < k; ++p) {
      const Vec b0 = load(b + p * ldb), b1 = load(b + p * ldb + L);
      for (int r = 0; r < R; ++r) {
        const Vec av = Vec{} + a[r * a_row + p * a_col];
        acc[r][0] += av * b0;
        acc[r][1] += av * b1;
      }
    }
    for (int r = 0; r < R; ++r) {
      T* crow = c + r * ldc;
      if (beta != T(0)) {
        acc[r][0] += load(crow);
        acc[r][1] += load(crow + L);
      }
      std::memcpy(crow, &acc[r][0], sizeof(Vec));
      std::memcpy(crow + L, &acc[r][1], sizeof(Vec));
    }
    return;
  }
  // An edge tile: the same sums, element by element.
  for (int64_t r = 0; r < rows; ++r) {
    T* crow = c + r * ldc;
    for (int64_t j = 0; j < cols; ++j) {
      T sum = 0;
      for (int64_t p = 0; p < k; ++p) sum += a[r * a_row + p * a_col] * b[p * ldb + j];
      crow[j] = beta == T(0) ? sum : crow[j] + sum;
    }
  }
}

template <class T>
std::vector<T>& packing_scratch() {
  thread_local std::vector<T> scratch;
  return scratch;
}

template <class T>
[[gnu::always_inline]] inline void blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
             T beta, T* c, int64_t ldc) {
  constexpr int R = Tile<T>::kRows, C = Tile<T>::kCols;
  if (tb) {  // B (k, n) is stored as (n, k): pack it row-major
    std::vector<T>& packed = packing_scratch<T>();
    if (packed.size() < size_t(k * n)) packed.resize(size_t(k * n));
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) packed[p * n + j] = b[j * ldb + p];
    b = packed.data();
    ldb = n;
  }
  // A(i, p) = a[i·a_row + p·a_col]
  const int64_t a_row = ta ? 1 : lda, a_col = ta ? lda : 1;
  for (int64_t i = 0; i < m; i += R)
    for (int64_t j = 0; j < n; j += C)
      tile<T>(std::min<int64_t>(R, m - i), std::min<int64_t>(C, n - j), k, a + i * a_row, a_row, a_col, b + j, ldb,
              beta, c + i * ldc + j, ldc);
}

}  // namespace

[[gnu::target_clones("arch=x86-64-v3", "default")]] void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n,
                                                                            int64_t k, const float* a, int64_t lda,
                                                                            const float* b, int64_t ldb, float beta,
                                                                            float* c, int64_t ldc) {
  blocked(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

[[gnu::target_clones("arch=x86-64-v3", "default")]] void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n,
                                                                            int64_t k, const double* a, int64_t lda,
                                                                            const double* b, int64_t ldb, double beta,
                                                                            double* c, int64_t ldc) {
  blocked(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
          float beta, float* c, int64_t ldc) {
  if (n >= kBlockedMinCols && m * n * k <= kBlockedGemm) return small_gemm_blocked(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
  if (m * n * k <= kSmallGemm) return small_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
              1.0f, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double beta, double* c, int64_t ldc) {
  if (n >= kBlockedMinCols && m * n * k <= kBlockedGemm) return small_gemm_blocked(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
  if (m * n * k <= kSmallGemm) return small_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
              1.0, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

}  // namespace nabla::kernels
