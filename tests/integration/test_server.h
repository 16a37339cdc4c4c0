// Integration-test harness: starts the real `keel` binary on port 0 and talks
// HTTP/1.1 to it over plain POSIX sockets on 127.0.0.1, or over TLS (OpenSSL
// on the same sockets) when the server was started with ServerOptions::tls.
//
// Nothing here knows keel's internals; the binary is a black box found through
// the KEEL_BINARY environment variable (set by ctest), falling back to
// <build dir>/keel. Every read has a deadline, so a broken server fails a test
// instead of hanging it. All of this is for the test's main thread unless a
// comment says otherwise.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

struct ssl_st;

namespace keel::integration {

using std::chrono::milliseconds;

// How a child process ended.
struct ExitStatus {
  bool exited = false;  // normal exit; `code` is valid
  int code = -1;
  int signal = 0;          // killed by this signal (0: not signalled)
  bool timed_out = false;  // did not end in time and was SIGKILLed
};
std::ostream& operator<<(std::ostream& os, const ExitStatus& s);

// One parsed HTTP/1.x response.
struct HttpResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;                                        // reason phrase, possibly empty
  std::vector<std::pair<std::string, std::string>> headers;  // in wire order
  std::string body;                                          // de-chunked

  // First header with this name (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
  // How many header lines carry this name (case-insensitive).
  int HeaderCount(std::string_view name) const;
};

// What ReadUntilClose saw.
struct CloseResult {
  std::string data;        // every byte received before the end
  bool closed = false;     // EOF or connection reset
  bool reset = false;      // the end was ECONNRESET
  bool timed_out = false;  // deadline passed while the peer kept it open
};

// A client TCP connection with a read buffer, so pipelined responses that
// arrive in one segment are split correctly. Owns its fd; move-only.
class Connection {
 public:
  Connection() = default;
  Connection(int fd, milliseconds timeout);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Runs a TLS handshake on the socket (within the timeout); every later
  // read and write goes through it. False, with error(), on failure.
  bool StartTls();
  bool tls() const { return ssl_ != nullptr; }
  // The server certificate's serial in hex ("" without TLS).
  std::string PeerSerial() const;
  // The deadline for each ReadResponse / ReadUntilClose call, and the
  // send-blocking limit.
  void SetTimeout(milliseconds timeout);

  // Writes every byte (MSG_NOSIGNAL). False, with error(), on failure.
  bool SendAll(std::string_view bytes);
  // Reads exactly one response. `head_request`: the request was HEAD, so the
  // response has no body whatever its headers say. 1xx, 204 and 304 never
  // have a body. nullopt, with error(), on timeout, EOF or a malformed reply.
  std::optional<HttpResponse> ReadResponse(bool head_request = false);
  // Reads until the peer closes or the deadline passes.
  CloseResult ReadUntilClose();
  // Closes the fd. `reset`: with SO_LINGER 0, so the peer sees an RST.
  void Close(bool reset = false);

  // What went wrong in the last failed call.
  const std::string& error() const { return error_; }

 private:
  enum class Fill { kData, kEof, kReset, kTimeout, kError };
  static const char* Describe(Fill fill);
  Fill FillBuffer(std::chrono::steady_clock::time_point deadline);
  Fill FillBufferTls(std::chrono::steady_clock::time_point deadline);
  bool ReadHead(std::chrono::steady_clock::time_point deadline, size_t* head_end);
  bool ReadBytes(size_t n, std::chrono::steady_clock::time_point deadline);
  bool ReadLine(std::chrono::steady_clock::time_point deadline, std::string* line);
  bool ReadChunkedBody(std::chrono::steady_clock::time_point deadline, std::string* body);
  bool Fail(std::string why);

  int fd_ = -1;
  ssl_st* ssl_ = nullptr;  // owned; null on a cleartext connection
  milliseconds timeout_{5000};
  std::string buf_;  // received, not yet consumed
  std::string error_;
};

struct ServerOptions {
  std::vector<std::string> args = {};  // appended after the harness's own
  std::vector<std::string> env = {};   // extra "NAME=value" entries
  bool pass_port = true;               // add "--port 0"
  milliseconds start_timeout{10000};
  // The --data-dir to use. Empty: a fresh temp dir that the TestServer owns
  // and removes. Given: used as is and left in place, so a later server can
  // reopen it (restart and crash tests); the caller removes it (TempDir).
  std::string data_dir = {};
  // Speak TLS: the server gets --tls-cert/--tls-key (the files below, or
  // the shared test leaf when they are empty) and Connect() wraps its
  // sockets. Defaults to KEEL_TEST_TLS (tls_support.h).
  bool tls = DefaultTls();
  std::string tls_cert = {};
  std::string tls_key = {};
  // Non-empty: the server's stderr goes to this file (appended).
  std::string stderr_path = {};

  static bool DefaultTls();
};

// A running keel process. The constructor starts it and waits for its
// "listening on http://127.0.0.1:PORT" line; check ok() (and error()) before
// use. The destructor stops it (SIGTERM, then SIGKILL by pid after 5 s) and
// removes its data dir (unless ServerOptions::data_dir named it). Environment
// variables named KEEL_* are not inherited, so the developer's shell cannot
// change a test; ServerOptions::env adds explicit ones.
class TestServer {
 public:
  explicit TestServer(ServerOptions options = {});
  explicit TestServer(std::vector<std::string> args)
      : TestServer(ServerOptions{.args = std::move(args)}) {}
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer();

  bool ok() const { return port_ > 0 && pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  bool tls() const { return tls_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

  // A new TCP connection to the server. Check ok() on the result.
  Connection Connect(milliseconds timeout = milliseconds(5000)) const;
  // One request on a fresh connection: connects, sends `request`, reads one
  // response. nullopt on failure, with the reason in *error if given, else
  // reported as a non-fatal test failure.
  std::optional<HttpResponse> RoundTrip(std::string_view request, bool head_request = false,
                                        std::string* error = nullptr) const;
  // Sends `sig` and waits up to `timeout` for the exit (then SIGKILL).
  ExitStatus Stop(int sig, milliseconds timeout = milliseconds(5000));
  // Waits up to `timeout` for the process to exit by itself.
  std::optional<ExitStatus> WaitExit(milliseconds timeout);

  // Every line the server printed on stdout so far.
  std::string Stdout() const;

 private:
  bool Start(const ServerOptions& options);
  void DrainStdout();

  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
  int stdout_fd_ = -1;
  std::string data_dir_;
  bool owns_data_dir_ = false;  // remove data_dir_ in the destructor
  std::string error_;
  std::optional<ExitStatus> exit_;
  std::thread drain_;
  mutable std::mutex stdout_mu_;
  std::string stdout_;  // guarded by stdout_mu_; appended by drain_
};

// A fixture whose tests share one server, started once per suite: for tests
// that cannot disturb each other. CRTP gives every suite its own server;
// a suite changes the options by defining `static ServerOptions Options()`.
template <typename Derived>
class SharedServerTest : public ::testing::Test {
 public:
  static ServerOptions Options() { return {}; }

 protected:
  static void SetUpTestSuite() { server_ = new TestServer(Derived::Options()); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->ok()) << server_->error(); }

  static inline TestServer* server_ = nullptr;
};

// Runs keel to completion with `args` (no --port, no --data-dir added),
// capturing stdout and stderr. Killed after `timeout`.
struct RunResult {
  ExitStatus status;
  std::string out;
  std::string err;
};
RunResult RunKeel(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  milliseconds timeout = milliseconds(5000));
// The same for any program: `argv[0]` is its path. KEEL_* variables are not
// inherited here either.
RunResult RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                     milliseconds timeout = milliseconds(5000));

// Path of the keel binary under test.
std::string KeelBinary();

// Opens a TCP connection to 127.0.0.1:port; -1 if refused or failed.
int ConnectTcp(int port);

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft
// limit. Children started afterwards inherit it.
long RaiseFdLimit();

// A fresh empty directory under $TMPDIR (or /tmp); "" on failure.
std::string MakeTempDir();

// A MakeTempDir() directory removed, with its contents, by the destructor.
// For data dirs that outlive one TestServer. Check ok().
class TempDir {
 public:
  TempDir() : path_(MakeTempDir()) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// `GET path HTTP/1.1` with Host and the given extra header lines (each
// without CRLF).
std::string Get(std::string_view path, std::vector<std::string> extra = {});
// Any method, with an optional body sent with Content-Length.
std::string Request(std::string_view method, std::string_view path,
                    std::vector<std::string> extra = {},
                    std::optional<std::string_view> body = std::nullopt);

// A value from a flat JSON object: a string field, unescaped, or the raw text
// of a number/literal field. nullopt if the key is absent.
std::optional<std::string> JsonString(std::string_view json, std::string_view key);
std::optional<std::string> JsonRaw(std::string_view json, std::string_view key);

// Checks shared by every response: `Server: keel`, an IMF-fixdate `Date`, and
// a `Content-Length` equal to the body size (for 204: absent or 0; for HEAD
// the body is not checked).
::testing::AssertionResult HasCommonHeaders(const HttpResponse& r, bool head_request = false);
// Checks the house error format for status `code`: JSON content type, body
// {"error":<the status line's reason>,"code":code,"message":"...",
// "request_id":<the X-Request-Id header>,"timestamp":"<RFC 3339 UTC ending
// in Z>"} and the common headers.
::testing::AssertionResult IsHouseError(const HttpResponse& r, int code);
// True if a comma separated header value lists `token` (case-insensitive).
bool HeaderHasToken(const std::optional<std::string>& value, std::string_view token);

}  // namespace keel::integration
