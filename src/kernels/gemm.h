// Matrix products on raw pointers. Small ones (every layer of the small networks) use an in-house
// register-blocked kernel, where OpenBLAS's per-call overhead would dominate; large ones OpenBLAS.
#pragma once
#include <algorithm>
#include <cstdint>

namespace nabla::kernels {

// Up to this many multiply-adds (m·n·k) products go to small_gemm_blocked, the in-house
// register-blocked kernel; larger ones to OpenBLAS. Measured with nabla_micro_bench
// (--benchmark_filter='BM_gemm_(small|openblas)'): the in-house kernel wins on every layer of
// W2 and W3 (OpenBLAS's fixed cost, packing and thread dispatch dominate there) up to 64×64×64;
// see bench/README.md.
inline constexpr int64_t kBlockedGemm = 64 * 64 * 64;
// So do products with a side of at most kThinGemm (a 10-class output layer, W4's 128×256×10
// input gradient): OpenBLAS's packing and thread hand-over cost more than they save there
// (128×256×10: 25 µs on one OpenBLAS thread, 96 µs on two).
inline constexpr int64_t kThinGemm = 16;
inline bool in_house(int64_t m, int64_t n, int64_t k) {
  return m * n * k <= kBlockedGemm || std::min(m, std::min(n, k)) <= kThinGemm;
}
// From this many multiply-adds (about 40 µs of work) the in-house kernel splits C's rows over
// nabla's threads (nabla/threads.h); below it a product stays on the calling thread. A 64×64×64
// product alone, repeated with its operands hot in both cores' caches, ran 1.45× faster on two
// threads (nabla_micro_bench); inside W3's training step, where each product's operands were
// just written by the calling thread and its result is read there next, two threads ran the step
// at 0.6–0.9× the speed of one, even while the host gave the two vCPUs separate cores. Only large
// thin products (a side ≤ kThinGemm) reach this size in-house.
inline constexpr int64_t kParallelGemm = int64_t(1) << 21;

// C (m, n) = op(A) (m, k) · op(B) (k, n) [+ bias], the same contract as gemm below. float32
// runs on AVX2+FMA intrinsics where the CPU has them, else (and float64) on small_gemm_portable.
void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                        int64_t ldb, const float* bias, float* c, int64_t ldc);
void small_gemm_blocked(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                        const double* b, int64_t ldb, const double* bias, double* c, int64_t ldc);
// The same tiles in portable vector code (an AVX2 clone and a baseline x86-64 one).
void small_gemm_portable(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                         int64_t ldb, const float* bias, float* c, int64_t ldc);
void small_gemm_portable(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                         const double* b, int64_t ldb, const double* bias, double* c, int64_t ldc);

// C (m, n) = op(A) (m, k) · op(B) (k, n), row-major; op transposes when trans_* is set.
// lda/ldb/ldc are the row strides of A, B, C as stored. C is overwritten. A non-null `bias`
// (n values) is added to every row after the product (Linear's x·Wᵀ + b in one pass): the same
// value, bit for bit, as the product followed by a separate broadcast add.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, const float* bias, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, const double* bias, double* c, int64_t ldc);

}  // namespace nabla::kernels
