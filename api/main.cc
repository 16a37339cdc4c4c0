// keel: the users-and-auth API server.
//
// The main thread parses options, prepares the data dir, starts the HTTP
// workers (and the metrics listener), then waits on its own small loop for
// SIGINT/SIGTERM, which drain, and SIGHUP, which reopens log files.

#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "api/app_context.h"
#include "api/auth_routes.h"
#include "api/bootstrap.h"
#include "api/metrics_routes.h"
#include "api/options.h"
#include "api/system_routes.h"
#include "api/users_routes.h"
#include "auth/jwt.h"
#include "auth/login_limiter.h"
#include "auth/password_hasher.h"
#include "auth/secret_key.h"
#include "core/listen_socket.h"
#include "core/log.h"
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
  c.worker.block_size = std::max<size_t>(32 * 1024, o.max_header_bytes + 16 * 1024);
  c.limits.max_header_bytes = o.max_header_bytes;
  c.limits.max_url_bytes = o.max_url_bytes;
  c.limits.max_body_bytes = o.max_body_bytes;
  c.worker.max_offload = o.max_hash_queue;
  c.cors_origins = o.cors_origins;
  c.rate_limit = o.rate_limit;
  return c;
}

// What SIGHUP does: everything that reopens or reloads goes here, so each
// feature adds one line (the access log's file, for logrotate).
struct HangupHooks {
  http::AccessLog* access_log = nullptr;
};

void OnHangup(const HangupHooks& hooks) {
  if (hooks.access_log != nullptr) {
    LOG_INFO("received SIGHUP: reopening the access log");
    hooks.access_log->Reopen();
  }
}

struct SignalWaiter {
  uv_loop_t loop;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  uv_signal_t sighup;
  HangupHooks hangup;
  int received = 0;
  bool installed = false;

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

  static void OnHangupSignal(uv_signal_t* h, int) {
    OnHangup(static_cast<SignalWaiter*>(h->data)->hangup);
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
    uv_signal_start(&sighup, OnHangupSignal, SIGHUP);
  }

  // Blocks until SIGINT or SIGTERM arrives (one may already be pending).
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
  core::LogLevel level;
  if (core::ParseLogLevel(opts.log_level, &level)) core::SetLogLevel(level);
  core::LogFormat format;
  if (core::ParseLogFormat(opts.log_format, &format)) core::SetLogFormat(format);

  core::Result<uint64_t> nofile = core::RaiseOpenFilesLimit();
  if (!nofile.ok()) LOG_WARN("%s", nofile.status().message().c_str());

  if (core::Status s = PrepareDataDir(opts.data_dir); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }

  storage::StoreOptions store_options;
  store_options.dir = opts.data_dir;
  store_options.map_size = opts.map_size;
  store_options.sync = opts.sync == "meta"   ? storage::SyncMode::kMeta
                       : opts.sync == "none" ? storage::SyncMode::kNone
                                             : storage::SyncMode::kFull;
  core::Result<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "keel: %s\n", store.status().message().c_str());
    return 1;
  }
  core::Result<std::string> key = auth::LoadSigningKey(opts.jwt_secret_file, opts.data_dir);
  if (!key.ok()) {
    std::fprintf(stderr, "keel: %s\n", key.status().message().c_str());
    return 1;
  }
  auth::PasswordHasher hasher(
      auth::PasswordCost{opts.argon2_ops, static_cast<size_t>(opts.argon2_mem_kib) * 1024});
  auth::JwtCodec jwt(std::move(key).value(), "keel", opts.access_token_ttl);
  auth::LoginLimiter account_failures(opts.login_max_failures_account, opts.login_window);
  auth::LoginLimiter address_failures(opts.login_max_failures_address, opts.login_window);
  if (core::Status s = BootstrapAdmin(*store.value(), hasher, ::getenv); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }
  AppContext app;
  app.store = store.value().get();
  app.hasher = &hasher;
  app.jwt = &jwt;
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
  signals.Install();
  signals.hangup.access_log = access_log.get();
  http::Server server(config, &router);
  if (core::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }

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
  std::printf("%s listening on http://%s%s%s:%u (%u worker%s)\n", VersionText().c_str(), v6 ? "[" : "",
              host.c_str(), v6 ? "]" : "", server.port(), config.threads,
              config.threads == 1 ? "" : "s");
  std::fflush(stdout);

  int sig = signals.Wait();
  LOG_INFO("received %s: draining", sig == SIGINT ? "SIGINT" : "SIGTERM");
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
