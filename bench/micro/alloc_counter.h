// Heap allocations per iteration, reported next to each benchmark's time.
//
// keel_micro_bench counts every malloc, calloc and realloc in the process
// (operator new goes through malloc, so C++ allocations count too), on any
// thread: a write benchmark includes what the storage writer thread
// allocates. A benchmark makes an AllocCounter just before its timed loop
// and calls Stop() right after it, before its own bookkeeping (setting a
// counter allocates); Stop records the allocations in between, divided by
// the iterations, as the user counter "allocs_per_iter": 0 means the timed
// loop allocated nothing. A benchmark whose loop reuses a buffer runs the
// operation once before the counter, so the buffer's first growth (not a
// steady-state cost) is left out. Sanitizer builds bring their own
// allocator: there nothing is counted and the counter is absent.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace keel::bench {

// False when the build cannot count (sanitizers).
bool CountingAllocations();
// Allocations so far in the whole process.
uint64_t Allocations();

class AllocCounter {
 public:
  explicit AllocCounter(benchmark::State& state) : state_(state), start_(Allocations()) {}
  AllocCounter(const AllocCounter&) = delete;
  AllocCounter& operator=(const AllocCounter&) = delete;

  void Stop() {
    const uint64_t allocations = Allocations() - start_;
    if (!CountingAllocations()) return;
    state_.counters["allocs_per_iter"] =
        benchmark::Counter(static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
  }

 private:
  benchmark::State& state_;
  uint64_t start_;
};

}  // namespace keel::bench
