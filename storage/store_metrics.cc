#include "storage/store_metrics.h"

#include "storage/store.h"

namespace keel::storage {

void AppendStoreMetrics(std::string& out, Store& store) {
  core::PromText p(out);
  if (const StoreMetrics* m = store.metrics()) {
    core::HistogramTotals batch(kBatchSizeBounds);
    batch.Add(m->batch_size);
    p.Family("keel_store_write_batch_size", "histogram",
             "Write operations committed together by the writer (group commit).");
    p.HistogramSamples("keel_store_write_batch_size", {}, batch, 1);
    core::HistogramTotals commit(kCommitBoundsNs);
    commit.Add(m->commit_ns);
    p.Family("keel_store_commit_duration_seconds", "histogram",
             "Time to commit one batch (an fsync with --sync full).");
    p.HistogramSamples("keel_store_commit_duration_seconds", {}, commit, 1e9);
    p.Family("keel_store_write_queue_depth", "gauge",
             "Write operations waiting for the writer thread.");
    p.Sample("keel_store_write_queue_depth", {}, m->queue_depth.Get());
  }
  StoreStats stats;
  if (store.Stats(&stats).ok()) {
    p.Family("keel_store_map_size_bytes", "gauge", "LMDB map size (--map-size).");
    p.Sample("keel_store_map_size_bytes", {}, stats.map_size);
    p.Family("keel_store_map_used_bytes", "gauge", "LMDB pages in use, in bytes.");
    p.Sample("keel_store_map_used_bytes", {}, stats.pages_used * stats.page_size);
  }
}

}  // namespace keel::storage
