#include "api/options.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>

#include "core/ascii.h"
#include "flags/values.h"
#include "http/cors.h"

#ifndef KEEL_VERSION
#error "KEEL_VERSION must be defined by the build (see api/CMakeLists.txt)"
#endif

namespace keel::api {
namespace {

using core::Status;

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = kKiB * 1024;
constexpr uint64_t kGiB = kMiB * 1024;
constexpr uint64_t kMaxThreads = 1024;
constexpr uint64_t kMaxTimeout = 86400;  // one day
// Burst is twice the rate and is kept in an unsigned, so the rate stays well
// below half of UINT_MAX.
constexpr uint64_t kMaxRateLimit = 1000000000;
// Anything past 1 PiB is a typo, not a plan; rejecting it early beats an
// obscure mmap failure at start.
constexpr uint64_t kMaxMapSize = kGiB * 1024 * 1024;

enum class Kind {
  kValue,   // --name VALUE, last one wins
  kList,    // --name VALUE, repeatable; the variable is comma separated
  kFlag,    // --name, no value; the variable is a boolean
  kAction,  // -h/--help, -V/--version: stop and report; no variable
};

struct Spec;
// Checks `value` and stores it in `out`; `source` names where it came from
// ("--port" or "KEEL_PORT") and starts every error message.
using ApplyFn = Status (*)(const Spec& spec, std::string_view value, const std::string& source,
                           Options& out);
// The default as the help text shows it.
using ShowFn = std::string (*)(const Options& defaults);

// One row per option. The table drives parsing, the environment fallback and
// the help text, so the three cannot drift apart.
struct Spec {
  const char* name;     // without "--"
  const char* metavar;  // "" for flags and actions
  Kind kind;
  uint64_t lo = 0;  // numeric options: accepted range
  uint64_t hi = 0;
  const char* noun = "";    // numeric options: "a port number", ...
  ApplyFn apply = nullptr;  // nullptr for actions
  ShowFn show = nullptr;    // nullptr: no default to show
  const char* help = "";
  const char* short_flag = "";  // "-h" for --help; "" for none
};

Status Bad(const std::string& source, std::string_view value, std::string_view why) {
  std::string msg = source;
  msg += ": '";
  msg += value;
  msg += "' ";
  msg += why;
  return Status::InvalidArgument(msg);
}

using flags::FormatSize;

template <typename T>
Status SetNumber(const Spec& spec, std::string_view value, const std::string& source, T& field) {
  uint64_t n = 0;
  if (!flags::ParseDecimal(value, &n) || n < spec.lo || n > spec.hi) {
    return Bad(source, value,
               std::string("is not ") + spec.noun + " (" + std::to_string(spec.lo) + "-" +
                   std::to_string(spec.hi) + ")");
  }
  field = static_cast<T>(n);
  return Status::Ok();
}

template <typename T>
Status SetSize(const Spec& spec, std::string_view value, const std::string& source, T& field) {
  uint64_t n = 0;
  if (!flags::ParseByteSize(value, &n) || n < spec.lo || n > spec.hi) {
    return Bad(source, value,
               "is not a size between " + FormatSize(spec.lo) + " and " + FormatSize(spec.hi) +
                   " (bytes, or a number with a K/M/G/T suffix)");
  }
  field = static_cast<T>(n);
  return Status::Ok();
}

// Row helpers for the numeric options: one instantiation per field, so a
// row names its field once instead of spelling out two lambdas. The field is
// a path of member pointers: &Options::port, or &Options::limits followed by
// &http::ParserLimits::max_body_bytes for a module's embedded setting.
template <auto... Path>
auto& FieldOf(Options& o) {
  return (o .* ... .* Path);
}
template <auto... Path>
const auto& FieldOf(const Options& o) {
  return (o .* ... .* Path);
}

template <auto... Path>
Status ApplyNumber(const Spec& spec, std::string_view value, const std::string& source,
                   Options& out) {
  return SetNumber(spec, value, source, FieldOf<Path...>(out));
}

template <auto... Path>
Status ApplySize(const Spec& spec, std::string_view value, const std::string& source,
                 Options& out) {
  return SetSize(spec, value, source, FieldOf<Path...>(out));
}

template <auto... Path>
std::string ShowNumber(const Options& o) {
  return std::to_string(FieldOf<Path...>(o));
}

Status SetNonEmpty(std::string_view value, const std::string& source, std::string& field) {
  if (value.empty()) return Status::InvalidArgument(source + ": must not be empty");
  field = std::string(value);
  return Status::Ok();
}

// A value spelled by name: `names` pairs each accepted word with its value.
template <typename E, size_t N>
Status SetOneOf(std::string_view value, const std::string& source,
                const std::pair<std::string_view, E> (&names)[N], std::string_view noun, E& field) {
  for (const auto& [name, e] : names) {
    if (value == name) {
      field = e;
      return Status::Ok();
    }
  }
  std::string list;
  for (const auto& [name, e] : names) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return Bad(source, value, std::string("is not ") + std::string(noun) + " (" + list + ")");
}

template <typename E, size_t N>
std::string NameOf(const std::pair<std::string_view, E> (&names)[N], E value) {
  for (const auto& [name, e] : names)
    if (e == value) return std::string(name);
  return "?";
}

constexpr std::pair<std::string_view, core::LogLevel> kLogLevels[] = {
    {"error", core::LogLevel::kError},
    {"warn", core::LogLevel::kWarn},
    {"info", core::LogLevel::kInfo},
    {"debug", core::LogLevel::kDebug},
};

constexpr std::pair<std::string_view, core::LogFormat> kLogFormats[] = {
    {"text", core::LogFormat::kText},
    {"json", core::LogFormat::kJson},
};

constexpr std::pair<std::string_view, core::TlsVersion> kTlsVersions[] = {
    {"1.2", core::TlsVersion::kTls12},
    {"1.3", core::TlsVersion::kTls13},
};

constexpr std::pair<std::string_view, storage::SyncMode> kSyncModes[] = {
    {"full", storage::SyncMode::kFull},
    {"meta", storage::SyncMode::kMeta},
    {"none", storage::SyncMode::kNone},
};

Status SetBool(std::string_view value, const std::string& source, bool& field) {
  if (!flags::ParseBool(value, &field)) {
    return Bad(source, value, "is not a boolean (1/0, true/false, yes/no)");
  }
  return Status::Ok();
}

bool IsIpAddress(int family, const std::string& text) {
  unsigned char buf[16];
  return inet_pton(family, text.c_str(), buf) == 1;
}

Status SetHost(std::string_view value, const std::string& source, std::string& field) {
  if (value.empty()) return Status::InvalidArgument(source + ": must not be empty");
  std::string host(value);
  if (host == "localhost") host = "127.0.0.1";
  // Literal addresses only: resolving names here would make start-up depend
  // on DNS and pick one address of many without saying which.
  if (!IsIpAddress(AF_INET, host) && !IsIpAddress(AF_INET6, host)) {
    return Bad(source, value,
               "is not an IP address (give a literal IPv4 or IPv6 address, or localhost)");
  }
  field = std::move(host);
  return Status::Ok();
}

Status AddOrigin(std::string_view value, const std::string& source,
                 std::vector<std::string>& origins) {
  // Browsers send scheme and host in lower case; storing them that way lets
  // the CORS check compare bytes. What an origin may look like is the
  // policy's to say (one rule, in http/cors.cc); a value it would ignore
  // fails here, at startup, instead.
  std::string origin = core::LowerAsciiCopy(value);
  if (Status s = http::CorsPolicy::ValidateOrigin(origin); !s.ok()) {
    return Bad(source, value, "is not a usable origin: " + s.message());
  }
  origins.push_back(std::move(origin));
  return Status::Ok();
}

// "HOST:PORT" ("[v6]:PORT" for IPv6), or "off".
Status SetListen(std::string_view value, const std::string& source, Options& o) {
  if (value == "off") {
    o.metrics_host.clear();
    o.metrics_port = 0;
    return Status::Ok();
  }
  size_t colon = value.rfind(':');
  uint64_t port = 0;
  if (colon == std::string_view::npos || !flags::ParseDecimal(value.substr(colon + 1), &port) ||
      port > 65535) {
    return Bad(source, value, "is not HOST:PORT (e.g. 127.0.0.1:9100, [::1]:9100) or off");
  }
  std::string_view host = value.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (!IsIpAddress(AF_INET6, std::string(host))) {
      return Bad(source, value, "is not HOST:PORT: the bracketed host is not an IPv6 address");
    }
  } else if (host.find(':') != std::string_view::npos) {
    return Bad(source, value, "is not HOST:PORT: put an IPv6 address in brackets");
  }
  std::string h;
  if (Status s = SetHost(host, source, h); !s.ok()) return s;
  o.metrics_host = std::move(h);
  o.metrics_port = static_cast<uint16_t>(port);
  return Status::Ok();
}

const Spec kSpecs[] = {
    {.name = "host",
     .metavar = "ADDR",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetHost(v, src, o.host); },
     .show = [](const Options& o) { return o.host; },
     .help = "Address to listen on: a literal IPv4 or IPv6 address, or localhost."},
    {.name = "port",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 0,
     .hi = 65535,
     .noun = "a port number",
     .apply = ApplyNumber<&Options::port>,
     .show = ShowNumber<&Options::port>,
     .help = "TCP port to listen on; 0 picks a free port."},
    {.name = "threads",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxThreads,
     .noun = "a thread count",
     .apply = ApplyNumber<&Options::threads>,
     .show = [](const Options&) { return std::string("number of cores"); },
     .help = "Worker threads, each with its own event loop (1-1024)."},
    {.name = "data-dir",
     .metavar = "DIR",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.data_dir); },
     .show = [](const Options& o) { return o.data_dir; },
     .help = "Directory holding the database and the generated signing key."},
    {.name = "jwt-secret-file",
     .metavar = "FILE",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.jwt_secret_file); },
     .show = [](const Options&) { return std::string("none: Ed25519 keys from --jwt-keys-dir"); },
     .help = "File whose bytes, less one trailing newline, are the JWT HMAC key "
             "(at least 32 bytes). Tokens are then HS256 instead of EdDSA, and no "
             "public key set is served. Not with --jwt-keys-dir."},
    {.name = "jwt-keys-dir",
     .metavar = "DIR",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.jwt_keys_dir); },
     .show = [](const Options&) { return std::string("<data-dir>/keys"); },
     .help = "Directory of Ed25519 signing keys (one KID.key file each, mode 0600; "
             "made with a first key when it has none). The newest key signs, every "
             "key verifies; SIGHUP reloads it. Manage it with keel-admin keys."},
    {.name = "jwt-issuer",
     .metavar = "TEXT",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.jwt_issuer); },
     .show = [](const Options& o) { return o.jwt_issuer; },
     .help = "The iss claim of every token; tokens with another issuer get 401."},
    {.name = "jwt-audience",
     .metavar = "TEXT",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.jwt_audience); },
     .show = [](const Options&) { return std::string("none"); },
     .help = "The aud claim of every token; when set, tokens without exactly this "
             "audience get 401."},
    {.name = "cors-origin",
     .metavar = "ORIGIN",
     .kind = Kind::kList,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return AddOrigin(v, src, o.cors_origins); },
     .show = [](const Options&) { return std::string("none"); },
     .help = "Origin allowed by CORS, as scheme://host[:port]; repeatable. "
             "The variable takes a comma-separated list."},
    {.name = "bench-endpoints",
     .metavar = "",
     .kind = Kind::kFlag,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetBool(v, src, o.bench_endpoints); },
     .show = [](const Options& o) { return std::string(o.bench_endpoints ? "on" : "off"); },
     .help = "Serve GET /plaintext and GET /json for benchmarks. "
             "The variable takes 1/0, true/false or yes/no."},
    {.name = "log-level",
     .metavar = "LEVEL",
     .kind = Kind::kValue,
     .apply =
         [](const Spec&, std::string_view v, const std::string& src, Options& o) {
           return SetOneOf(v, src, kLogLevels, "a log level", o.log_level);
         },
     .show = [](const Options& o) { return NameOf(kLogLevels, o.log_level); },
     .help = "One of error, warn, info, debug."},
    {.name = "log-format",
     .metavar = "FORMAT",
     .kind = Kind::kValue,
     .apply =
         [](const Spec&, std::string_view v, const std::string& src, Options& o) {
           return SetOneOf(v, src, kLogFormats, "a log format", o.log_format);
         },
     .show = [](const Options& o) { return NameOf(kLogFormats, o.log_format); },
     .help = "The diagnostic log on stderr: text, or json (one object per line)."},
    {.name = "access-log",
     .metavar = "PATH",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.access_log); },
     .show = [](const Options& o) { return o.access_log; },
     .help = "One JSON line per request to this file (reopened on SIGHUP), - for stdout, "
             "or off."},
    {.name = "metrics-listen",
     .metavar = "HOST:PORT",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetListen(v, src, o); },
     .show = [](const Options&) { return std::string("off"); },
     .help = "Serve Prometheus metrics at GET /metrics on this separate address "
             "(never on the main port), or off."},
    {.name = "max-header-bytes",
     .metavar = "SIZE",
     .kind = Kind::kValue,
     .lo = kKiB,
     .hi = kMiB,
     .apply = ApplySize<&Options::limits, &http::ParserLimits::max_header_bytes>,
     .show = ShowNumber<&Options::limits, &http::ParserLimits::max_header_bytes>,
     .help = "Largest request line plus headers (1K-1M); past it: 431."},
    {.name = "max-url-bytes",
     .metavar = "SIZE",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMiB,
     .apply = ApplySize<&Options::limits, &http::ParserLimits::max_url_bytes>,
     .show = ShowNumber<&Options::limits, &http::ParserLimits::max_url_bytes>,
     .help = "Longest request target (1-1M); past it: 414."},
    {.name = "max-body-bytes",
     .metavar = "SIZE",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kGiB,
     .apply = ApplySize<&Options::limits, &http::ParserLimits::max_body_bytes>,
     .show = ShowNumber<&Options::limits, &http::ParserLimits::max_body_bytes>,
     .help = "Largest request body (1-1G); past it: 413."},
    {.name = "header-timeout",
     .metavar = "SECONDS",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxTimeout,
     .noun = "a number of seconds",
     .apply = ApplyNumber<&Options::header_timeout>,
     .show = ShowNumber<&Options::header_timeout>,
     .help = "Time for a request's line and headers to arrive; else 408 and close."},
    {.name = "body-timeout",
     .metavar = "SECONDS",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxTimeout,
     .noun = "a number of seconds",
     .apply = ApplyNumber<&Options::body_timeout>,
     .show = ShowNumber<&Options::body_timeout>,
     .help = "Time for a request body to arrive."},
    {.name = "idle-timeout",
     .metavar = "SECONDS",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxTimeout,
     .noun = "a number of seconds",
     .apply = ApplyNumber<&Options::idle_timeout>,
     .show = ShowNumber<&Options::idle_timeout>,
     .help = "How long an idle keep-alive connection stays open."},
    {.name = "write-timeout",
     .metavar = "SECONDS",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxTimeout,
     .noun = "a number of seconds",
     .apply = ApplyNumber<&Options::write_timeout>,
     .show = ShowNumber<&Options::write_timeout>,
     .help = "Time a client may take to accept queued response bytes."},
    {.name = "handler-timeout",
     .metavar = "SECONDS",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxTimeout,
     .noun = "a number of seconds",
     .apply = ApplyNumber<&Options::handler_timeout>,
     .show = ShowNumber<&Options::handler_timeout>,
     .help = "Time a request may wait for its answer (a hash, a commit); else 503 and close."},
    {.name = "max-connections",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = std::numeric_limits<unsigned>::max(),
     .noun = "a connection count",
     .apply = ApplyNumber<&Options::max_connections>,
     .show = ShowNumber<&Options::max_connections>,
     .help = "Open connections allowed in total, across all workers."},
    {.name = "rate-limit",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 0,
     .hi = kMaxRateLimit,
     .noun = "a request rate",
     .apply = ApplyNumber<&Options::rate_limit>,
     .show = ShowNumber<&Options::rate_limit>,
     .help = "Requests per second per client address, burst twice that; 0 = off."},
    {.name = "signup-rate",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 0,
     .hi = 1000000,
     .noun = "a sign-up rate",
     .apply = ApplyNumber<&Options::signup_rate>,
     .show = ShowNumber<&Options::signup_rate>,
     .help = "Sign-ups per minute per client address, burst twice that; 0 = off."},
    {.name = "map-size",
     .metavar = "SIZE",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = kMaxMapSize,
     .apply = ApplySize<&Options::store, &storage::StoreOptions::map_size>,
     .show = [](const Options& o) { return FormatSize(o.store.map_size); },
     .help = "LMDB map size: address space reserved, not disk used. "
             "Growing it takes a restart."},
    {.name = "sync",
     .metavar = "MODE",
     .kind = Kind::kValue,
     .apply =
         [](const Spec&, std::string_view v, const std::string& src, Options& o) {
           return SetOneOf(v, src, kSyncModes, "a sync mode", o.store.sync);
         },
     .show = [](const Options& o) { return NameOf(kSyncModes, o.store.sync); },
     .help = "Durability of commits: full (fsync data and meta), meta (no fsync of "
             "the meta page), none (leave it to the OS)."},
    {.name = "argon2-ops",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = auth::PasswordCost::kMinOps,
     .hi = auth::PasswordCost::kMaxOps,
     .noun = "an argon2id time cost",
     .apply = ApplyNumber<&Options::password_cost, &auth::PasswordCost::ops_limit>,
     .show = ShowNumber<&Options::password_cost, &auth::PasswordCost::ops_limit>,
     .help = "argon2id passes per hash (libsodium opslimit); 2 is INTERACTIVE."},
    {.name = "argon2-mem-kib",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = auth::PasswordCost::kMinMemKib,
     .hi = auth::PasswordCost::kMaxMemKib,
     .noun = "a memory size in KiB",
     .apply =
         [](const Spec& spec, std::string_view v, const std::string& src, Options& o) {
           uint64_t kib = 0;
           Status s = SetNumber(spec, v, src, kib);
           if (s.ok()) o.password_cost.mem_limit = static_cast<size_t>(kib) * 1024;
           return s;
         },
     .show = [](const Options& o) { return std::to_string(o.password_cost.mem_limit / 1024); },
     .help = "argon2id memory per hash in KiB; 65536 (64 MiB) is INTERACTIVE."},
    {.name = "max-hash-queue",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = 100000,
     .noun = "a queue length",
     .apply = ApplyNumber<&Options::max_hash_queue>,
     .show = ShowNumber<&Options::max_hash_queue>,
     .help = "Password hashes queued or running per worker; past it, 503 + Retry-After."},
    {.name = "access-token-ttl",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = 31536000,
     .noun = "a duration in seconds",
     .apply = ApplyNumber<&Options::access_token_ttl>,
     .show = ShowNumber<&Options::access_token_ttl>,
     .help = "Lifetime of access tokens, in seconds."},
    {.name = "refresh-token-ttl",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 60,
     .hi = 315360000,
     .noun = "a duration in seconds",
     .apply = ApplyNumber<&Options::refresh_token_ttl>,
     .show = ShowNumber<&Options::refresh_token_ttl>,
     .help = "Lifetime of refresh tokens, in seconds."},
    {.name = "session-max-age",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = 315360000,
     .noun = "a duration in seconds",
     .apply = ApplyNumber<&Options::session_max_age>,
     .show = ShowNumber<&Options::session_max_age>,
     .help = "Longest a session lives from its login, in seconds; refreshing never extends it."},
    {.name = "login-max-failures-account",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 0,
     .hi = 1000000,
     .noun = "a count",
     .apply = ApplyNumber<&Options::login_max_failures_account>,
     .show = ShowNumber<&Options::login_max_failures_account>,
     .help = "Failed logins allowed per account within the login window; 0 = off."},
    {.name = "login-max-failures-address",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 0,
     .hi = 1000000,
     .noun = "a count",
     .apply = ApplyNumber<&Options::login_max_failures_address>,
     .show = ShowNumber<&Options::login_max_failures_address>,
     .help = "Failed logins allowed per client address within the login window; 0 = off."},
    {.name = "login-window",
     .metavar = "N",
     .kind = Kind::kValue,
     .lo = 1,
     .hi = 86400,
     .noun = "a duration in seconds",
     .apply = ApplyNumber<&Options::login_window>,
     .show = ShowNumber<&Options::login_window>,
     .help = "The window for the failed-login limits, in seconds."},
    {.name = "tls-cert",
     .metavar = "FILE",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.tls_cert); },
     .show = [](const Options&) { return std::string("none (cleartext HTTP)"); },
     .help = "PEM certificate chain (leaf first). With --tls-key, the listener speaks "
             "TLS only; SIGHUP re-reads both files."},
    {.name = "tls-key",
     .metavar = "FILE",
     .kind = Kind::kValue,
     .apply = [](const Spec&, std::string_view v, const std::string& src,
                 Options& o) { return SetNonEmpty(v, src, o.tls_key); },
     .show = [](const Options&) { return std::string("none"); },
     .help = "PEM private key for --tls-cert."},
    {.name = "tls-min-version",
     .metavar = "V",
     .kind = Kind::kValue,
     .apply =
         [](const Spec&, std::string_view v, const std::string& src, Options& o) {
           return SetOneOf(v, src, kTlsVersions, "a TLS version", o.tls_min_version);
         },
     .show = [](const Options& o) { return NameOf(kTlsVersions, o.tls_min_version); },
     .help = "Oldest TLS version accepted: 1.2 or 1.3."},
    {.name = "help",
     .metavar = "",
     .kind = Kind::kAction,
     .help = "Print this help and exit.",
     .short_flag = "-h"},
    {.name = "version",
     .metavar = "",
     .kind = Kind::kAction,
     .help = "Print the version and exit.",
     .short_flag = "-V"},
};

const Spec* FindSpec(std::string_view name) {
  for (const Spec& spec : kSpecs) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

// --foo-bar <-> KEEL_FOO_BAR.
std::string EnvName(const Spec& spec) {
  std::string env = "KEEL_";
  for (const char* p = spec.name; *p != '\0'; ++p) {
    env += *p == '-' ? '_' : core::UpperAscii(*p);
  }
  return env;
}

// A comma-separated variable: blanks around items and empty items are
// ignored, so "a, b," means a and b.
Status ApplyList(const Spec& spec, std::string_view list, const std::string& source, Options& out) {
  while (true) {
    size_t comma = std::min(list.find(','), list.size());
    std::string_view item = core::TrimOws(list.substr(0, comma));
    if (!item.empty()) {
      Status s = spec.apply(spec, item, source, out);
      if (!s.ok()) return s;
    }
    if (comma == list.size()) return Status::Ok();
    list.remove_prefix(comma + 1);
  }
}

struct Given {
  const Spec* spec;
  std::string_view value;
};

// Resolves one command-line word to its option: "--name", "--name=value" or
// a short flag. `inline_value` gets what follows '=', if there was one.
Status FindArg(std::string_view arg, const Spec*& spec,
               std::optional<std::string_view>& inline_value) {
  for (const Spec& candidate : kSpecs) {
    if (*candidate.short_flag != '\0' && arg == candidate.short_flag) {
      spec = &candidate;
      return Status::Ok();
    }
  }
  if (arg.size() <= 2 || !arg.starts_with("--")) {
    return Status::InvalidArgument(
        std::string(arg.starts_with("-") ? "unknown option '" : "unexpected argument '") +
        std::string(arg) + "'");
  }
  size_t eq = arg.find('=');
  std::string_view name = arg.substr(2, eq == arg.npos ? arg.npos : eq - 2);
  if (eq != arg.npos) inline_value = arg.substr(eq + 1);
  spec = FindSpec(name);
  if (spec == nullptr) {
    return Status::InvalidArgument("unknown option '--" + std::string(name) + "'");
  }
  return Status::Ok();
}

// Reads argv into `given`. Returns early, with out.help or out.version set,
// at -h/--help or -V/--version.
Status ScanArgs(int argc, const char* const* argv, std::vector<Given>& given, Options& out) {
  for (int i = 1; i < argc; ++i) {
    const Spec* spec = nullptr;
    std::optional<std::string_view> inline_value;
    Status s = FindArg(argv[i], spec, inline_value);
    if (!s.ok()) return s;
    std::string source = std::string("--") + spec->name;
    bool takes_value = spec->kind == Kind::kValue || spec->kind == Kind::kList;
    if (!takes_value && inline_value) {
      return Status::InvalidArgument(source + ": takes no value, got '" +
                                     std::string(*inline_value) + "'");
    }
    if (spec->kind == Kind::kAction) {
      (std::string_view(spec->name) == "help" ? out.help : out.version) = true;
      return Status::Ok();
    }
    if (spec->kind == Kind::kFlag) {
      given.push_back({spec, "1"});
    } else if (inline_value) {
      given.push_back({spec, *inline_value});
    } else if (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
      // A following "--x" is taken as a forgotten value, not as the value:
      // "--data-dir --port 1" would otherwise make a directory named "--port".
      given.push_back({spec, argv[++i]});
    } else {
      return Status::InvalidArgument(source + ": missing value");
    }
  }
  return Status::Ok();
}

// The environment, for every option the command line left out.
Status ApplyEnv(const std::vector<Given>& given,
                const std::function<const char*(const char*)>& getenv, Options& out) {
  for (const Spec& spec : kSpecs) {
    if (spec.kind == Kind::kAction) continue;
    bool on_command_line =
        std::any_of(given.begin(), given.end(), [&](const Given& g) { return g.spec == &spec; });
    if (on_command_line) continue;
    std::string env = EnvName(spec);
    const char* value = getenv(env.c_str());
    if (value == nullptr || *value == '\0') continue;
    Status s = spec.kind == Kind::kList ? ApplyList(spec, value, env, out)
                                        : spec.apply(spec, value, env, out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

constexpr std::string_view kIndent = "      ";
constexpr size_t kHelpWidth = 78;

// Appends `words` as indented lines of at most kHelpWidth columns (a single
// longer word gets a line of its own).
void AppendWrapped(std::string_view words, std::string& out) {
  size_t column = 0;
  while (!words.empty()) {
    size_t space = std::min(words.find(' '), words.size());
    std::string_view word = words.substr(0, space);
    if (column != 0 && column + 1 + word.size() > kHelpWidth) {
      out += '\n';
      column = 0;
    }
    if (column == 0) {
      out += kIndent;
      column = kIndent.size();
    } else {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    words.remove_prefix(std::min(space + 1, words.size()));
  }
  out += '\n';
}

}  // namespace

const char* ProcessEnv(const char* name) { return std::getenv(name); }

core::Result<Options> ParseOptions(int argc, const char* const* argv,
                                   const std::function<const char*(const char*)>& getenv) {
  Options out;
  std::vector<Given> given;
  Status s = ScanArgs(argc, argv, given, out);
  if (!s.ok()) return s;
  if (out.help || out.version) return out;
  for (const Given& g : given) {
    s = g.spec->apply(*g.spec, g.value, "--" + std::string(g.spec->name), out);
    if (!s.ok()) return s;
  }
  s = ApplyEnv(given, getenv, out);
  if (!s.ok()) return s;
  if (!out.jwt_secret_file.empty() && !out.jwt_keys_dir.empty()) {
    // One signing scheme per deployment: a server that accepted both would
    // let whoever holds either key mint tokens.
    return Status::InvalidArgument(
        "--jwt-secret-file (HS256) and --jwt-keys-dir (EdDSA) cannot be used together");
  }
  if (out.tls_cert.empty() != out.tls_key.empty()) {
    return Status::InvalidArgument(out.tls_cert.empty() ? "--tls-key needs --tls-cert"
                                                        : "--tls-cert needs --tls-key");
  }
  if (out.threads == 0) {
    // hardware_concurrency() may answer 0 when it cannot tell.
    out.threads =
        std::clamp(std::thread::hardware_concurrency(), 1u, static_cast<unsigned>(kMaxThreads));
  }
  return out;
}

std::string HelpText() {
  const Options defaults;
  std::string text =
      "Usage: keel [options]\n"
      "\n"
      "Serves the Keel users-and-auth HTTP API. Every option can also be set\n"
      "through the environment variable shown under it; the command line wins.\n"
      "Values go as --name VALUE or --name=VALUE. A SIZE is bytes, or a number\n"
      "with a K, M, G or T suffix (powers of 1024).\n"
      "\n";
  for (const Spec& spec : kSpecs) {
    text += "  --";
    text += spec.name;
    if (*spec.short_flag != '\0') {
      text += ", ";
      text += spec.short_flag;
    }
    if (*spec.metavar != '\0') {
      text += ' ';
      text += spec.metavar;
    }
    text += '\n';
    AppendWrapped(spec.help, text);
    if (spec.kind != Kind::kAction) {
      text += std::string(kIndent) + EnvName(spec) + ", default " + spec.show(defaults) + "\n";
    }
  }
  return text;
}

std::string VersionText() { return std::string("keel ") + KEEL_VERSION; }

}  // namespace keel::api
