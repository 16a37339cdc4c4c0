// The `keel` binary's settings: parsed from the command line, with the
// environment as a fallback (README.md, "Options").
//
// Every option --foo-bar also reads the variable KEEL_FOO_BAR; a value given
// on the command line wins over the variable. -h/--help and -V/--version have
// no variable. Everything here is plain data and pure functions: safe from any
// thread, no global state except what the supplied getenv reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/password_hasher.h"
#include "core/log.h"
#include "core/tls_context.h"
#include "core/status.h"
#include "http/parser_limits.h"
#include "storage/store.h"

namespace keel::api {

// Where keel and keel-admin keep the database and keys unless told.
inline constexpr std::string_view kDefaultDataDir = "./data";

struct Options {
  // Listening address: a literal IPv4 or IPv6 address ("localhost" is stored
  // as 127.0.0.1). Port 0 asks the kernel for a free port.
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  // Worker threads. When not given, ParseOptions resolves it to the number of
  // cores (at least 1, at most 1024); it stays 0 only with help or version.
  unsigned threads = 0;

  std::string data_dir = std::string(kDefaultDataDir);
  std::string jwt_secret_file;            // set: HS256 with this key; empty: EdDSA
  std::string jwt_keys_dir;               // empty: <data_dir>/keys (EdDSA only)
  std::string jwt_issuer = "keel";        // iss
  std::string jwt_audience;               // aud; empty: none signed or required
  std::vector<std::string> cors_origins;  // lower-cased "scheme://host[:port]"
  bool bench_endpoints = false;           // GET /plaintext and GET /json
  core::LogLevel log_level = core::LogLevel::kInfo;
  core::LogFormat log_format = core::LogFormat::kText;  // the diagnostic log
  std::string access_log = "off";         // off | - (stdout) | a file path
  // --metrics-listen: GET /metrics on its own listener; empty host: off.
  std::string metrics_host;
  uint16_t metrics_port = 0;

  // The modules' own settings, embedded so their defaults live in one place
  // (the module's header). The options set max_header_bytes, max_url_bytes
  // and max_body_bytes of `limits`; map_size and sync of `store` (store.dir
  // is data_dir, filled in by main); both fields of `password_cost`.
  http::ParserLimits limits;
  storage::StoreOptions store;
  auth::PasswordCost password_cost;

  // Timeouts in seconds, each in 1..86400.
  unsigned header_timeout = 10;
  unsigned body_timeout = 30;
  unsigned idle_timeout = 60;
  unsigned write_timeout = 30;
  unsigned handler_timeout = 30;  // a deferred answer not sent by then: 503 + close

  unsigned max_connections = 10000;  // total across all workers, >= 1
  unsigned rate_limit = 0;           // requests/s per client address; 0 = off
  unsigned signup_rate = 10;         // sign-ups/min per client address (burst 2x); 0 = off

  // Users and auth.
  unsigned max_hash_queue = 64;              // hash jobs in flight per worker; 503 past it
  unsigned access_token_ttl = 900;           // seconds
  unsigned refresh_token_ttl = 30 * 86400;   // seconds
  unsigned session_max_age = 30 * 86400;     // seconds from login; rotation never extends it
  unsigned login_max_failures_account = 10;  // per login window; 0 = off
  unsigned login_max_failures_address = 50;  // per login window; 0 = off
  unsigned login_window = 900;               // seconds

  // TLS: both files given makes the listener TLS-only; one without the
  // other is an error. PEM; the certificate file holds the chain too.
  std::string tls_cert;
  std::string tls_key;
  core::TlsVersion tls_min_version = core::TlsVersion::kTls12;

  bool help = false;     // -h/--help was given; nothing else was validated
  bool version = false;  // -V/--version was given; nothing else was validated
};

// Looks a variable up in the process environment (std::getenv). The returned
// pointer belongs to the environment; copy it before the environment changes.
const char* ProcessEnv(const char* name);

// Parses argv[1..argc-1] (argv[0] is the program name and is ignored), then
// reads the environment through `getenv` for every option the command line did
// not give. `getenv` returns nullptr for an unset variable; an empty variable
// counts as unset. It is called only during this call.
//
// Accepted forms: "--name value", "--name=value", and for the flag
// --bench-endpoints just "--name". A repeated option keeps its last value,
// except --cors-origin, which collects them all; KEEL_CORS_ORIGIN is a comma
// separated list. Boolean variables take 1/0/true/false/yes/no.
//
// When -h/--help or -V/--version appears, parsing stops there: the result has
// help or version set, the environment is not read and later arguments are
// not checked, so `keel --help` works whatever else is configured.
//
// Any bad input gives Status::InvalidArgument whose message starts with where
// the value came from ("--port: " or "KEEL_PORT: ") and quotes the bad value.
// It holds no pointer to --help: the caller adds the one hint it prints.
core::Result<Options> ParseOptions(
    int argc, const char* const* argv,
    const std::function<const char*(const char*)>& getenv = ProcessEnv);

// The usage text: every option with its variable, its default and what it
// does. Ends with a newline.
std::string HelpText();

// "keel <version>": what --version prints and the start line begins with.
// KEEL_VERSION comes from the build (api/CMakeLists.txt).
std::string VersionText();

}  // namespace keel::api
