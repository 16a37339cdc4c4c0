// The single writer thread and its bounded queue (group commit). Private to
// storage/.
//
// Why one thread: LMDB allows one write transaction at a time anyway, and a
// single writer makes check-then-write sequences (email uniqueness, id
// allocation) race-free without locks in the callers. Why batches: the
// commit (an fsync in SyncMode::kFull) dominates a small write, so every
// operation queued while one commit runs shares the next one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"
#include "storage/lmdb_env.h"
#include "storage/store.h"
#include "storage/store_metrics.h"
#include "storage/write_txn.h"

namespace keel::storage {

class Writer {
 public:
  // Starts the thread. At most `max_queued` operations wait at a time.
  Writer(std::shared_ptr<const LmdbEnv> env, size_t max_queued);
  // Stop().
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Thread-safe. Busy when the queue is full, Unavailable once Stop began;
  // in both cases neither `op` nor `done` is ever called. Otherwise `done`
  // (if set) runs exactly once on the writer thread, after the commit.
  core::Status Submit(Store::WriteOp op, Store::Done done);

  // Refuses new operations, runs every queued one, then joins the thread.
  // Idempotent. Must not be called from the writer thread (a `done`).
  void Stop();

  const StoreMetrics& metrics() const { return metrics_; }

 private:
  struct Job {
    Store::WriteOp op;
    Store::Done done;
  };

  void Run();
  void RunBatch(std::vector<Job>& batch);

  std::shared_ptr<const LmdbEnv> env_;
  const size_t max_queued_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Job> queue_;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  StoreMetrics metrics_;    // queue_depth set under mu_; the rest: writer thread

  // Writer thread only.
  LmdbWriteTxn txn_;
  std::vector<core::Status> results_;

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace keel::storage
