// The HTTP server: N workers, each a thread with its own loop and
// SO_REUSEPORT listener, serving one shared, read-only Router.
//
// Life: Start() on the main thread (binds every worker first, so a bad
// address fails before any thread runs), Drain() from any thread (e.g. a
// signal handler's loop), then Wait() joins the workers once every
// connection has closed.
#pragma once

#include <functional>
#include <memory>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tls_context.h"
#include "core/worker.h"
#include "http/access_log.h"
#include "http/cors.h"
#include "http/http_metrics.h"
#include "http/parser_limits.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "http/worker_state.h"

namespace keel::http {

struct ServerConfig {
  core::WorkerConfig worker;  // address, timeouts, connection cap
  ParserLimits limits;
  unsigned threads = 1;
  std::vector<std::string> cors_origins;
  uint32_t rate_limit = 0;  // requests per second per address; 0 = off
  // Makes each worker's WorkerState (http/worker_state.h); may be empty.
  std::function<std::unique_ptr<WorkerState>()> make_worker_state;
  // Set: every worker's listener speaks TLS only (see core/tls_context.h).
  std::optional<core::TlsConfig> tls;
  // Count requests and connections per worker (AppendMetrics prints them).
  bool metrics = false;
  // The access log, with at least `threads` worker buffers; null: off.
  // Must outlive the server.
  AccessLog* access_log = nullptr;
};

class Server {
 public:
  // `router` must outlive the server and not change once Start is called.
  Server(const ServerConfig& config, const Router* router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  core::Status Start();
  uint16_t port() const { return port_; }
  void Drain();
  void Wait();

  bool tls() const { return tls_ != nullptr; }
  // Re-reads the certificate and key; new handshakes use them, open
  // connections keep theirs. On error the current pair stays in use.
  // Any thread, after Start.
  core::Status ReloadTls();
  // The current certificate, for log lines ("" without TLS).
  std::string TlsDescription() const;
  // Any thread, between Start and Wait: the keel_http_* families (empty
  // unless ServerConfig::metrics).
  void AppendMetrics(std::string& out) const;
  // Any thread, between Start and Wait: thread-pool jobs (password hashes)
  // queued or running, over all workers.
  uint64_t offload_in_flight() const;

 private:
  class Factory;

  ServerConfig config_;
  const Router* router_;
  CorsPolicy cors_;
  RateLimiter rate_limiter_;
  std::atomic<uint32_t> open_connections_{0};
  std::unique_ptr<core::TlsContext> tls_;
  std::vector<std::unique_ptr<Factory>> factories_;
  std::vector<std::unique_ptr<core::Worker>> workers_;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace keel::http
