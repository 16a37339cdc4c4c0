// Runs blocking or CPU-heavy work (argon2id, say) off the worker loop.
//
// Offload() queues job->Run() on the libuv thread pool; when it has run,
// job->Complete() runs on the loop thread that owns the connection. libuv
// already delivers uv_queue_work's after-callback on the loop that queued the
// work, so no extra uv_async is needed. The connection may close while the
// job runs: Offload holds it (Connection::Hold), so its memory stays valid,
// and Complete receives nullptr when it has closed, so the result is dropped
// rather than written to a dead socket.
//
// Contract (as libuv's): if Offload returns an error, neither Run nor
// Complete is ever called and the job is destroyed; otherwise Run is called
// exactly once on a pool thread, then Complete exactly once on the loop
// thread, then the job is destroyed there. Offload refuses (Status::Busy)
// when the worker already has WorkerConfig::max_offload jobs in flight, so
// queued work and its memory stay bounded; callers answer 503. A caller of
// lower priority passes keep_free: it is refused while fewer than
// keep_free + 1 slots are left, which keeps those for everyone else.
#pragma once

#include <memory>

#include "core/status.h"

namespace keel::core {

class Connection;

class OffloadJob {
 public:
  virtual ~OffloadJob() = default;
  // Thread-pool thread. Must not touch the connection or the loop.
  virtual void Run() = 0;
  // Loop thread. `conn` is null if the connection closed meanwhile.
  virtual void Complete(Connection* conn) = 0;
};

Status Offload(Connection& conn, std::unique_ptr<OffloadJob> job, uint32_t keep_free = 0);

}  // namespace keel::core
