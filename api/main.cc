// keel: the users-and-auth API server.
//
// The main thread parses options, prepares the data dir, starts the HTTP
// workers (and the metrics listener), then waits on its own small loop for
// SIGINT/SIGTERM, which drain, and SIGHUP, which runs the reload hooks (the
// token keys, the TLS pair, the access log's file).

#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "api/api_worker.h"
#include "api/app_context.h"
#include "api/auth_routes.h"
#include "api/bootstrap.h"
#include "api/metrics_routes.h"
#include "api/options.h"
#include "api/system_routes.h"
#include "api/token_keys.h"
#include "api/users_routes.h"
#include "auth/codec_slot.h"
#include "auth/login_limiter.h"
#include "auth/password_hasher.h"
#include "core/listen_socket.h"
#include "core/log.h"
#include "core/sd_notify.h"
#include "core/system_limits.h"
#include "http/access_log.h"
#include "http/router.h"
#include "http/server.h"
#include "storage/store.h"

namespace keel::api {
namespace {

core::Status PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::Status::IoError("--data-dir " + dir + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec))
    return core::Status::IoError("--data-dir " + dir + ": not a directory");
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0)
    return core::Status::IoError("--data-dir " + dir + ": " + std::strerror(errno));
  return core::Status::Ok();
}

http::ServerConfig MakeServerConfig(const Options& o) {
  http::ServerConfig c;
  c.threads = o.threads;
  c.worker.address.host = o.host;  // ParseOptions already mapped "localhost"
  c.worker.address.port = o.port;
  c.worker.header_timeout_ms = o.header_timeout * 1000ull;
  c.worker.body_timeout_ms = o.body_timeout * 1000ull;
  c.worker.idle_timeout_ms = o.idle_timeout * 1000ull;
  c.worker.write_timeout_ms = o.write_timeout * 1000ull;
  c.worker.handler_timeout_ms = o.handler_timeout * 1000ull;
  c.worker.max_connections = o.max_connections;
  // A block holds a whole header block plus a read's worth of body.
  c.worker.block_size = std::max<size_t>(32 * 1024, o.limits.max_header_bytes + 16 * 1024);
  c.limits = o.limits;
  c.worker.max_offload = o.max_hash_queue;
  c.cors_origins = o.cors_origins;
  c.rate_limit = o.rate_limit;
  if (!o.tls_cert.empty()) {
    core::TlsConfig tls;
    tls.cert_file = o.tls_cert;
    tls.key_file = o.tls_key;
    tls.min_version = o.tls_min_version;
    c.tls = tls;
  }
  return c;
}

// SIGHUP: new TLS handshakes use the re-read pair; a pair that does not load
// is refused and the current one stays.
void ReloadTls(http::Server& server) {
  if (!server.tls()) return;
  if (core::Status s = server.ReloadTls(); !s.ok()) {
    LOG_ERROR("SIGHUP: TLS reload refused, keeping the current certificate: %s",
              s.message().c_str());
    return;
  }
  LOG_INFO("SIGHUP: TLS certificate reloaded: %s", server.TlsDescription().c_str());
}

// SIGHUP for the access log: reopen its file (logrotate moved it).
void ReopenAccessLog(http::AccessLog* access_log) {
  if (access_log == nullptr) return;
  LOG_INFO("received SIGHUP: reopening the access log");
  access_log->Reopen();
}

struct SignalWaiter {
  uv_loop_t loop;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  uv_signal_t sighup;
  int received = 0;
  bool installed = false;
  // Run in order on every SIGHUP, on the main thread (this loop), never
  // concurrently with each other. Each must report its own errors and keep
  // the old state when a reload fails. Whatever else wants SIGHUP (an
  // access-log reopen) adds a hook here rather than a handler of its own.
  std::vector<std::function<void()>> reload_hooks;

  void CloseAll() {
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sighup), nullptr);
  }

  static void OnSignal(uv_signal_t* h, int signum) {
    auto* self = static_cast<SignalWaiter*>(h->data);
    self->received = signum;
    self->CloseAll();
  }

  static void OnReload(uv_signal_t* h, int) {
    auto* self = static_cast<SignalWaiter*>(h->data);
    LOG_INFO("received SIGHUP: reloading");
    for (const std::function<void()>& hook : self->reload_hooks) hook();
  }

  // Installs the handlers. Done before the "listening" line is printed, so
  // a supervisor that signals as soon as it reads that line never hits the
  // default action (death by signal instead of a drain and exit 0).
  void Install() {
    installed = true;
    uv_loop_init(&loop);
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    uv_signal_init(&loop, &sighup);
    sigint.data = sigterm.data = sighup.data = this;
    uv_signal_start(&sigint, OnSignal, SIGINT);
    uv_signal_start(&sigterm, OnSignal, SIGTERM);
    uv_signal_start(&sighup, OnReload, SIGHUP);
  }

  // Blocks until SIGINT or SIGTERM arrives (one may already be pending),
  // running the reload hooks for each SIGHUP meanwhile.
  int Wait() {
    uv_run(&loop, UV_RUN_DEFAULT);
    return received;
  }

  ~SignalWaiter() {
    if (!installed) return;
    if (received == 0) {  // leaving early (a startup error): close by hand
      CloseAll();
      uv_run(&loop, UV_RUN_DEFAULT);
    }
    uv_loop_close(&loop);
  }
};

int Main(int argc, char** argv) {
  core::Result<Options> parsed = ParseOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "keel: %s\nTry 'keel --help'.\n", parsed.status().message().c_str());
    return 2;
  }
  const Options& opts = parsed.value();
  if (opts.help) {
    std::fputs(HelpText().c_str(), stdout);
    return 0;
  }
  if (opts.version) {
    std::printf("%s\n", VersionText().c_str());
    return 0;
  }
  core::SetLogLevel(opts.log_level);
  core::SetLogFormat(opts.log_format);

  core::Result<uint64_t> nofile = core::RaiseOpenFilesLimit();
  if (!nofile.ok()) LOG_WARN("%s", nofile.status().message().c_str());

  if (core::Status s = PrepareDataDir(opts.data_dir); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }

  storage::StoreOptions store_options = opts.store;
  store_options.dir = opts.data_dir;
  core::Result<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "keel: %s\n", store.status().message().c_str());
    return 1;
  }
  core::Result<std::shared_ptr<const auth::TokenCodec>> codec = MakeTokenCodec(opts);
  if (!codec.ok()) {
    std::fprintf(stderr, "keel: %s\n", codec.status().message().c_str());
    return 1;
  }
  auth::CodecSlot tokens(std::move(codec).value());
  auth::PasswordHasher hasher(opts.password_cost);
  auth::LoginLimiter account_failures(opts.login_max_failures_account, opts.login_window);
  auth::LoginLimiter address_failures(opts.login_max_failures_address, opts.login_window);
  if (core::Status s = BootstrapAdmin(*store.value(), hasher, ::getenv); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }
  AppContext app;
  app.store = store.value().get();
  app.hasher = &hasher;
  app.tokens = &tokens;
  app.account_failures = &account_failures;
  app.address_failures = &address_failures;
  app.refresh_ttl_seconds = opts.refresh_token_ttl;
  app.session_max_age_seconds = opts.session_max_age;
  // A quarter of each worker's hash slots stays for logins (at least one):
  // sign-ups and password changes cannot fill the queue.
  app.login_hash_reserve = opts.max_hash_queue > 1 ? std::max(1u, opts.max_hash_queue / 4) : 0;
  http::RateLimiter signup_limiter(opts.signup_rate, 100000, 60 * 1000);
  app.signup_limiter = &signup_limiter;

  SystemState state;
  http::Router router;
  AddSystemRoutes(router, &state, opts.bench_endpoints);
  AddUserRoutes(router, &app);
  AddAuthRoutes(router, &app);

  http::ServerConfig config = MakeServerConfig(opts);
  std::unique_ptr<http::AccessLog> access_log;
  if (opts.access_log != "off") {
    core::Result<std::unique_ptr<http::AccessLog>> opened =
        http::AccessLog::Open(opts.access_log, config.threads);
    if (!opened.ok()) {
      std::fprintf(stderr, "keel: %s\n", opened.status().message().c_str());
      return 1;
    }
    access_log = std::move(opened).value();
    config.access_log = access_log.get();
  }
  config.metrics = !opts.metrics_host.empty();

  SignalWaiter signals;
  signals.reload_hooks.push_back([&opts, &tokens] { ReloadTokenKeys(opts, tokens); });
  signals.Install();
  config.make_worker_state = MakeApiWorker;
  signals.reload_hooks.push_back([&access_log] { ReopenAccessLog(access_log.get()); });
  http::Server server(config, &router);
  if (core::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }
  signals.reload_hooks.push_back([&server] { ReloadTls(server); });
  if (server.tls()) LOG_INFO("TLS certificate: %s", server.TlsDescription().c_str());

  // The metrics listener: one worker, its own router with GET /metrics
  // only, so metrics never reach the public port.
  MetricsSources sources{&server, store.value().get(), access_log.get()};
  http::Router metrics_router;
  AddMetricsRoutes(metrics_router, &sources);
  std::unique_ptr<http::Server> metrics_server;
  if (config.metrics) {
    http::ServerConfig mc;
    mc.threads = 1;
    mc.worker.address.host = opts.metrics_host;
    mc.worker.address.port = opts.metrics_port;
    mc.worker.max_connections = 64;
    metrics_server = std::make_unique<http::Server>(mc, &metrics_router);
    if (core::Status s = metrics_server->Start(); !s.ok()) {
      std::fprintf(stderr, "keel: --metrics-listen: %s\n", s.message().c_str());
      return 1;
    }
    bool v6 = opts.metrics_host.find(':') != std::string::npos;
    std::printf("metrics on http://%s%s%s:%u/metrics\n", v6 ? "[" : "", opts.metrics_host.c_str(),
                v6 ? "]" : "", metrics_server->port());
  }
  state.ready.store(true);
  const std::string& host = config.worker.address.host;
  bool v6 = host.find(':') != std::string::npos;
  std::printf("%s listening on %s://%s%s%s:%u (%u worker%s)\n", VersionText().c_str(),
              server.tls() ? "https" : "http", v6 ? "[" : "", host.c_str(), v6 ? "]" : "",
              server.port(), config.threads, config.threads == 1 ? "" : "s");
  std::fflush(stdout);
  // Type=notify (deploy/systemd/keel.service): systemd counts keel as
  // started, and starts what depends on it, only once it listens.
  if (core::Status s = core::NotifyServiceManager("READY=1"); !s.ok())
    LOG_WARN("%s", s.message().c_str());

  int sig = signals.Wait();
  LOG_INFO("received %s: draining", sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (core::Status s = core::NotifyServiceManager("STOPPING=1"); !s.ok())
    LOG_WARN("%s", s.message().c_str());
  state.ready.store(false);
  server.Drain();
  if (metrics_server) {
    metrics_server->Drain();
    metrics_server->Wait();
  }
  server.Wait();
  LOG_INFO("stopped");
  return 0;
}

}  // namespace
}  // namespace keel::api

int main(int argc, char** argv) { return keel::api::Main(argc, argv); }
