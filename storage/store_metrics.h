// The store's metrics: the writer's batch sizes and commit times, its queue
// depth, and the LMDB map's size and use. The writer thread is the only
// writer of the histograms; the queue depth is set under the queue's lock.
// AppendStoreMetrics prints the keel_store_* families; any thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/metrics.h"

namespace keel::storage {

class Store;

inline constexpr uint64_t kBatchSizeBounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
// 100 us ... 10 s, in nanoseconds.
inline constexpr uint64_t kCommitBoundsNs[] = {
    100'000,       250'000,       500'000,       1'000'000,     2'500'000,   5'000'000,
    10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000, 500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

struct StoreMetrics {
  core::Histogram batch_size{kBatchSizeBounds};
  core::Histogram commit_ns{kCommitBoundsNs};
  core::Counter queue_depth;  // a gauge: operations waiting for the writer
};

void AppendStoreMetrics(std::string& out, Store& store);

}  // namespace keel::storage
