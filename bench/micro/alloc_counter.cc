#include "bench/micro/alloc_counter.h"

#include <atomic>
#include <cerrno>
#include <cstddef>

// glibc lets a program interpose its allocation functions; these wrappers
// count, then hand over to glibc's own allocator, so free() needs no
// wrapper. Counted: malloc, calloc, realloc, and the aligned forms
// (posix_memalign, aligned_alloc: simdjson's buffers). The cost, one
// uncontended atomic add per allocation (a few ns), lands in the times of
// the benchmarks that allocate; next to malloc's own cost it is small, and
// the count is worth it: it is how a benchmark shows that a hot path
// allocates nothing (STYLE.md, item 5).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KEEL_BENCH_COUNT_ALLOCATIONS 0
#else
#define KEEL_BENCH_COUNT_ALLOCATIONS 1
#endif

namespace keel::bench {
namespace {
// Relaxed: a count read after the loop, not a synchronisation point.
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void CountAllocation() { g_allocations.fetch_add(1, std::memory_order_relaxed); }

bool CountingAllocations() { return KEEL_BENCH_COUNT_ALLOCATIONS != 0; }
uint64_t Allocations() { return g_allocations.load(std::memory_order_relaxed); }

}  // namespace keel::bench

#if KEEL_BENCH_COUNT_ALLOCATIONS
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);

void* malloc(size_t size) {
  keel::bench::CountAllocation();
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  keel::bench::CountAllocation();
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  keel::bench::CountAllocation();
  return __libc_realloc(p, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  keel::bench::CountAllocation();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  // POSIX: a power of two and a multiple of sizeof(void*), else EINVAL.
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  keel::bench::CountAllocation();
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}
#endif
