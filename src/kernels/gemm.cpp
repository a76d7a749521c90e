#include "gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "blas.h"
#include "parallel.h"

namespace nabla::kernels {

namespace {

// The register-blocked kernel for small products (see gemm.h). C is computed in tiles of up to
// kRows rows × two vectors of columns held in registers: for each p, a row of B (contiguous) is
// multiplied by one element of A per tile row and added in, so every element of C is summed
// in the order p = 0, 1, ..., k-1, whatever the tile. B stored transposed is first packed into a
// row-major copy (a thread-local scratch that only grows: no allocation in steady state).
// target_clones: an AVX2+FMA build of the same loops, picked at load time where the CPU has it
// (the vector types below become ymm registers and the multiply-adds FMAs), and the baseline
// x86-64 build elsewhere.
template <class T>
struct Tile {
  static constexpr int kRows = 6;                     // 6 rows × 2 vectors = 12 accumulators
  static constexpr int kLanes = 32 / int(sizeof(T));  // one 256-bit vector of T
  typedef T Vec __attribute__((vector_size(32)));
};

template <class T>
[[gnu::always_inline]] inline typename Tile<T>::Vec load(const T* p) {
  typename Tile<T>::Vec v;
  std::memcpy(&v, p, sizeof v);  // an unaligned vector load
  return v;
}

template <class T>
[[gnu::always_inline]] inline void store(T* p, const typename Tile<T>::Vec& v) {
  std::memcpy(p, &v, sizeof v);
}

// R rows × V vectors of C (R ≤ 6, V ≤ 2), all columns present.
template <class T, int R, int V>
[[gnu::always_inline]] inline void vector_tile(int64_t k, const T* a, int64_t a_row, int64_t a_col, const T* b,
                                               int64_t ldb, const T* bias, T* c, int64_t ldc) {
  using Vec = typename Tile<T>::Vec;
  constexpr int L = Tile<T>::kLanes;
  Vec acc[R][V] = {};
  for (int64_t p = 0; p < k; ++p) {
    Vec bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load(b + p * ldb + v * L);
    for (int r = 0; r < R; ++r) {
      const Vec av = Vec{} + a[r * a_row + p * a_col];
      for (int v = 0; v < V; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) {
      if (bias) acc[r][v] += load(bias + v * L);  // the bias after the sum, as a separate add would
      store(c + r * ldc + v * L, acc[r][v]);
    }
}

// Rows [i, i + R) of C over all n columns: whole vectors in registers, the last < L columns
// element by element (same order of summation).
template <class T, int R>
[[gnu::always_inline]] inline void row_block(int64_t n, int64_t k, const T* a, int64_t a_row, int64_t a_col, const T* b,
                                             int64_t ldb, const T* bias, T* c, int64_t ldc) {
  constexpr int L = Tile<T>::kLanes;
  int64_t j = 0;
  for (; j + 2 * L <= n; j += 2 * L)
    vector_tile<T, R, 2>(k, a, a_row, a_col, b + j, ldb, bias ? bias + j : nullptr, c + j, ldc);
  if (j + L <= n) {
    vector_tile<T, R, 1>(k, a, a_row, a_col, b + j, ldb, bias ? bias + j : nullptr, c + j, ldc);
    j += L;
  }
  if (j == n) return;
  // Fewer than L columns left (and the narrow products n = 1, 2, ...): R independent sums per
  // column, so the multiply-adds of different rows overlap instead of waiting on each other.
  for (; j < n; ++j) {
    T acc[R] = {};
    for (int64_t p = 0; p < k; ++p) {
      const T bj = b[p * ldb + j];
      for (int r = 0; r < R; ++r) acc[r] += a[r * a_row + p * a_col] * bj;
    }
    for (int r = 0; r < R; ++r) c[r * ldc + j] = bias ? acc[r] + bias[j] : acc[r];
  }
}

// body.template operator()<Rows>() for the run-time row count `rows` in [1, 5] (the rows left
// under a full tile); nothing for 0.
template <int Rows = 1, class Body>
[[gnu::always_inline]] inline void with_rows(int rows, Body&& body) {
  if constexpr (Rows <= 5) {
    if (rows == Rows) return body.template operator()<Rows>();
    with_rows<Rows + 1>(rows, body);
  }
}

template <class T>
std::vector<T>& packing_scratch() {
  thread_local std::vector<T> scratch;
  return scratch;
}

template <class T>
[[gnu::always_inline]] inline void blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                                           const T* b, int64_t ldb, const T* bias, T* c, int64_t ldc) {
  if (tb && n > 1) {  // B (k, n) is stored as (n, k): pack it row-major (one column needs no packing)
    std::vector<T>& packed = packing_scratch<T>();
    if (packed.size() < size_t(k * n)) packed.resize(size_t(k * n));
    T* dst = packed.data();
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) dst[p * n + j] = b[j * ldb + p];
    b = dst;
    ldb = n;
  } else if (tb) {
    ldb = 1;  // one column stored as a row: element p is at b[p]
  }
  // A(i, p) = a[i·a_row + p·a_col]
  const int64_t a_row = ta ? 1 : lda, a_col = ta ? lda : 1;
  constexpr int R = Tile<T>::kRows;
  int64_t i = 0;
  for (; i + R <= m; i += R) row_block<T, R>(n, k, a + i * a_row, a_row, a_col, b, ldb, bias, c + i * ldc, ldc);
  // The last m mod R rows: one block of exactly that many.
  with_rows(int(m - i),
            [&]<int Rows>() { row_block<T, Rows>(n, k, a + i * a_row, a_row, a_col, b, ldb, bias, c + i * ldc, ldc); });
}

// ---- float32 on AVX2+FMA: the same tiles written with intrinsics ----
// The portable kernel above leaves register allocation to the compiler, which at -O2 (or in
// some clones) keeps accumulators in memory; this one pins them: 6 rows × 2 vectors of C in 12
// ymm registers, B's row loaded once per p, A's element broadcast straight from memory. The
// last < 8 columns (and narrow products, n = 1, 2, ...) use masked loads and stores. Measured
// 74–77 GFLOP/s on 32×16×16 and 64×64×64 (OpenBLAS: 16–23 and 44–58) on the Zen 4 machines.
namespace avx2 {

__attribute__((target("avx2,fma"))) inline __m256i lane_mask(int64_t count) {  // lanes [0, count) on
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// R rows (≤ 6) × V vectors (≤ 2) of C; the last vector has `last` valid lanes (1..8).
template <int R, int V>
__attribute__((target("avx2,fma"), always_inline)) inline void tile(int64_t k, const float* a, int64_t a_row,
                                                                    int64_t a_col, const float* b, int64_t ldb,
                                                                    const float* bias, float* c, int64_t ldc,
                                                                    int last) {
  const __m256i mask = lane_mask(last);
  __m256 acc[R][V];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    __m256 bv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v)
      bv[v] =
          v + 1 < V || last == 8 ? _mm256_loadu_ps(b + p * ldb + 8 * v) : _mm256_maskload_ps(b + p * ldb + 8 * v, mask);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + r * a_row + p * a_col);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      const bool full = v + 1 < V || last == 8;
      __m256 x = acc[r][v];
      if (bias) x = _mm256_add_ps(x, full ? _mm256_loadu_ps(bias + 8 * v) : _mm256_maskload_ps(bias + 8 * v, mask));
      if (full)
        _mm256_storeu_ps(c + r * ldc + 8 * v, x);
      else
        _mm256_maskstore_ps(c + r * ldc + 8 * v, mask, x);
    }
}

template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void rows(int64_t n, int64_t k, const float* a, int64_t a_row,
                                                                    int64_t a_col, const float* b, int64_t ldb,
                                                                    const float* bias, float* c, int64_t ldc) {
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) tile<R, 2>(k, a, a_row, a_col, b + j, ldb, bias ? bias + j : nullptr, c + j, ldc, 8);
  const int64_t left = n - j;
  if (left > 8)
    tile<R, 2>(k, a, a_row, a_col, b + j, ldb, bias ? bias + j : nullptr, c + j, ldc, int(left - 8));
  else if (left > 0)
    tile<R, 1>(k, a, a_row, a_col, b + j, ldb, bias ? bias + j : nullptr, c + j, ldc, int(left));
}

// C (m, n) = A (m, k) · B (k, n) [+ bias]; A(i, p) = a[i·a_row + p·a_col], B row-major.
__attribute__((target("avx2,fma"))) void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_row,
                                              int64_t a_col, const float* b, int64_t ldb, const float* bias, float* c,
                                              int64_t ldc) {
  int64_t i = 0;
  for (; i + 6 <= m; i += 6) rows<6>(n, k, a + i * a_row, a_row, a_col, b, ldb, bias, c + i * ldc, ldc);
  with_rows(
      int(m - i), [&]<int Rows>() __attribute__((target("avx2,fma"))) {
        rows<Rows>(n, k, a + i * a_row, a_row, a_col, b, ldb, bias, c + i * ldc, ldc);
      });
}

__attribute__((target("avx2,fma"))) inline float horizontal_sum(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 quarter = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(quarter, _mm_movehdup_ps(quarter)));
}

// Narrow products (n < 8) whose rows of A and columns of B are both contiguous in p: each C(i, j)
// a dot product, 8 terms of p at a time, 4 rows at once. The tiles would instead run one chain of
// k dependent multiply-adds per row (Linear(·, 1)'s forward: k = 64 → 64 × 4 cycles).
__attribute__((target("avx2,fma"))) void dot_products(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                                                      const float* b, int64_t b_col, const float* bias, float* c,
                                                      int64_t ldc) {
  const __m256i tail = lane_mask(k % 8);
  const int64_t whole = k - k % 8;
  for (int64_t j = 0; j < n; ++j) {
    const float* bj = b + j * b_col;
    const float add = bias ? bias[j] : 0.0f;
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
      for (int64_t p = 0; p < whole; p += 8) {
        const __m256 bv = _mm256_loadu_ps(bj + p);
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r) acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(a + (i + r) * lda + p), bv, acc[r]);
      }
      if (whole < k) {
        const __m256 bv = _mm256_maskload_ps(bj + whole, tail);
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r)
          acc[r] = _mm256_fmadd_ps(_mm256_maskload_ps(a + (i + r) * lda + whole, tail), bv, acc[r]);
      }
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) c[(i + r) * ldc + j] = bias ? horizontal_sum(acc[r]) + add : horizontal_sum(acc[r]);
    }
    for (; i < m; ++i) {
      __m256 acc = _mm256_setzero_ps();
      for (int64_t p = 0; p < whole; p += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i * lda + p), _mm256_loadu_ps(bj + p), acc);
      if (whole < k)
        acc = _mm256_fmadd_ps(_mm256_maskload_ps(a + i * lda + whole, tail), _mm256_maskload_ps(bj + whole, tail), acc);
      c[i * ldc + j] = bias ? horizontal_sum(acc) + add : horizontal_sum(acc);
    }
  }
}

// dst (cols × rows, row stride rows) = srcᵀ, src (rows × cols, row stride lds): 8 × 8 blocks
// transposed in registers, the edges element by element.
__attribute__((target("avx2,fma"))) void transpose(int64_t rows, int64_t cols, const float* src, int64_t lds,
                                                   float* dst) {
  int64_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    int64_t q = 0;
    for (; q + 8 <= cols; q += 8) {
      __m256 v[8], t[8];
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) v[i] = _mm256_loadu_ps(src + (r + i) * lds + q);
      t[0] = _mm256_unpacklo_ps(v[0], v[1]);
      t[1] = _mm256_unpackhi_ps(v[0], v[1]);
      t[2] = _mm256_unpacklo_ps(v[2], v[3]);
      t[3] = _mm256_unpackhi_ps(v[2], v[3]);
      t[4] = _mm256_unpacklo_ps(v[4], v[5]);
      t[5] = _mm256_unpackhi_ps(v[4], v[5]);
      t[6] = _mm256_unpacklo_ps(v[6], v[7]);
      t[7] = _mm256_unpackhi_ps(v[6], v[7]);
      v[0] = _mm256_shuffle_ps(t[0], t[2], _MM_SHUFFLE(1, 0, 1, 0));
      v[1] = _mm256_shuffle_ps(t[0], t[2], _MM_SHUFFLE(3, 2, 3, 2));
      v[2] = _mm256_shuffle_ps(t[1], t[3], _MM_SHUFFLE(1, 0, 1, 0));
      v[3] = _mm256_shuffle_ps(t[1], t[3], _MM_SHUFFLE(3, 2, 3, 2));
      v[4] = _mm256_shuffle_ps(t[4], t[6], _MM_SHUFFLE(1, 0, 1, 0));
      v[5] = _mm256_shuffle_ps(t[4], t[6], _MM_SHUFFLE(3, 2, 3, 2));
      v[6] = _mm256_shuffle_ps(t[5], t[7], _MM_SHUFFLE(1, 0, 1, 0));
      v[7] = _mm256_shuffle_ps(t[5], t[7], _MM_SHUFFLE(3, 2, 3, 2));
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        _mm256_storeu_ps(dst + (q + i) * rows + r, _mm256_permute2f128_ps(v[i], v[i + 4], 0x20));
        _mm256_storeu_ps(dst + (q + i + 4) * rows + r, _mm256_permute2f128_ps(v[i], v[i + 4], 0x31));
      }
    }
    for (; q < cols; ++q)
      for (int i = 0; i < 8; ++i) dst[q * rows + r + i] = src[(r + i) * lds + q];
  }
  for (; r < rows; ++r)
    for (int64_t q = 0; q < cols; ++q) dst[q * rows + r] = src[r * lds + q];
}

const bool kAvailable = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

}  // namespace avx2

// C's rows += bias, after a BLAS product.
template <class T>
void add_bias_rows(int64_t m, int64_t n, const T* bias, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] += bias[j];
}

}  // namespace

[[gnu::target_clones("arch=x86-64-v3", "default")]] void small_gemm_portable(bool ta, bool tb, int64_t m, int64_t n,
                                                                             int64_t k, const float* a, int64_t lda,
                                                                             const float* b, int64_t ldb,
                                                                             const float* bias, float* c, int64_t ldc) {
  blocked(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc);
}

[[gnu::target_clones("arch=x86-64-v3", "default")]] void small_gemm_portable(bool ta, bool tb, int64_t m, int64_t n,
                                                                             int64_t k, const double* a, int64_t lda,
                                                                             const double* b, int64_t ldb,
                                                                             const double* bias, double* c,
                                                                             int64_t ldc) {
  blocked(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc);
}

void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                        int64_t ldb, const float* bias, float* c, int64_t ldc) {
  if (!avx2::kAvailable) return small_gemm_portable(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc);
  if (n < 8 && !ta && (tb || ldb == 1 || k == 1)) {
    // Narrow, A's rows and B's columns contiguous in p: dot products.
    return avx2::dot_products(m, n, k, a, lda, b, tb ? ldb : 1, bias, c, ldc);
  }
  if (n < 8 && ta && m >= 8) {
    // Narrow with A stored (k, m): Cᵀ = op(B)ᵀ·Aᵀ is wide (m columns) and needs no packing; the
    // tiles compute it into scratch, and it is transposed into C (with the bias) after.
    std::vector<float>& scratch = packing_scratch<float>();
    if (scratch.size() < size_t(n * m)) scratch.resize(size_t(n * m));
    float* ct = scratch.data();
    avx2::gemm(n, m, k, b, tb ? ldb : 1, tb ? 1 : ldb, a, lda, nullptr, ct, m);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = bias ? ct[j * m + i] + bias[j] : ct[j * m + i];
    return;
  }
  const int64_t a_row = ta ? 1 : lda, a_col = ta ? lda : 1;
  if (tb) {  // B stored (n, k): packed row-major (k, n) into a thread-local scratch that only grows
    std::vector<float>& packed = packing_scratch<float>();
    if (packed.size() < size_t(k * n)) packed.resize(size_t(k * n));
    avx2::transpose(n, k, b, ldb, packed.data());
    b = packed.data();
    ldb = n;
  }
  // Large enough products split C's rows over nabla's threads, in whole tiles of 6 rows: each
  // element is computed by one thread, the same way as on one.
  const int64_t tiles = (m + 5) / 6;
  // Two parts per thread, claimed as threads come free: a late or slow thread delays little.
  const int parts = m * n * k >= kParallelGemm ? int(std::min<int64_t>(2 * parallel_parts(), tiles)) : 1;
  if (parts <= 1) return avx2::gemm(m, n, k, a, a_row, a_col, b, ldb, bias, c, ldc);
  run_parts(parts, [&](int part) {
    const int64_t begin = 6 * (tiles * part / parts), end = std::min(m, 6 * (tiles * (part + 1) / parts));
    avx2::gemm(end - begin, n, k, a + begin * a_row, a_row, a_col, b, ldb, bias, c + begin * ldc, ldc);
  });
}

void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                        const double* b, int64_t ldb, const double* bias, double* c, int64_t ldc) {
  small_gemm_portable(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc);
}

[[gnu::target_clones("arch=x86-64-v3", "default")]] static void add_bias(int64_t m, int64_t n, const float* bias,
                                                                         float* c, int64_t ldc) {
  add_bias_rows(m, n, bias, c, ldc);
}
[[gnu::target_clones("arch=x86-64-v3", "default")]] static void add_bias(int64_t m, int64_t n, const double* bias,
                                                                         double* c, int64_t ldc) {
  add_bias_rows(m, n, bias, c, ldc);
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
          const float* bias, float* c, int64_t ldc) {
  if (in_house(m, n, k)) return small_gemm_blocked(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc);
  blas::sgemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
  if (bias) add_bias(m, n, bias, c, ldc);
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b, int64_t ldb,
          const double* bias, double* c, int64_t ldc) {
  if (in_house(m, n, k)) return small_gemm_blocked(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc);
  blas::dgemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
  if (bias) add_bias(m, n, bias, c, ldc);
}

}  // namespace nabla::kernels
