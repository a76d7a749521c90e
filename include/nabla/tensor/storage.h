// nabla/tensor/storage.h — reference-counted buffers from a caching allocator.
//
// A training step that repeats with fixed shapes asks for the same buffer sizes every step;
// the allocator keeps freed buffers in per-size free lists so that, after the first step,
// a steady-state step takes nothing from the system allocator.
//
//   auto s = Storage::allocate(1024);   // 1024 bytes, 64-byte aligned
//   float* p = static_cast<float*>(s->data());
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "nabla/std_function.h"

namespace nabla {

class Storage {
 public:
  // A buffer of at least `nbytes` bytes, 64-byte aligned, contents undefined.
  static std::shared_ptr<Storage> allocate(size_t nbytes);
  // A buffer whose bytes are all zero.
  static std::shared_ptr<Storage> zeros(size_t nbytes);
  // Memory someone else owns (a NumPy array's buffer, for the Python module's from_numpy):
  // tensors on it read and write that memory; `release` runs when the last one is gone.
  // Kernels need no particular alignment of it.
  static std::shared_ptr<Storage> wrap(void* data, size_t nbytes, std::function<void()> release);

  explicit Storage(size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  // The version counter of autograd (Tensor::version): bumped by every in-place change of the
  // buffer, so a node that saved a tensor for backward can tell it was overwritten.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  Storage(void* data, size_t nbytes, std::function<void()> release);

  void* data_;
  size_t nbytes_;
  uint64_t version_ = 0;
  std::function<void()> release_;  // set for wrapped memory: the allocator does not own it
};

// Statistics of the caching allocator, for tests and benchmarks.
struct AllocatorStats {
  uint64_t system_allocations = 0;  // buffers taken from the system allocator
  uint64_t cache_hits = 0;          // buffers served from a free list
  uint64_t bytes_cached = 0;        // bytes sitting in free lists now
};
AllocatorStats allocator_stats();
// Returns every cached buffer to the system.
void allocator_release_cache();

}  // namespace nabla
