#include "http/server.h"

#include <csignal>

#include "core/listen_socket.h"
#include "http/http_session.h"
#include "http/worker_context.h"

namespace keel::http {

// One factory per worker, holding that worker's WorkerContext.
class Server::Factory final : public core::ConnectionFactory {
 public:
  WorkerContext ctx;
  std::unique_ptr<HttpMetrics> metrics;
  core::Connection* Create(core::Worker& worker) override { return new HttpSession(worker, ctx); }
};

Server::Server(const ServerConfig& config, const Router* router)
    : config_(config),
      router_(router),
      cors_(config.cors_origins),
      rate_limiter_(config.rate_limit) {}

Server::~Server() {
  if (started_) {
    Drain();
    Wait();
  }
}

core::Status Server::Start() {
  // libuv writes to sockets with write(2): a peer that has gone turns that
  // into SIGPIPE, which would kill the process. Linux has no per-socket
  // opt-out for write(2), so the server ignores the signal and handles
  // EPIPE as the error it is.
  std::signal(SIGPIPE, SIG_IGN);
  unsigned threads = config_.threads == 0 ? 1 : config_.threads;
  core::WorkerConfig wc = config_.worker;
  wc.open_connections = &open_connections_;
  // Our own workers join one SO_REUSEPORT group; another process must not.
  if (core::Status s = core::EnsureAddressFree(wc.address); !s.ok()) return s;
  if (config_.tls) {
    core::Result<std::unique_ptr<core::TlsContext>> tls = core::TlsContext::Create(*config_.tls);
    if (!tls.ok()) return tls.status();
    tls_ = std::move(tls).value();
    wc.tls = tls_.get();
  }
  for (unsigned i = 0; i < threads; ++i) {
    auto factory = std::make_unique<Factory>();
    factory->ctx.limits = &config_.limits;
    factory->ctx.router = router_;
    factory->ctx.cors = &cors_;
    factory->ctx.rate_limiter = &rate_limiter_;
    if (config_.make_worker_state) factory->ctx.state = config_.make_worker_state();
    // The Request object is this worker's for good: point it at the
    // worker's readers once.
    factory->ctx.request.json = &factory->ctx.json;
    factory->ctx.request.worker_state = factory->ctx.state.get();
    if (config_.metrics) {
      factory->metrics = std::make_unique<HttpMetrics>(router_->route_count());
      factory->ctx.metrics = factory->metrics.get();
    }
    if (config_.access_log != nullptr && i < config_.access_log->worker_count()) {
      factory->ctx.access_log = config_.access_log->worker(i);
    }
    auto worker = std::make_unique<core::Worker>(wc, factory.get());
    core::Status s = worker->Listen();
    if (!s.ok()) return s;
    // With port 0 the first worker's kernel-chosen port becomes everyone's,
    // so all listeners join one SO_REUSEPORT group.
    if (i == 0) {
      port_ = worker->bound_port();
      wc.address.port = port_;
    }
    factories_.push_back(std::move(factory));
    workers_.push_back(std::move(worker));
  }
  for (auto& w : workers_) w->Start();
  started_ = true;
  return core::Status::Ok();
}

void Server::AppendMetrics(std::string& out) const {
  if (!config_.metrics) return;
  std::vector<const HttpMetrics*> workers;
  for (const auto& f : factories_) workers.push_back(f->metrics.get());
  AppendHttpMetrics(out, workers, *router_, open_connections_.load(std::memory_order_relaxed));
}

uint64_t Server::offload_in_flight() const {
  uint64_t n = 0;
  for (const auto& w : workers_) n += w->offload_in_flight();
  return n;
}

void Server::Drain() {
  for (auto& w : workers_) w->RequestDrain();
}

core::Status Server::ReloadTls() {
  if (!tls_) return core::Status::FailedPrecondition("TLS is not enabled");
  return tls_->Reload();
}

std::string Server::TlsDescription() const { return tls_ ? tls_->Describe() : std::string(); }

void Server::Wait() {
  for (auto& w : workers_) w->Join();
  workers_.clear();
  started_ = false;
}

}  // namespace keel::http
