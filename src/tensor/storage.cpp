#include "nabla/tensor/storage.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "nabla/error.h"

namespace nabla {
namespace {

// Size classes: powers of two from 64 bytes. Buffers above kMaxCached go straight to the system:
// caching them would pin large amounts of memory for little gain (their allocation cost is small
// next to the work done on them).
constexpr size_t kMinClass = 64;
constexpr size_t kMaxCached = size_t(1) << 28;
constexpr int kNumClasses = 23;  // 64 B .. 256 MiB

struct CachingAllocator {
  std::mutex mutex;
  std::vector<void*> free_lists[kNumClasses];
  AllocatorStats stats;

  static int size_class(size_t nbytes, size_t* rounded) {
    size_t size = kMinClass;
    int cls = 0;
    while (size < nbytes) {
      size <<= 1;
      ++cls;
    }
    *rounded = size;
    return cls;
  }

  void* allocate(size_t nbytes, size_t* capacity) {
    if (nbytes > kMaxCached) {
      *capacity = (nbytes + 63) / 64 * 64;
      std::lock_guard<std::mutex> lock(mutex);
      ++stats.system_allocations;
      return system_alloc(*capacity);
    }
    int cls = size_class(nbytes, capacity);
    std::lock_guard<std::mutex> lock(mutex);
    auto& list = free_lists[cls];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      ++stats.cache_hits;
      stats.bytes_cached -= *capacity;
      return p;
    }
    ++stats.system_allocations;
    return system_alloc(*capacity);
  }

  void release(void* p, size_t capacity) {
    if (capacity > kMaxCached) {
      std::free(p);
      return;
    }
    size_t rounded;
    int cls = size_class(capacity, &rounded);
    std::lock_guard<std::mutex> lock(mutex);
    free_lists[cls].push_back(p);
    stats.bytes_cached += capacity;
  }

  void release_cache() {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& list : free_lists) {
      for (void* p : list) std::free(p);
      list.clear();
    }
    stats.bytes_cached = 0;
  }

  static void* system_alloc(size_t bytes) {
    void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
};

// Leaked on purpose: tensors with static storage duration may be destroyed after it would be.
CachingAllocator& allocator() {
  static auto* instance = new CachingAllocator;
  return *instance;
}

}  // namespace

Storage::Storage(size_t nbytes) { data_ = allocator().allocate(nbytes, &nbytes_); }
Storage::Storage(void* data, size_t nbytes, std::function<void()> release)
    : data_(data), nbytes_(nbytes), release_(std::move(release)) {}
Storage::~Storage() {
  if (release_) {
    release_();
  } else {
    allocator().release(data_, nbytes_);
  }
}

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) { return std::make_shared<Storage>(nbytes); }

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, std::function<void()> release) {
  NABLA_CHECK(release != nullptr, ValueError, "Storage::wrap: a release function is required");
  return std::shared_ptr<Storage>(new Storage(data, nbytes, std::move(release)));
}

std::shared_ptr<Storage> Storage::zeros(size_t nbytes) {
  auto s = allocate(nbytes);
  std::memset(s->data(), 0, nbytes);
  return s;
}

AllocatorStats allocator_stats() {
  std::lock_guard<std::mutex> lock(allocator().mutex);
  return allocator().stats;
}

void allocator_release_cache() { allocator().release_cache(); }

}  // namespace nabla
