#include "storage/writer.h"

#include <chrono>
#include <string>
#include <utility>

#include "storage/lmdb_error.h"
#include "storage/txn.h"

namespace keel::storage {

Writer::Writer(std::shared_ptr<const LmdbEnv> env, size_t max_queued)
    : env_(std::move(env)), max_queued_(max_queued), txn_(*env_), thread_([this] { Run(); }) {}

Writer::~Writer() { Stop(); }

core::Status Writer::Submit(Store::WriteOp op, Store::Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return core::Status::Unavailable("the store is shutting down");
    if (queue_.size() >= max_queued_) return core::Status::Busy("the write queue is full");
    queue_.push_back(Job{std::move(op), std::move(done)});
    metrics_.queue_depth.Set(queue_.size());
  }
  wake_.notify_one();
  return core::Status::Ok();
}

void Writer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Writer::Run() {
  // Swapping the whole queue out takes the lock once per batch, and the two
  // vectors trade places, so their capacity is reused.
  std::vector<Job> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything ran
      batch.swap(queue_);
      metrics_.queue_depth.Set(0);
    }
    RunBatch(batch);
    batch.clear();
  }
}

// One parent transaction per batch, one child per operation: a failing
// child is aborted alone and the others still commit together. The known
// cost: LMDB allocates a dirty-page list per child transaction.
void Writer::RunBatch(std::vector<Job>& batch) {
  results_.clear();
  ScopedTxn parent;
  int rc = parent.Begin(env_->env(), nullptr, 0);
  if (rc != 0) {
    results_.assign(batch.size(), MdbStatus(rc, "cannot begin a write transaction"));
  } else {
    for (Job& job : batch) results_.push_back(RunInTxn(*env_, parent.get(), job.op, &txn_));
    auto start = std::chrono::steady_clock::now();
    rc = parent.Commit();
    metrics_.commit_ns.Observe(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count()));
    metrics_.batch_size.Observe(batch.size());
    if (rc != 0) {
      // Nothing of the batch is durable: every op reports the commit's error.
      core::Status failed =
          rc == MDB_MAP_FULL
              ? core::Status::ResourceExhausted(kMapFullMessage)
              : core::Status::IoError(std::string("commit failed: ") + mdb_strerror(rc));
      results_.assign(batch.size(), failed);
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(std::move(results_[i]));
  }
}

}  // namespace keel::storage
