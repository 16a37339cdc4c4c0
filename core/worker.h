// A worker: one thread, one uv_loop_t, one SO_REUSEPORT listener, and the
// connections it accepted. Workers share nothing on the request path; the
// only cross-thread state is the process-wide connection count (one atomic
// add per accept, not per request) and the drain request.
//
// Life: construct and Listen() on the main thread (errors surface before any
// thread starts), Start() the thread, RequestDrain() from any thread, Join().
// Everything else runs on the worker's own thread.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/buffer_pool.h"
#include "core/connection.h"
#include "core/date_cache.h"
#include "core/listen_socket.h"
#include "core/status.h"
#include "core/timer_list.h"

namespace keel::core {

class TlsAcceptor;
class TlsContext;

struct WorkerConfig {
  ListenAddress address;
  int backlog = 4096;
  uint64_t header_timeout_ms = 10000;
  uint64_t body_timeout_ms = 30000;
  uint64_t idle_timeout_ms = 60000;
  uint64_t write_timeout_ms = 30000;
  uint64_t linger_timeout_ms = 2000;
  uint64_t handler_timeout_ms = 30000;
  // After a drain starts, connections still open past this are closed.
  uint64_t drain_timeout_ms = 30000;
  // Size of pooled read/write blocks: large enough for a full header block.
  size_t block_size = 32 * 1024;
  // Queued output above which a connection stops reading.
  size_t output_high_water = 256 * 1024;
  // Process-wide cap on open connections, shared by all workers.
  std::atomic<uint32_t>* open_connections = nullptr;
  uint32_t max_connections = 10000;
  // Thread-pool jobs (Offload) in flight per worker before Offload refuses.
  uint32_t max_offload = 1024;
  // Non-null: the listener speaks TLS only, with this shared context (which
  // must outlive the worker).
  TlsContext* tls = nullptr;
};

// Creates the protocol's connection objects.
class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  virtual Connection* Create(Worker& worker) = 0;
};

class Worker {
 public:
  Worker(const WorkerConfig& config, ConnectionFactory* factory);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds and listens (main thread, before Start). With port 0 the kernel
  // picks a port; bound_port() says which.
  Status Listen();
  uint16_t bound_port() const { return bound_port_; }

  // Runs the loop on a new thread until drained.
  void Start();
  void Join();
  // Thread-safe. Stops accepting, lets in-flight requests finish, closes
  // idle connections; the loop ends when the last connection has closed
  // and no connection object is held by async work any more.
  void RequestDrain();
  // Thread-safe. Runs `fn` on this worker's loop thread soon (the storage
  // writer thread hands results back this way). The caller must keep the
  // loop alive until `fn` has run, by holding a connection (Hold) that `fn`
  // later drops: a worker does not finish while a held connection exists.
  void Post(std::function<void()> fn);

  // --- loop thread only ---
  uv_loop_t* loop() { return &loop_; }
  BufferPool& pool() { return pool_; }
  DateCache& date() { return date_; }
  // Null on a cleartext listener.
  TlsAcceptor* tls() { return tls_.get(); }
  const WorkerConfig& config() const { return config_; }
  uint64_t now_ms() const { return uv_now(&loop_); }
  bool draining() const { return draining_; }
  size_t connection_count() const { return connection_count_; }
  TimerList& timers(TimeoutKind kind) { return *timers_[static_cast<int>(kind)]; }
  void ScheduleResume(Connection* c);
  void OnConnectionClosed(Connection* c);
  void OnConnectionFreed();
  // Write requests are pooled: only connections with a write in flight
  // need one, so idle connections do not carry its ~200 bytes.
  uv_write_t* TakeWriteReq();
  void GiveWriteReq(uv_write_t* req);
  // Offload accounting (see core/offload.h).
  // False when fewer than keep_free + 1 of max_offload slots are left.
  bool TryReserveOffload(uint32_t keep_free = 0);
  void ReleaseOffload() { SetOffload(offload_in_flight_.load(std::memory_order_relaxed) - 1); }
  // Any thread (the metrics scrape): jobs reserved and not yet released.
  uint32_t offload_in_flight() const { return offload_in_flight_.load(std::memory_order_relaxed); }

 private:
  static void OnConnectionCb(uv_stream_t* server, int status);
  static void OnTickCb(uv_timer_t* t);
  static void OnExpireIdleCb(uv_idle_t* h);
  static constexpr size_t kMaxExpiriesPerTurn = 128;
  static void OnDrainCb(uv_async_t* a);
  static void OnResumeCb(uv_idle_t* i);
  static void OnPostCb(uv_async_t* a);
  void Accept();
  void BeginDrain();
  void MaybeFinish();
  void CloseListener();
  void ExpireTimers();

  WorkerConfig config_;
  ConnectionFactory* factory_;
  uv_loop_t loop_;
  uv_tcp_t listener_;
  uv_timer_t tick_;
  uv_async_t drain_async_;
  uv_idle_t resume_idle_;
  uv_idle_t expire_idle_;  // runs while expired timeouts wait for their slice
  uv_async_t post_async_;
  bool listener_closed_ = false;
  bool draining_ = false;
  bool finishing_ = false;
  uint16_t bound_port_ = 0;
  uint64_t drain_deadline_ms_ = 0;
  BufferPool pool_;
  DateCache date_;
  std::unique_ptr<TlsAcceptor> tls_;
  std::unique_ptr<TimerList> timers_[kTimeoutKinds];
  Connection* connections_ = nullptr;  // intrusive list head
  size_t connection_count_ = 0;        // open (not yet closed) connections
  size_t live_connections_ = 0;        // connection objects not yet freed
  std::vector<Connection*> resume_queue_;
  std::vector<Connection*> resume_running_;
  // Written by the loop thread only; atomic so a scrape may read it.
  void SetOffload(uint32_t n) { offload_in_flight_.store(n, std::memory_order_relaxed); }
  std::atomic<uint32_t> offload_in_flight_{0};
  std::vector<std::unique_ptr<uv_write_t>> free_write_reqs_;
  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by post_mu_
  std::vector<std::function<void()>> posted_running_;
  std::thread thread_;
};

}  // namespace keel::core
