#include "api/options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace keel::api {
namespace {

using Env = std::map<std::string, std::string>;

// Runs ParseOptions on {"keel", args...} with `env` as the whole environment.
core::Result<Options> Parse(const std::vector<std::string>& args, const Env& env = {}) {
  std::vector<const char*> argv = {"keel"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  auto lookup = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), lookup);
}

// One value per option, with the variable it must map to and a check that the
// value landed in the right field.
struct Case {
  std::string flag;
  std::string env;
  std::string value;
  std::function<bool(const Options&)> check;
};

std::vector<Case> EveryOption() {
  return {
      {"--host", "KEEL_HOST", "::1", [](const Options& o) { return o.host == "::1"; }},
      {"--port", "KEEL_PORT", "9090", [](const Options& o) { return o.port == 9090; }},
      {"--threads", "KEEL_THREADS", "3", [](const Options& o) { return o.threads == 3u; }},
      {"--data-dir", "KEEL_DATA_DIR", "/var/lib/keel",
       [](const Options& o) { return o.data_dir == "/var/lib/keel"; }},
      {"--jwt-secret-file", "KEEL_JWT_SECRET_FILE", "/etc/keel/key",
       [](const Options& o) { return o.jwt_secret_file == "/etc/keel/key"; }},
      {"--jwt-keys-dir", "KEEL_JWT_KEYS_DIR", "/etc/keel/keys",
       [](const Options& o) { return o.jwt_keys_dir == "/etc/keel/keys"; }},
      {"--jwt-issuer", "KEEL_JWT_ISSUER", "https://auth.example.com",
       [](const Options& o) { return o.jwt_issuer == "https://auth.example.com"; }},
      {"--jwt-audience", "KEEL_JWT_AUDIENCE", "api.example.com",
       [](const Options& o) { return o.jwt_audience == "api.example.com"; }},
      {"--cors-origin", "KEEL_CORS_ORIGIN", "https://app.example.com",
       [](const Options& o) {
         return o.cors_origins == std::vector<std::string>{"https://app.example.com"};
       }},
      {"--log-level", "KEEL_LOG_LEVEL", "debug",
       [](const Options& o) { return o.log_level == core::LogLevel::kDebug; }},
      {"--max-header-bytes", "KEEL_MAX_HEADER_BYTES", "4096",
       [](const Options& o) { return o.limits.max_header_bytes == 4096u; }},
      {"--max-url-bytes", "KEEL_MAX_URL_BYTES", "2K",
       [](const Options& o) { return o.limits.max_url_bytes == 2048u; }},
      {"--max-body-bytes", "KEEL_MAX_BODY_BYTES", "2M",
       [](const Options& o) { return o.limits.max_body_bytes == 2u << 20; }},
      {"--header-timeout", "KEEL_HEADER_TIMEOUT", "5",
       [](const Options& o) { return o.header_timeout == 5u; }},
      {"--body-timeout", "KEEL_BODY_TIMEOUT", "6",
       [](const Options& o) { return o.body_timeout == 6u; }},
      {"--idle-timeout", "KEEL_IDLE_TIMEOUT", "7",
       [](const Options& o) { return o.idle_timeout == 7u; }},
      {"--write-timeout", "KEEL_WRITE_TIMEOUT", "8",
       [](const Options& o) { return o.write_timeout == 8u; }},
      {"--handler-timeout", "KEEL_HANDLER_TIMEOUT", "9",
       [](const Options& o) { return o.handler_timeout == 9u; }},
      {"--max-connections", "KEEL_MAX_CONNECTIONS", "123",
       [](const Options& o) { return o.max_connections == 123u; }},
      {"--rate-limit", "KEEL_RATE_LIMIT", "50",
       [](const Options& o) { return o.rate_limit == 50u; }},
      {"--signup-rate", "KEEL_SIGNUP_RATE", "0",
       [](const Options& o) { return o.signup_rate == 0u; }},
      {"--map-size", "KEEL_MAP_SIZE", "512M",
       [](const Options& o) { return o.store.map_size == uint64_t{512} << 20; }},
      {"--sync", "KEEL_SYNC", "none", [](const Options& o) { return o.store.sync == storage::SyncMode::kNone; }},
      {"--argon2-ops", "KEEL_ARGON2_OPS", "3", [](const Options& o) { return o.password_cost.ops_limit == 3u; }},
      {"--argon2-mem-kib", "KEEL_ARGON2_MEM_KIB", "1024",
       [](const Options& o) { return o.password_cost.mem_limit == 1024u * 1024; }},
      {"--max-hash-queue", "KEEL_MAX_HASH_QUEUE", "9",
       [](const Options& o) { return o.max_hash_queue == 9u; }},
      {"--access-token-ttl", "KEEL_ACCESS_TOKEN_TTL", "60",
       [](const Options& o) { return o.access_token_ttl == 60u; }},
      {"--refresh-token-ttl", "KEEL_REFRESH_TOKEN_TTL", "3600",
       [](const Options& o) { return o.refresh_token_ttl == 3600u; }},
      {"--session-max-age", "KEEL_SESSION_MAX_AGE", "86400",
       [](const Options& o) { return o.session_max_age == 86400u; }},
      {"--login-max-failures-account", "KEEL_LOGIN_MAX_FAILURES_ACCOUNT", "4",
       [](const Options& o) { return o.login_max_failures_account == 4u; }},
      {"--login-max-failures-address", "KEEL_LOGIN_MAX_FAILURES_ADDRESS", "20",
       [](const Options& o) { return o.login_max_failures_address == 20u; }},
      {"--login-window", "KEEL_LOGIN_WINDOW", "120",
       [](const Options& o) { return o.login_window == 120u; }},
      {"--tls-min-version", "KEEL_TLS_MIN_VERSION", "1.3",
       [](const Options& o) { return o.tls_min_version == core::TlsVersion::kTls13; }},
      {"--log-format", "KEEL_LOG_FORMAT", "json",
       [](const Options& o) { return o.log_format == core::LogFormat::kJson; }},
      {"--access-log", "KEEL_ACCESS_LOG", "/var/log/keel/access.log",
       [](const Options& o) { return o.access_log == "/var/log/keel/access.log"; }},
      {"--metrics-listen", "KEEL_METRICS_LISTEN", "[::1]:9100",
       [](const Options& o) { return o.metrics_host == "::1" && o.metrics_port == 9100; }},
  };
}

TEST(Options, DefaultsMatchTheContract) {
  auto r = Parse({});
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Options& o = r.value();
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 8080);
  unsigned cores = std::clamp(std::thread::hardware_concurrency(), 1u, 1024u);
  EXPECT_EQ(o.threads, cores);
  EXPECT_EQ(o.data_dir, "./data");
  EXPECT_EQ(o.jwt_secret_file, "");
  EXPECT_EQ(o.jwt_keys_dir, "");  // <data-dir>/keys
  EXPECT_EQ(o.jwt_issuer, "keel");
  EXPECT_EQ(o.jwt_audience, "");
  EXPECT_TRUE(o.cors_origins.empty());
  EXPECT_FALSE(o.bench_endpoints);
  EXPECT_EQ(o.log_level, core::LogLevel::kInfo);
  EXPECT_EQ(o.limits.max_header_bytes, 16384u);
  EXPECT_EQ(o.limits.max_url_bytes, 8192u);
  EXPECT_EQ(o.limits.max_body_bytes, 1048576u);
  EXPECT_EQ(o.header_timeout, 10u);
  EXPECT_EQ(o.body_timeout, 30u);
  EXPECT_EQ(o.idle_timeout, 60u);
  EXPECT_EQ(o.write_timeout, 30u);
  EXPECT_EQ(o.handler_timeout, 30u);
  EXPECT_EQ(o.signup_rate, 10u);
  EXPECT_EQ(o.session_max_age, 30u * 86400);
  EXPECT_EQ(o.max_connections, 10000u);
  EXPECT_EQ(o.rate_limit, 0u);
  EXPECT_EQ(o.store.map_size, uint64_t{64} << 30);
  EXPECT_EQ(o.store.sync, storage::SyncMode::kFull);
  EXPECT_EQ(o.tls_cert, "");
  EXPECT_EQ(o.tls_key, "");
  EXPECT_EQ(o.tls_min_version, core::TlsVersion::kTls12);
  EXPECT_EQ(o.log_format, core::LogFormat::kText);
  EXPECT_EQ(o.access_log, "off");
  EXPECT_EQ(o.metrics_host, "");  // off
  EXPECT_FALSE(o.help);
  EXPECT_FALSE(o.version);
}

TEST(Options, EachOptionFromArgvWithSpace) {
  for (const Case& c : EveryOption()) {
    SCOPED_TRACE(c.flag);
    auto r = Parse({c.flag, c.value});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(c.check(r.value()));
  }
}

TEST(Options, EachOptionFromArgvWithEquals) {
  for (const Case& c : EveryOption()) {
    SCOPED_TRACE(c.flag);
    auto r = Parse({c.flag + "=" + c.value});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(c.check(r.value()));
  }
}

TEST(Options, EachOptionFromEnv) {
  for (const Case& c : EveryOption()) {
    SCOPED_TRACE(c.env);
    auto r = Parse({}, {{c.env, c.value}});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(c.check(r.value()));
  }
}

TEST(Options, ArgvBeatsEnvForEveryOption) {
  // The variable holds a value that would fail to parse: if it were read at
  // all the parse would fail, so success proves the command line won.
  for (const Case& c : EveryOption()) {
    SCOPED_TRACE(c.flag);
    auto r = Parse({c.flag, c.value}, {{c.env, "not-valid-here://"}});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(c.check(r.value()));
  }
}

TEST(Options, ArgvBeatsEnvWithBothValid) {
  auto r = Parse({"--port=9001"}, {{"KEEL_PORT", "9000"}, {"KEEL_SYNC", "meta"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().port, 9001);
  EXPECT_EQ(r.value().store.sync, storage::SyncMode::kMeta);  // not on the command line: env applies
}

TEST(Options, ArgvCorsOriginsReplaceTheEnvList) {
  auto r = Parse({"--cors-origin", "https://a.example"},
                 {{"KEEL_CORS_ORIGIN", "https://b.example,https://c.example"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().cors_origins, std::vector<std::string>{"https://a.example"});
}

// One signing scheme per deployment, from wherever each came.
TEST(Options, SecretFileAndKeysDirExcludeEachOther) {
  auto r = Parse({"--jwt-secret-file", "/k", "--jwt-keys-dir", "/d"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot be used together"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(Parse({"--jwt-secret-file", "/k"}, {{"KEEL_JWT_KEYS_DIR", "/d"}}).ok());
  EXPECT_TRUE(Parse({"--jwt-keys-dir", "/d"}).ok());
}

TEST(Options, CorsOriginIsRepeatable) {
  auto r = Parse({"--cors-origin", "https://a.example", "--cors-origin=http://localhost:3000",
                  "--cors-origin", "http://[::1]:8080"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().cors_origins,
            (std::vector<std::string>{"https://a.example", "http://localhost:3000",
                                      "http://[::1]:8080"}));
}

TEST(Options, CorsOriginEnvIsCommaSeparated) {
  auto r = Parse({}, {{"KEEL_CORS_ORIGIN", " https://a.example ,http://b.example:81,,"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().cors_origins,
            (std::vector<std::string>{"https://a.example", "http://b.example:81"}));
}

TEST(Options, CorsOriginIsLowerCased) {
  auto r = Parse({"--cors-origin", "HTTPS://App.Example.COM"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().cors_origins, std::vector<std::string>{"https://app.example.com"});
}

TEST(Options, BenchEndpointsFlagTakesNoValue) {
  auto r = Parse({"--bench-endpoints"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r.value().bench_endpoints);

  auto bad = Parse({"--bench-endpoints=yes"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--bench-endpoints: takes no value, got 'yes'");
}

TEST(Options, BenchEndpointsFlagDoesNotEatTheNextArgument) {
  auto r = Parse({"--bench-endpoints", "--port", "1"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r.value().bench_endpoints);
  EXPECT_EQ(r.value().port, 1);
}

TEST(Options, BenchEndpointsEnvTakesBooleans) {
  for (const char* yes : {"1", "true", "yes", "TRUE", "Yes"}) {
    SCOPED_TRACE(yes);
    auto r = Parse({}, {{"KEEL_BENCH_ENDPOINTS", yes}});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r.value().bench_endpoints);
  }
  for (const char* no : {"0", "false", "no", "FALSE"}) {
    SCOPED_TRACE(no);
    auto r = Parse({}, {{"KEEL_BENCH_ENDPOINTS", no}});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE(r.value().bench_endpoints);
  }
}

TEST(Options, LocalhostMapsToLoopback) {
  auto r = Parse({"--host", "localhost"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().host, "127.0.0.1");
}

TEST(Options, AcceptsIpv4AndIpv6Literals) {
  for (const char* host : {"0.0.0.0", "10.1.2.3", "::", "::1", "fe80::1"}) {
    SCOPED_TRACE(host);
    auto r = Parse({"--host", host});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r.value().host, host);
  }
}

TEST(Options, PortZeroIsAllowed) {
  auto r = Parse({"--port", "0"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().port, 0);
}

TEST(Options, SizesTakeBinarySuffixes) {
  auto r = Parse({"--map-size", "64G", "--max-body-bytes", "1G", "--max-header-bytes", "1k"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().store.map_size, uint64_t{64} << 30);
  EXPECT_EQ(r.value().limits.max_body_bytes, size_t{1} << 30);
  EXPECT_EQ(r.value().limits.max_header_bytes, 1024u);

  auto t = Parse({"--map-size", "2T"});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t.value().store.map_size, uint64_t{2} << 40);

  auto plain = Parse({"--map-size", "1000000"});
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain.value().store.map_size, 1000000u);
}

TEST(Options, RangeEdgesAreAccepted) {
  auto r = Parse({"--port", "65535", "--threads", "1024", "--max-header-bytes", "1048576",
                  "--max-body-bytes", "1073741824", "--header-timeout", "86400", "--idle-timeout",
                  "1", "--max-connections", "1"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().port, 65535);
  EXPECT_EQ(r.value().threads, 1024u);
  EXPECT_EQ(r.value().limits.max_header_bytes, 1048576u);
  EXPECT_EQ(r.value().limits.max_body_bytes, 1073741824u);
  EXPECT_EQ(r.value().header_timeout, 86400u);
  EXPECT_EQ(r.value().idle_timeout, 1u);
  EXPECT_EQ(r.value().max_connections, 1u);
}

TEST(Options, RepeatedOptionKeepsTheLastValue) {
  auto r = Parse({"--port", "1", "--port=2"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().port, 2);
}

TEST(Options, EmptyVariableCountsAsUnset) {
  auto r = Parse({}, {{"KEEL_PORT", ""}, {"KEEL_HOST", ""}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().port, 8080);
  EXPECT_EQ(r.value().host, "127.0.0.1");
}

TEST(Options, HelpAndVersionFlags) {
  for (const char* flag : {"-h", "--help"}) {
    auto r = Parse({flag});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r.value().help);
    EXPECT_FALSE(r.value().version);
  }
  for (const char* flag : {"-V", "--version"}) {
    auto r = Parse({flag});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r.value().version);
    EXPECT_FALSE(r.value().help);
  }
}

TEST(Options, HelpStopsParsingAndIgnoresTheEnvironment) {
  auto r = Parse({"--port", "1", "--help", "--no-such-option"}, {{"KEEL_PORT", "junk"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r.value().help);
}

TEST(Options, VersionTextNamesTheBinary) {
  EXPECT_EQ(VersionText().rfind("keel ", 0), 0u);
  EXPECT_GT(VersionText().size(), 5u);
}

// Each bad input must fail with InvalidArgument and a message that names the
// option (or variable) and quotes the bad value.
struct ErrorCase {
  std::vector<std::string> args;
  Env env;
  std::vector<std::string> must_mention;
};

std::vector<ErrorCase> ErrorCases() {
  return {
      {{"--no-such-option"}, {}, {"unknown option", "'--no-such-option'"}},
      {{"--no-such-option=1"}, {}, {"unknown option", "'--no-such-option'"}},
      {{"-x"}, {}, {"unknown option", "'-x'"}},
      {{"--"}, {}, {"unknown option", "'--'"}},
      {{"serve"}, {}, {"unexpected argument", "'serve'"}},
      {{""}, {}, {"unexpected argument", "''"}},
      {{"-"}, {}, {"unknown option", "'-'"}},
      {{"-hV"}, {}, {"unknown option", "'-hV'"}},
      {{"--port"}, {}, {"--port: missing value"}},
      {{"--data-dir", "--port", "1"}, {}, {"--data-dir: missing value"}},
      {{"--help=1"}, {}, {"--help: takes no value"}},
      {{"--port", "abc"}, {}, {"--port: 'abc'", "port number"}},
      {{"--port", "-1"}, {}, {"--port: '-1'"}},
      {{"--port", "80x"}, {}, {"--port: '80x'"}},
      {{"--port", " 80"}, {}, {"--port: ' 80'"}},
      {{"--port", "+80"}, {}, {"--port: '+80'"}},
      {{"--port="}, {}, {"--port: ''"}},
      {{"--port", "70000"}, {}, {"--port: '70000' is not a port number (0-65535)"}},
      {{"--port", "99999999999999999999999"}, {}, {"--port: '99999999999999999999999'"}},
      {{"--threads", "0"}, {}, {"--threads: '0'", "1-1024"}},
      {{"--threads", "1025"}, {}, {"--threads: '1025'"}},
      {{"--threads", "two"}, {}, {"--threads: 'two'"}},
      {{"--max-header-bytes", "1023"}, {}, {"--max-header-bytes: '1023'"}},
      {{"--max-header-bytes", "2M"}, {}, {"--max-header-bytes: '2M'"}},
      {{"--max-url-bytes", "0"}, {}, {"--max-url-bytes: '0'"}},
      {{"--max-body-bytes", "0"}, {}, {"--max-body-bytes: '0'"}},
      {{"--max-body-bytes", "2G"}, {}, {"--max-body-bytes: '2G'"}},
      {{"--max-body-bytes", "1Q"}, {}, {"--max-body-bytes: '1Q'"}},
      {{"--max-body-bytes", "M"}, {}, {"--max-body-bytes: 'M'"}},
      {{"--map-size", "0"}, {}, {"--map-size: '0'"}},
      {{"--map-size", "-64G"}, {}, {"--map-size: '-64G'"}},
      {{"--map-size", "99999999999T"}, {}, {"--map-size: '99999999999T'"}},
      {{"--header-timeout", "0"}, {}, {"--header-timeout: '0'", "1-86400"}},
      {{"--body-timeout", "86401"}, {}, {"--body-timeout: '86401'"}},
      {{"--idle-timeout", "1.5"}, {}, {"--idle-timeout: '1.5'"}},
      {{"--write-timeout", "0"}, {}, {"--write-timeout: '0'"}},
      {{"--max-connections", "0"}, {}, {"--max-connections: '0'"}},
      {{"--max-connections", "4294967296"}, {}, {"--max-connections: '4294967296'"}},
      {{"--rate-limit", "-1"}, {}, {"--rate-limit: '-1'"}},
      {{"--rate-limit", "1000000001"}, {}, {"--rate-limit: '1000000001'"}},
      {{"--log-level", "verbose"}, {}, {"--log-level: 'verbose'", "error, warn, info, debug"}},
      {{"--log-level", "INFO"}, {}, {"--log-level: 'INFO'"}},
      {{"--log-format", "xml"}, {}, {"--log-format: 'xml'", "text, json"}},
      {{"--access-log="}, {}, {"--access-log: must not be empty"}},
      {{"--metrics-listen", "9100"}, {}, {"--metrics-listen: '9100'"}},
      {{"--metrics-listen", "127.0.0.1:70000"}, {}, {"--metrics-listen: '127.0.0.1:70000'"}},
      {{"--metrics-listen", "::1:9100"}, {}, {"--metrics-listen: '::1:9100'", "brackets"}},
      {{"--metrics-listen", "example.com:9100"}, {}, {"--metrics-listen: 'example.com'"}},
      {{"--sync", "fast"}, {}, {"--sync: 'fast'", "full, meta, none"}},
      {{"--host="}, {}, {"--host: must not be empty"}},
      {{"--host", "example.com"}, {}, {"--host: 'example.com'"}},
      {{"--host", "1.2.3"}, {}, {"--host: '1.2.3'"}},
      {{"--host", "[::1]"}, {}, {"--host: '[::1]'"}},
      {{"--data-dir="}, {}, {"--data-dir: must not be empty"}},
      {{"--jwt-secret-file="}, {}, {"--jwt-secret-file: must not be empty"}},
      {{"--cors-origin", "example.com"}, {}, {"--cors-origin: 'example.com'"}},
      {{"--cors-origin", "https://example.com/"}, {}, {"--cors-origin: 'https://example.com/'"}},
      {{"--cors-origin", "https://"}, {}, {"--cors-origin: 'https://'"}},
      {{"--cors-origin", "://example.com"}, {}, {"--cors-origin: '://example.com'"}},
      {{"--cors-origin", "1http://a.com"}, {}, {"--cors-origin: '1http://a.com'"}},
      {{"--cors-origin", "https://[::g]"}, {}, {"--cors-origin: 'https://[::g]'"}},
      {{"--cors-origin", "https://a.com:99999"}, {}, {"--cors-origin: 'https://a.com:99999'"}},
      {{"--cors-origin", "https://a.com:"}, {}, {"--cors-origin: 'https://a.com:'"}},
      {{"--cors-origin", "https://[zz]"}, {}, {"--cors-origin: 'https://[zz]'"}},
      {{"--cors-origin", "https://a b.com"}, {}, {"--cors-origin: 'https://a b.com'"}},
      {{"--cors-origin", "*"}, {}, {"--cors-origin: '*'"}},
      {{}, {{"KEEL_PORT", "70000"}}, {"KEEL_PORT: '70000' is not a port number (0-65535)"}},
      {{}, {{"KEEL_THREADS", "0"}}, {"KEEL_THREADS: '0'"}},
      {{}, {{"KEEL_HOST", "nowhere"}}, {"KEEL_HOST: 'nowhere'"}},
      {{}, {{"KEEL_BENCH_ENDPOINTS", "maybe"}}, {"KEEL_BENCH_ENDPOINTS: 'maybe'"}},
      {{}, {{"KEEL_CORS_ORIGIN", "https://a.com,bad"}}, {"KEEL_CORS_ORIGIN: 'bad'"}},
      {{}, {{"KEEL_LOG_LEVEL", "loud"}}, {"KEEL_LOG_LEVEL: 'loud'"}},
      {{}, {{"KEEL_SYNC", "sometimes"}}, {"KEEL_SYNC: 'sometimes'"}},
      {{}, {{"KEEL_MAP_SIZE", "lots"}}, {"KEEL_MAP_SIZE: 'lots'"}},
      {{}, {{"KEEL_HEADER_TIMEOUT", "0"}}, {"KEEL_HEADER_TIMEOUT: '0'"}},
      {{}, {{"KEEL_MAX_BODY_BYTES", "2G"}}, {"KEEL_MAX_BODY_BYTES: '2G'"}},
      {{"--tls-min-version", "1.1"}, {}, {"--tls-min-version: '1.1'", "1.2, 1.3"}},
      {{"--tls-cert="}, {}, {"--tls-cert: must not be empty"}},
      {{"--tls-cert", "c.pem"}, {}, {"--tls-cert needs --tls-key"}},
      {{}, {{"KEEL_TLS_KEY", "k.pem"}}, {"--tls-key needs --tls-cert"}},
  };
}

TEST(Options, TlsCertAndKeyComeAsAPair) {
  auto r = Parse({"--tls-cert", "/etc/keel/chain.pem"}, {{"KEEL_TLS_KEY", "/etc/keel/key.pem"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().tls_cert, "/etc/keel/chain.pem");
  EXPECT_EQ(r.value().tls_key, "/etc/keel/key.pem");
  r = Parse({"--tls-key=/k.pem", "--tls-cert=/c.pem"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().tls_cert, "/c.pem");
  EXPECT_EQ(r.value().tls_key, "/k.pem");
  EXPECT_NE(HelpText().find("KEEL_TLS_CERT, default none (cleartext HTTP)\n"), std::string::npos);
}

TEST(Options, EveryBadInputNamesTheOptionAndValue) {
  for (const ErrorCase& c : ErrorCases()) {
    std::string label;
    for (const std::string& a : c.args) label += a + " ";
    for (const auto& [k, v] : c.env) label += k + "=" + v + " ";
    SCOPED_TRACE(label);
    auto r = Parse(c.args, c.env);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::Status::Code::kInvalidArgument);
    for (const std::string& part : c.must_mention) {
      EXPECT_NE(r.status().message().find(part), std::string::npos)
          << "message: " << r.status().message() << "\nmissing: " << part;
    }
  }
}

TEST(Options, HelpTextMentionsEveryOptionVariableAndDefault) {
  std::string help = HelpText();
  for (const Case& c : EveryOption()) {
    EXPECT_NE(help.find(c.flag + " "), std::string::npos) << c.flag;
    EXPECT_NE(help.find(c.env), std::string::npos) << c.env;
  }
  for (const char* other :
       {"--bench-endpoints", "KEEL_BENCH_ENDPOINTS", "--help", "-h", "--version", "-V"}) {
    EXPECT_NE(help.find(other), std::string::npos) << other;
  }
  for (const char* def :
       {"KEEL_HOST, default 127.0.0.1\n", "KEEL_PORT, default 8080\n",
        "KEEL_THREADS, default number of cores\n", "KEEL_DATA_DIR, default ./data\n",
        "KEEL_BENCH_ENDPOINTS, default off\n", "KEEL_LOG_LEVEL, default info\n",
        "KEEL_MAX_HEADER_BYTES, default 16384\n", "KEEL_MAX_URL_BYTES, default 8192\n",
        "KEEL_MAX_BODY_BYTES, default 1048576\n", "KEEL_HEADER_TIMEOUT, default 10\n",
        "KEEL_BODY_TIMEOUT, default 30\n", "KEEL_IDLE_TIMEOUT, default 60\n",
        "KEEL_WRITE_TIMEOUT, default 30\n", "KEEL_MAX_CONNECTIONS, default 10000\n",
        "KEEL_RATE_LIMIT, default 0\n", "KEEL_MAP_SIZE, default 64G\n",
        "KEEL_SYNC, default full\n"}) {
    EXPECT_NE(help.find(def), std::string::npos) << def;
  }
}

TEST(Options, HelpTextFitsEightyColumns) {
  std::string help = HelpText();
  size_t start = 0;
  while (start < help.size()) {
    size_t end = std::min(help.find('\n', start), help.size());
    EXPECT_LE(end - start, 80u) << help.substr(start, end - start);
    start = end + 1;
  }
}

TEST(Options, EveryOptionInTheHelpTextIsAccepted) {
  // Guards against the help and the parser drifting apart: every "--name"
  // the help shows must not be an unknown option.
  std::string help = HelpText();
  size_t found = 0;
  for (size_t at = help.find("\n  --"); at != std::string::npos; at = help.find("\n  --", at + 1)) {
    size_t start = at + 3;
    size_t end = help.find_first_of(" ,\n", start);
    std::string flag = help.substr(start, end - start);
    auto r = Parse({flag});
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find("unknown option"), std::string::npos) << flag;
    }
    ++found;
  }
  // + bench-endpoints, help, version, and the --tls-cert/--tls-key pair
  // (TlsCertAndKeyComeAsAPair).
  EXPECT_EQ(found, EveryOption().size() + 5);
}

}  // namespace
}  // namespace keel::api

namespace keel::api {
namespace {

TEST(Options, MetricsListenForms) {
  auto r = Parse({"--metrics-listen", "localhost:0"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().metrics_host, "127.0.0.1");
  EXPECT_EQ(r.value().metrics_port, 0);
  r = Parse({"--metrics-listen", "127.0.0.1:9100", "--metrics-listen", "off"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().metrics_host, "");
}

}  // namespace
}  // namespace keel::api
