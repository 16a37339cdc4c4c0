// keel: the users-and-auth API server.
//
// The main thread parses options, prepares the data dir, starts the HTTP
// workers, then waits on its own small loop for SIGINT/SIGTERM and drains.

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
#include "api/options.h"
#include "api/system_routes.h"
#include "api/users_routes.h"
#include "auth/jwt.h"
#include "auth/login_limiter.h"
#include "auth/password_hasher.h"
#include "auth/secret_key.h"
#include "core/log.h"
#include "core/sd_notify.h"
#include "core/system_limits.h"
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
  c.worker.address.host = o.host == "localhost" ? "127.0.0.1" : o.host;
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

struct SignalWaiter {
  uv_loop_t loop;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  int received = 0;
  bool installed = false;

  static void OnSignal(uv_signal_t* h, int signum) {
    auto* self = static_cast<SignalWaiter*>(h->data);
    self->received = signum;
    uv_close(reinterpret_cast<uv_handle_t*>(&self->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&self->sigterm), nullptr);
  }

  // Installs the handlers. Done before the "listening" line is printed, so
  // a supervisor that signals as soon as it reads that line never hits the
  // default action (death by signal instead of a drain and exit 0).
  void Install() {
    installed = true;
    uv_loop_init(&loop);
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    sigint.data = sigterm.data = this;
    uv_signal_start(&sigint, OnSignal, SIGINT);
    uv_signal_start(&sigterm, OnSignal, SIGTERM);
  }

  // Blocks until SIGINT or SIGTERM arrives (one may already be pending).
  int Wait() {
    uv_run(&loop, UV_RUN_DEFAULT);
    return received;
  }

  ~SignalWaiter() {
    if (!installed) return;
    if (received == 0) {  // leaving early (a startup error): close by hand
      uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
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
    std::printf("keel %s\n", KEEL_VERSION);
    return 0;
  }
  core::LogLevel level;
  if (core::ParseLogLevel(opts.log_level, &level)) core::SetLogLevel(level);

  // Writes to a closed socket must come back as EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
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

  SignalWaiter signals;
  signals.Install();
  http::ServerConfig config = MakeServerConfig(opts);
  http::Server server(config, &router);
  if (core::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "keel: %s\n", s.message().c_str());
    return 1;
  }
  state.ready.store(true);
  const std::string& host = config.worker.address.host;
  bool v6 = host.find(':') != std::string::npos;
  std::printf("keel %s listening on http://%s%s%s:%u (%u worker%s)\n", KEEL_VERSION, v6 ? "[" : "",
              host.c_str(), v6 ? "]" : "", server.port(), config.threads,
              config.threads == 1 ? "" : "s");
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
  server.Wait();
  LOG_INFO("stopped");
  return 0;
}

}  // namespace
}  // namespace keel::api

int main(int argc, char** argv) { return keel::api::Main(argc, argv); }
