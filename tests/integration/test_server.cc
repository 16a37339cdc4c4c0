#include "test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <regex>

#include "tls_support.h"

extern char** environ;

namespace keel::integration {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

ExitStatus Decode(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

// Polls waitpid until the child ends or the deadline passes.
std::optional<ExitStatus> WaitPid(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int wstatus = 0;
    pid_t r = waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) return Decode(wstatus);
    if (r < 0 && errno != EINTR) return ExitStatus{};  // not our child any more
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

ExitStatus KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  ExitStatus s = Decode(wstatus);
  s.timed_out = true;
  return s;
}

// argv/envp built before fork, so the child only calls async-signal-safe
// functions (the test process may have threads).
struct Exec {
  std::vector<std::string> argv_s, envp_s;
  std::vector<char*> argv, envp;

  Exec(std::vector<std::string> args, const std::vector<std::string>& extra_env)
      : argv_s(std::move(args)) {
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "KEEL_", 5) != 0) envp_s.emplace_back(*e);
    }
    for (const auto& e : extra_env) envp_s.push_back(e);
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : envp_s) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

// Forks and execs; in the child, `out_fd`/`err_fd` (if >= 0) become stdout
// and stderr. The child dies with the test process (PR_SET_PDEATHSIG), so a
// crashed test leaves no server behind.
pid_t Spawn(const Exec& exec, int out_fd, int err_fd) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(126);
  if (out_fd >= 0) dup2(out_fd, STDOUT_FILENO);
  if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
  execve(exec.argv[0], exec.argv.data(), exec.envp.data());
  _exit(127);
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ExitStatus& s) {
  if (s.exited) return os << "exit code " << s.code;
  if (s.timed_out) os << "timed out, ";
  return os << "signal " << s.signal;
}

// ---------------------------------------------------------------------------
// Free helpers.

std::string KeelBinary() {
  const char* env = std::getenv("KEEL_BINARY");
  if (env != nullptr && *env != '\0') return env;
  // The build puts every executable in the build dir, so keel sits next to
  // the test binary.
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) return (self.parent_path() / "keel").string();
  return "./keel";
}

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/keel-it-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) return "";
  return templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

long RaiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return static_cast<long>(rl.rlim_cur);
}

int ConnectTcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Non-blocking connect with a deadline: a full accept backlog would
  // otherwise block for the kernel's SYN retry schedule.
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 5000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
        err == 0) {
      rc = 0;
    }
  }
  if (rc != 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::string Request(std::string_view method, std::string_view path, std::vector<std::string> extra,
                    std::optional<std::string_view> body) {
  std::string r;
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const auto& h : extra) r.append(h).append("\r\n");
  if (body) r.append("Content-Length: ").append(std::to_string(body->size())).append("\r\n");
  r.append("\r\n");
  if (body) r.append(*body);
  return r;
}

std::string Get(std::string_view path, std::vector<std::string> extra) {
  return Request("GET", path, std::move(extra));
}

// ---------------------------------------------------------------------------
// HttpResponse.

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

int HttpResponse::HeaderCount(std::string_view name) const {
  int n = 0;
  for (const auto& h : headers) n += EqualsIgnoreCase(h.first, name) ? 1 : 0;
  return n;
}

bool HeaderHasToken(const std::optional<std::string>& value, std::string_view token) {
  if (!value) return false;
  std::string_view v = *value;
  while (!v.empty()) {
    size_t comma = v.find(',');
    if (EqualsIgnoreCase(Trim(v.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return false;
}

// ---------------------------------------------------------------------------
// Connection.

Connection::Connection(int fd, milliseconds timeout) : fd_(fd) { SetTimeout(timeout); }

Connection::Connection(Connection&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      ssl_(std::exchange(o.ssl_, nullptr)),
      timeout_(o.timeout_),
      buf_(std::move(o.buf_)),
      error_(std::move(o.error_)) {}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = std::exchange(o.fd_, -1);
    ssl_ = std::exchange(o.ssl_, nullptr);
    timeout_ = o.timeout_;
    buf_ = std::move(o.buf_);
    error_ = std::move(o.error_);
  }
  return *this;
}

Connection::~Connection() { Close(); }

void Connection::SetTimeout(milliseconds timeout) {
  timeout_ = timeout;
  if (fd_ < 0) return;
  // Reads use poll() with a deadline; this only bounds a blocked send.
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  // With TLS a record may arrive in pieces after poll() said readable;
  // SSL_read then blocks in recv, for at most this long.
  if (ssl_ != nullptr) setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

bool Connection::StartTls() {
  if (fd_ < 0) return Fail("TLS on a closed connection");
  ERR_clear_error();
  ssl_ = SSL_new(ClientTlsContext());
  SSL_set_fd(ssl_, fd_);
  SetTimeout(timeout_);  // the handshake's reads are bounded too
  if (SSL_connect(ssl_) != 1) {
    char buf[256] = "no reason";
    if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return Fail(std::string("TLS handshake: ") + buf);
  }
  return true;
}

std::string Connection::PeerSerial() const {
  if (ssl_ == nullptr) return "";
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  std::string out;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  X509_free(cert);
  return out;
}

void Connection::Close(bool reset) {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);  // no close_notify: closing the socket is enough here
    ssl_ = nullptr;
  }
  if (fd_ < 0) return;
  if (reset) {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  close(fd_);
  fd_ = -1;
}

bool Connection::Fail(std::string why) {
  error_ = std::move(why);
  return false;
}

bool Connection::SendAll(std::string_view bytes) {
  if (fd_ < 0) return Fail("send on a closed connection");
  if (ssl_ != nullptr) {
    // SIGPIPE is not in play: SSL_write uses write(2) on a socket whose
    // peer may be gone, so the harness ignores it (see TestServer::Start).
    ERR_clear_error();
    if (SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) <= 0) {
      ERR_clear_error();
      return Fail(std::string("SSL_write: ") + std::strerror(errno));
    }
    return true;
  }
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail(std::string("send: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Connection::Fill Connection::FillBuffer(Clock::time_point deadline) {
  if (ssl_ != nullptr) return FillBufferTls(deadline);
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, RemainingMs(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Fill::kError;
    if (r == 0) return Fill::kTimeout;
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == ECONNRESET ? Fill::kReset : Fill::kError;
    if (n == 0) return Fill::kEof;
    buf_.append(tmp, static_cast<size_t>(n));
    return Fill::kData;
  }
}

Connection::Fill Connection::FillBufferTls(Clock::time_point deadline) {
  for (;;) {
    if (SSL_pending(ssl_) == 0) {
      pollfd p{fd_, POLLIN, 0};
      int r = poll(&p, 1, RemainingMs(deadline));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Fill::kError;
      if (r == 0) return Fill::kTimeout;
    }
    char tmp[65536];
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(ssl_, tmp, sizeof tmp);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return Fill::kData;
    }
    int err = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ) continue;  // a post-handshake message, no data
    if (err == SSL_ERROR_ZERO_RETURN) return Fill::kEof;
    if (err == SSL_ERROR_SYSCALL) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return Fill::kReset;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Fill::kTimeout;
      if (errno == 0) return Fill::kEof;
    }
    return Fill::kError;
  }
}

const char* Connection::Describe(Fill fill) {
  switch (fill) {
    case Fill::kData:
      return "data";
    case Fill::kEof:
      return "EOF";
    case Fill::kReset:
      return "connection reset";
    case Fill::kTimeout:
      return "timeout";
    case Fill::kError:
      break;
  }
  return "recv error";
}

bool Connection::ReadHead(Clock::time_point deadline, size_t* head_end) {
  for (;;) {
    size_t pos = buf_.find("\r\n\r\n");
    if (pos != std::string::npos) {
      *head_end = pos + 4;
      return true;
    }
    if (buf_.size() > (1u << 20)) return Fail("response head larger than 1 MiB");
    Fill f = FillBuffer(deadline);
    if (f != Fill::kData) {
      return Fail(std::string(Describe(f)) + " while reading a response head; got " +
                  std::to_string(buf_.size()) + " bytes: " + buf_.substr(0, 200));
    }
  }
}

bool Connection::ReadBytes(size_t n, Clock::time_point deadline) {
  while (buf_.size() < n) {
    Fill f = FillBuffer(deadline);
    if (f != Fill::kData) {
      return Fail(std::string(Describe(f)) + " after " + std::to_string(buf_.size()) + " of " +
                  std::to_string(n) + " body bytes");
    }
  }
  return true;
}

bool Connection::ReadLine(Clock::time_point deadline, std::string* line) {
  for (;;) {
    size_t pos = buf_.find("\r\n");
    if (pos != std::string::npos) {
      *line = buf_.substr(0, pos);
      buf_.erase(0, pos + 2);
      return true;
    }
    Fill f = FillBuffer(deadline);
    if (f != Fill::kData) {
      return Fail(std::string(Describe(f)) + " inside a chunked body");
    }
  }
}

bool Connection::ReadChunkedBody(Clock::time_point deadline, std::string* body) {
  for (;;) {
    std::string line;
    if (!ReadLine(deadline, &line)) return false;
    std::string size_text = Trim(line.substr(0, line.find(';')));
    char* end = nullptr;
    unsigned long size = std::strtoul(size_text.c_str(), &end, 16);
    if (size_text.empty() || *end != '\0') return Fail("bad chunk size line: " + line);
    if (size == 0) break;
    if (!ReadBytes(size + 2, deadline)) return false;
    if (buf_.compare(size, 2, "\r\n") != 0) return Fail("chunk not followed by CRLF");
    body->append(buf_, 0, size);
    buf_.erase(0, size + 2);
  }
  for (;;) {  // trailers, up to the empty line
    std::string line;
    if (!ReadLine(deadline, &line)) return false;
    if (line.empty()) return true;
  }
}

namespace {
// Parses the status line and header lines of `head` (without the final CRLF
// CRLF). Returns an error text, empty on success.
std::string ParseHead(std::string_view head, HttpResponse* r) {
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  static const std::regex kStatus(R"(^(HTTP/1\.[01]) ([0-9]{3})(?: (.*))?$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(status_line.begin(), status_line.end(), m, kStatus)) {
    return "bad status line: " + std::string(status_line);
  }
  r->version = m[1].str();
  r->status = std::stoi(m[2].str());
  r->reason = m[3].str();
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return "bad header line: " + std::string(line);
    }
    r->headers.emplace_back(std::string(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  return "";
}
}  // namespace

std::optional<HttpResponse> Connection::ReadResponse(bool head_request) {
  if (fd_ < 0) {
    Fail("read on a closed connection");
    return std::nullopt;
  }
  const Clock::time_point deadline = Clock::now() + timeout_;
  size_t head_end = 0;
  if (!ReadHead(deadline, &head_end)) return std::nullopt;
  HttpResponse r;
  std::string err = ParseHead(std::string_view(buf_).substr(0, head_end - 4), &r);
  buf_.erase(0, head_end);
  if (!err.empty()) {
    Fail(err);
    return std::nullopt;
  }
  if (head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304) return r;
  if (HeaderHasToken(r.Header("Transfer-Encoding"), "chunked")) {
    if (!ReadChunkedBody(deadline, &r.body)) return std::nullopt;
    return r;
  }
  if (auto cl = r.Header("Content-Length")) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(cl->c_str(), &end, 10);
    if (cl->empty() || *end != '\0') {
      Fail("bad Content-Length: " + *cl);
      return std::nullopt;
    }
    if (!ReadBytes(n, deadline)) return std::nullopt;
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
    return r;
  }
  CloseResult rest = ReadUntilClose();  // body delimited by the close
  if (!rest.closed) {
    Fail("response without length did not end");
    return std::nullopt;
  }
  r.body = std::move(rest.data);
  return r;
}

CloseResult Connection::ReadUntilClose() {
  CloseResult out;
  const Clock::time_point deadline = Clock::now() + timeout_;
  while (fd_ >= 0) {
    Fill f = FillBuffer(deadline);
    if (f == Fill::kData) continue;
    out.closed = f == Fill::kEof || f == Fill::kReset;
    out.reset = f == Fill::kReset;
    out.timed_out = f == Fill::kTimeout;
    break;
  }
  out.data = std::move(buf_);
  buf_.clear();
  return out;
}

// ---------------------------------------------------------------------------
// TestServer.

TestServer::TestServer(ServerOptions options) {
  if (!Start(options)) {
    if (pid_ > 0 && !exit_) exit_ = KillAndReap(pid_);
  }
}

TestServer::~TestServer() {
  if (pid_ > 0 && !exit_) Stop(SIGTERM);
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (owns_data_dir_ && !data_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }
}

bool TestServer::Start(const ServerOptions& options) {
  owns_data_dir_ = options.data_dir.empty();
  data_dir_ = owns_data_dir_ ? MakeTempDir() : options.data_dir;
  if (data_dir_.empty()) {
    error_ = "mkdtemp failed";
    return false;
  }
  std::vector<std::string> args{KeelBinary()};
  if (options.pass_port) args.insert(args.end(), {"--port", "0"});
  args.insert(args.end(), {"--data-dir", data_dir_});
  tls_ = options.tls;
  if (tls_) {
    // SSL_write on a socket the server closed must fail, not kill the test.
    signal(SIGPIPE, SIG_IGN);
    const bool shared = options.tls_cert.empty();
    args.insert(args.end(), {"--tls-cert", shared ? SharedLeaf().chain_file : options.tls_cert,
                             "--tls-key", shared ? SharedLeaf().key_file : options.tls_key});
  }
  args.insert(args.end(), options.args.begin(), options.args.end());
  Exec exec(args, options.env);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return false;
  }
  int err_fd = -1;
  if (!options.stderr_path.empty()) {
    err_fd = open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  }
  pid_ = Spawn(exec, fds[1], err_fd);
  close(fds[1]);
  if (err_fd >= 0) close(err_fd);
  stdout_fd_ = fds[0];
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }

  // Read stdout until the listening line shows up.
  static const std::regex kListening(R"(listening on https?://127\.0\.0\.1:([0-9]+))");
  const Clock::time_point deadline = Clock::now() + options.start_timeout;
  std::string seen;
  for (;;) {
    std::smatch m;
    if (std::regex_search(seen, m, kListening) &&
        seen.find('\n', m.position(0)) != std::string::npos) {
      port_ = std::stoi(m[1].str());
      break;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    int r = poll(&p, 1, RemainingMs(deadline));
    if (r < 0 && errno == EINTR) continue;
    char tmp[4096];
    ssize_t n = r > 0 ? read(stdout_fd_, tmp, sizeof tmp) : -1;
    if (n <= 0) {
      error_ = std::string(r == 0 ? "timed out" : "stdout closed") +
               " before 'listening on http://127.0.0.1:PORT'; " + KeelBinary() +
               " printed: " + seen;
      return false;
    }
    seen.append(tmp, static_cast<size_t>(n));
  }
  {
    std::lock_guard<std::mutex> lock(stdout_mu_);
    stdout_ = seen;
  }
  // Keep reading so a chatty server never blocks on a full pipe.
  drain_ = std::thread([this] { DrainStdout(); });
  return true;
}

void TestServer::DrainStdout() {
  char tmp[4096];
  for (;;) {
    ssize_t n = read(stdout_fd_, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::lock_guard<std::mutex> lock(stdout_mu_);
    if (stdout_.size() < (1u << 20)) stdout_.append(tmp, static_cast<size_t>(n));
  }
}

std::string TestServer::Stdout() const {
  std::lock_guard<std::mutex> lock(stdout_mu_);
  return stdout_;
}

Connection TestServer::Connect(milliseconds timeout) const {
  Connection c(ConnectTcp(port_), timeout);
  if (tls_ && c.ok() && !c.StartTls()) {
    ADD_FAILURE() << "connection to port " << port_ << ": " << c.error();
    c.Close();
  }
  return c;
}

std::optional<HttpResponse> TestServer::RoundTrip(std::string_view request, bool head_request,
                                                  std::string* error) const {
  Connection c = Connect();
  std::optional<HttpResponse> r;
  if (!c.ok()) {
    std::string why = "connect to port " + std::to_string(port_) + " failed";
    if (error) *error = why;
    if (!error) ADD_FAILURE() << why;
    return r;
  }
  if (c.SendAll(request)) r = c.ReadResponse(head_request);
  if (!r && error) *error = c.error();
  if (!r && !error) ADD_FAILURE() << "request to port " << port_ << " failed: " << c.error();
  return r;
}

std::optional<ExitStatus> TestServer::WaitExit(milliseconds timeout) {
  if (exit_) return exit_;
  if (pid_ <= 0) return std::nullopt;
  exit_ = WaitPid(pid_, Clock::now() + timeout);
  return exit_;
}

ExitStatus TestServer::Stop(int sig, milliseconds timeout) {
  if (exit_) return *exit_;
  kill(pid_, sig);
  if (!WaitExit(timeout)) exit_ = KillAndReap(pid_);
  return *exit_;
}

// ---------------------------------------------------------------------------
// RunKeel.

RunResult RunKeel(const std::vector<std::string>& args, const std::vector<std::string>& env,
                  milliseconds timeout) {
  std::vector<std::string> argv{KeelBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env, timeout);
}

RunResult RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     milliseconds timeout) {
  RunResult result;
  Exec exec(argv, env);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  pid_t pid = Spawn(exec, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  const Clock::time_point deadline = Clock::now() + timeout;
  pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0 && pid > 0) {
    int r = poll(p, 2, RemainingMs(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || p[i].revents == 0) continue;
      char tmp[4096];
      ssize_t n = read(p[i].fd, tmp, sizeof tmp);
      if (n > 0) {
        sinks[i]->append(tmp, static_cast<size_t>(n));
      } else {
        p[i].fd = -1;
        --open_fds;
      }
    }
  }
  close(out[0]);
  close(err[0]);
  if (pid > 0) {
    auto st = WaitPid(pid, deadline);
    result.status = st ? *st : KillAndReap(pid);
  }
  return result;
}

// ---------------------------------------------------------------------------
// JSON field extraction: enough for flat objects keel sends.

namespace {
// Position just after `"key"` followed by optional spaces and a colon.
std::optional<size_t> FindValue(std::string_view json, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t pos = json.find(quoted); pos != std::string_view::npos;
       pos = json.find(quoted, pos + 1)) {
    size_t i = json.find_first_not_of(" \t\r\n", pos + quoted.size());
    if (i != std::string_view::npos && json[i] == ':') {
      size_t v = json.find_first_not_of(" \t\r\n", i + 1);
      if (v != std::string_view::npos) return v;
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> JsonString(std::string_view json, std::string_view key) {
  auto v = FindValue(json, key);
  if (!v || json[*v] != '"') return std::nullopt;
  std::string out;
  for (size_t i = *v + 1; i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') return out;
    if (c != '\\' || i + 1 >= json.size()) {
      out.push_back(c);
      continue;
    }
    char e = json[++i];
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u':
        out.append("\\u");
        break;  // kept escaped: tests compare ASCII
      default:
        out.push_back(e);
        break;  // \" \\ \/
    }
  }
  return std::nullopt;  // unterminated
}

std::optional<std::string> JsonRaw(std::string_view json, std::string_view key) {
  auto v = FindValue(json, key);
  if (!v) return std::nullopt;
  size_t end = json.find_first_of(",}]", *v);
  return Trim(json.substr(*v, end == std::string_view::npos ? end : end - *v));
}

// ---------------------------------------------------------------------------
// Assertions.

::testing::AssertionResult HasCommonHeaders(const HttpResponse& r, bool head_request) {
  static const std::regex kImfFixdate(
      R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} )"
      R"((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} )"
      R"([0-9]{2}:[0-9]{2}:[0-9]{2} GMT$)");
  auto server = r.Header("Server");
  if (!server || *server != "keel") {
    return ::testing::AssertionFailure()
           << "Server header is '" << server.value_or("<none>") << "', want 'keel'";
  }
  auto date = r.Header("Date");
  if (!date || r.HeaderCount("Date") != 1 || !std::regex_match(*date, kImfFixdate)) {
    return ::testing::AssertionFailure()
           << "Date header is not one IMF-fixdate: '" << date.value_or("<none>") << "'";
  }
  auto cl = r.Header("Content-Length");
  if (r.status == 204) {
    if (cl && *cl != "0") return ::testing::AssertionFailure() << "204 with Content-Length " << *cl;
    return ::testing::AssertionSuccess();
  }
  if (!cl || r.HeaderCount("Content-Length") != 1) {
    return ::testing::AssertionFailure()
           << "want exactly one Content-Length, got " << r.HeaderCount("Content-Length");
  }
  if (!head_request && *cl != std::to_string(r.body.size())) {
    return ::testing::AssertionFailure()
           << "Content-Length " << *cl << " but body has " << r.body.size() << " bytes";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsHouseError(const HttpResponse& r, int code) {
  static const std::regex kRfc3339Utc(
      R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$)");
  auto fail = [&]() {
    return ::testing::AssertionFailure() << "status " << r.status << " body " << r.body << ": ";
  };
  if (r.status != code) return fail() << "want status " << code;
  auto ct = r.Header("Content-Type");
  if (!ct || Lower(*ct) != "application/json; charset=utf-8") {
    return fail() << "Content-Type is '" << ct.value_or("<none>") << "'";
  }
  if (r.body.empty() || r.body.front() != '{' || r.body.back() != '}') {
    return fail() << "body is not a JSON object";
  }
  auto error = JsonString(r.body, "error");
  if (!error || error->empty() || *error != r.reason) {
    return fail() << "\"error\" should be the reason phrase '" << r.reason << "'";
  }
  if (JsonRaw(r.body, "code") != std::to_string(code)) return fail() << "\"code\" is not " << code;
  if (!JsonString(r.body, "message")) return fail() << "no string \"message\"";
  auto ts = JsonString(r.body, "timestamp");
  if (!ts || !std::regex_match(*ts, kRfc3339Utc)) {
    return fail() << "\"timestamp\" is not RFC 3339 UTC ending in Z";
  }
  // Every answer carries its request id, and an error body repeats it.
  auto id = JsonString(r.body, "request_id");
  auto header = r.Header("X-Request-Id");
  if (!id || id->empty() || !header || *id != *header) {
    return fail() << "\"request_id\" should equal the X-Request-Id header '"
                  << header.value_or("<none>") << "'";
  }
  return HasCommonHeaders(r);
}

}  // namespace keel::integration

namespace keel::integration {
bool ServerOptions::DefaultTls() { return TlsFromEnv(); }
}  // namespace keel::integration
