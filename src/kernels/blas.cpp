#include "blas.h"

#include <cblas.h>
#include <dlfcn.h>

#include <atomic>
#include <mutex>
#include <string>

#include "nabla/error.h"
#include "parallel.h"

#ifndef NABLA_BLAS_LIBRARY
#define NABLA_BLAS_LIBRARY "libopenblas.so.0"
#endif

namespace nabla::kernels::blas {
namespace {

using SgemmFn = decltype(&cblas_sgemm);
using DgemmFn = decltype(&cblas_dgemm);
using SetThreadsFn = void (*)(int);

struct Library {
  SgemmFn sgemm = nullptr;
  DgemmFn dgemm = nullptr;
  SetThreadsFn set_threads = nullptr;
  std::string tried;
};

std::atomic<bool> g_loaded{false};
std::atomic<int> g_pending_threads{0};  // a count asked for before the library was open
std::mutex g_threads_mutex;

const Library& library() {
  static const Library lib = [] {
    Library l;
    for (const char* name : {NABLA_BLAS_LIBRARY, "libopenblas.so.0", "libcblas.so.3", "libblas.so.3"}) {
      // RTLD_GLOBAL: as if linked, so that its own symbols resolve the usual way.
      void* handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
      l.tried += std::string(l.tried.empty() ? "" : ", ") + name;
      if (!handle) continue;
      l.sgemm = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
      l.dgemm = reinterpret_cast<DgemmFn>(dlsym(handle, "cblas_dgemm"));
      l.set_threads = reinterpret_cast<SetThreadsFn>(dlsym(handle, "openblas_set_num_threads"));
      if (l.sgemm && l.dgemm) break;
      l = Library{.tried = l.tried};  // no CBLAS in it: keep looking (never closed: harmless)
    }
    return l;
  }();
  return lib;
}

const Library& open_library() {
  const Library& lib = library();
  NABLA_CHECK(lib.sgemm && lib.dgemm, IOError, "no BLAS library with cblas_sgemm could be opened (tried ", lib.tried,
              "); install libopenblas0");
  if (!g_loaded.exchange(true)) {
    std::lock_guard<std::mutex> lock(g_threads_mutex);
    if (const int n = g_pending_threads.load(); n > 0 && lib.set_threads) lib.set_threads(n);
  }
  return lib;
}

constexpr CBLAS_TRANSPOSE trans(bool t) { return t ? CblasTrans : CblasNoTrans; }

}  // namespace

void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
           float* c, int64_t ldc) {
  const Library& lib = open_library();
  note_blas_call();
  lib.sgemm(CblasRowMajor, trans(ta), trans(tb), int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), 0.0f, c,
            int(ldc));
}

void dgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
           int64_t ldb, double* c, int64_t ldc) {
  const Library& lib = open_library();
  note_blas_call();
  lib.dgemm(CblasRowMajor, trans(ta), trans(tb), int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), 0.0, c,
            int(ldc));
}

bool set_threads(int n) {
  std::lock_guard<std::mutex> lock(g_threads_mutex);
  g_pending_threads.store(n);
  if (!g_loaded.load()) return true;
  const Library& lib = library();
  if (!lib.set_threads) return false;
  lib.set_threads(n);
  return true;
}

bool loaded() { return g_loaded.load(); }

}  // namespace nabla::kernels::blas
