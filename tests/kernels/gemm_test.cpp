// kernels::gemm on every path (the AVX2 tiles where the CPU has them, the portable tiles, OpenBLAS)
// against a plain loop in double: every transposition, row and column counts around the tile
// edges (1…17, 31, 33, 64), narrow products (n = 1, 2), strided operands and the bias.
#include "kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace nabla::kernels {
namespace {

enum class Path { dispatch, portable };

template <class T, Path path = Path::dispatch>
void check(bool ta, bool tb, int64_t m, int64_t n, int64_t k, bool with_bias, int64_t pad) {
  std::mt19937 rng(unsigned(m * 1000003 + n * 1009 + k * 17 + ta * 2 + tb));
  std::uniform_real_distribution<double> u(-1, 1);
  // Stored shapes: A (m, k) or (k, m); B (k, n) or (n, k); each row `pad` elements longer.
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k, b_rows = tb ? n : k, b_cols = tb ? k : n;
  const int64_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
  std::vector<T> a(size_t(std::max<int64_t>(a_rows * lda, 1))), b(size_t(std::max<int64_t>(b_rows * ldb, 1)));
  std::vector<T> bias(size_t(std::max<int64_t>(n, 1))), c(size_t(std::max<int64_t>(m * ldc, 1)), T(-7));
  for (T& v : a) v = T(u(rng));
  for (T& v : b) v = T(u(rng));
  for (T& v : bias) v = T(u(rng));
  const T* pbias = with_bias ? bias.data() : nullptr;
  if constexpr (path == Path::dispatch)
    gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, pbias, c.data(), ldc);
  else
    small_gemm_portable(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, pbias, c.data(), ldc);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = with_bias ? double(bias[j]) : 0.0;
      for (int64_t p = 0; p < k; ++p)
        want += double(ta ? a[p * lda + i] : a[i * lda + p]) * double(tb ? b[j * ldb + p] : b[p * ldb + j]);
      const double tol = (sizeof(T) == 4 ? 1e-5 : 1e-13) * (k + 1);
      ASSERT_NEAR(double(c[i * ldc + j]), want, tol)
          << "ta=" << ta << " tb=" << tb << " m=" << m << " n=" << n << " k=" << k << " bias=" << with_bias
          << " pad=" << pad << " at (" << i << ", " << j << ")";
    }
  // Padding between rows of C is left alone.
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], T(-7)) << "wrote past column " << n;
}

template <class T, Path path = Path::dispatch>
void check_all() {
  const std::vector<int64_t> sizes{1, 2, 3, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 33, 64};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t m : sizes)
        for (int64_t n : sizes)
          for (int64_t k : {1, 2, 16, 33}) check<T, path>(ta, tb, m, n, k, (m + n + k) % 2 == 0, (m + k) % 3);
  // Larger products (OpenBLAS), zero-sized ones, and k = 0 (C = bias).
  check<T, path>(false, true, 128, 96, 80, true, 0);
  check<T, path>(true, false, 96, 128, 80, true, 1);
  check<T, path>(false, false, 5, 4, 0, true, 0);
  check<T, path>(false, false, 0, 4, 3, true, 0);
}

TEST(Gemm, Float32MatchesAPlainLoop) { check_all<float>(); }
TEST(Gemm, Float64MatchesAPlainLoop) { check_all<double>(); }
TEST(Gemm, PortableTilesMatchAPlainLoop) {  // the path of CPUs without AVX2 (and of float64)
  check_all<float, Path::portable>();
  check_all<double, Path::portable>();
}

}  // namespace
}  // namespace nabla::kernels
