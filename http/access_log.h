// The access log (--access-log PATH|-): one JSON object per request, per
// line, written by a background thread so no worker loop ever waits for
// the disk or a pipe.
//
// Fields: time (RFC 3339, UTC, milliseconds), request_id, trace_id,
// span_id, remote, method, route, path (no query string, at most 256 bytes,
// JSON-escaped), status, bytes_in, bytes_out, duration_us, user_id (only
// when authenticated) and user_agent (at most 256 bytes). Never written:
// Authorization, cookies, bodies, passwords, tokens, query strings.
//
// Each worker formats its lines into its own buffer (AccessLog::Worker).
// The writer thread takes the filled buffers every 50 ms (or sooner when
// one is half full), swapping them with empty ones of the same capacity,
// and writes them out. When a buffer is full because the sink is slow, a
// line is dropped and counted instead: a loop never blocks on the log.
// Buffers keep their capacity, so logging allocates nothing once warm.
//
// Reopen (from SIGHUP, any thread) has the writer close and reopen the file
// at its next turn, for logrotate.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "http/request_record.h"

namespace keel::http {

class AccessLog {
 public:
  // Bytes a worker may have waiting for the writer; past it lines drop.
  static constexpr size_t kWorkerBufferBytes = 256 * 1024;

  // One per worker; loop thread only (apart from the writer's swap).
  class Worker {
   public:
    // Formats and queues the line for `r`.
    void Write(const RequestRecord& r);
    uint64_t dropped() const { return dropped_.Get(); }
    uint64_t written() const { return lines_.Get(); }

   private:
    friend class AccessLog;
    explicit Worker(AccessLog* log);
    void FormatTime(char* out);  // "2026-01-01T00:00:00.000Z", 24 bytes

    AccessLog* log_;
    std::string line_;  // loop thread only
    std::mutex mu_;
    std::string pending_;  // guarded by mu_
    core::Counter dropped_;
    core::Counter lines_;
    std::time_t cached_second_ = -1;
    char cached_prefix_[20];  // "2026-01-01T00:00:00"
  };

  // `path`: a file (created 0640 if missing, appended to) or "-" (stdout).
  static core::Result<std::unique_ptr<AccessLog>> Open(const std::string& path, unsigned workers);
  // Writes what is queued, then stops the thread.
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  Worker* worker(unsigned i) { return workers_[i].get(); }
  unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }
  // Thread-safe: reopen the file at the writer's next turn.
  void Reopen();
  uint64_t dropped() const;

 private:
  AccessLog(std::string path, int fd, unsigned workers);
  void Run();
  void WakeWriter();
  void WriteAll(const std::string& data);

  std::string path_;
  int fd_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::atomic<bool> reopen_{false};
  std::thread thread_;
};

}  // namespace keel::http
