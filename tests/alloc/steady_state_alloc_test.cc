// Proves the hot path allocates nothing: after warm-up, serving /plaintext
// and /json (one at a time and pipelined) makes no heap allocation at all,
// with the access log and metrics off and with both on (the log to a file).
//
// The binary replaces malloc/calloc/realloc and operator new with counting
// wrappers around glibc's allocator. Sanitizer builds bring their own
// allocator, so there the test skips (the Release suite runs it).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "api/system_routes.h"
#include "http/access_log.h"
#include "http/router.h"
#include "http/server.h"

#if defined(__SANITIZE_ADDRESS__)
#define KEEL_COUNTING_ALLOCATOR 0
#else
#define KEEL_COUNTING_ALLOCATOR 1
#endif

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#if KEEL_COUNTING_ALLOCATOR
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);

void* malloc(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t m) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, m);
}
void* realloc(void* p, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
}
// operator new in libstdc++ calls malloc, so it is counted above.
#endif

namespace keel {
namespace {

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }

  // Sends `request` `depth` times in one write and reads `depth` responses,
  // each ending with `body`. No allocation: fixed buffers only.
  bool RoundTrip(std::string_view request, int depth, std::string_view body) {
    size_t n = 0;
    for (int i = 0; i < depth; ++i) {
      std::memcpy(send_buf_ + n, request.data(), request.size());
      n += request.size();
    }
    if (::send(fd_, send_buf_, n, 0) != static_cast<ssize_t>(n)) return false;
    int seen = 0;
    size_t have = 0;
    while (seen < depth) {
      ssize_t r = ::recv(fd_, recv_buf_ + have, sizeof recv_buf_ - have, 0);
      if (r <= 0) return false;
      have += static_cast<size_t>(r);
      // Count complete responses by their bodies; keep any partial tail.
      std::string_view v(recv_buf_, have);
      size_t pos = 0, last_end = 0;
      while ((pos = v.find(body, pos)) != std::string_view::npos) {
        pos += body.size();
        last_end = pos;
        ++seen;
      }
      std::memmove(recv_buf_, recv_buf_ + last_end, have - last_end);
      have -= last_end;
    }
    return seen == depth;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  char send_buf_[16 * 1024];
  char recv_buf_[64 * 1024];
};

class SteadyStateAlloc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!KEEL_COUNTING_ALLOCATOR) GTEST_SKIP() << "sanitizer build: allocator not replaceable";
    state_.ready.store(true);
    api::AddSystemRoutes(router_, &state_, /*bench_endpoints=*/true);
    http::ServerConfig config;
    config.threads = 1;
    config.worker.address.host = "127.0.0.1";
    config.worker.address.port = 0;
    Configure(config);
    server_ = std::make_unique<http::Server>(config, &router_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) {
      server_->Drain();
      server_->Wait();
    }
  }
  virtual void Configure(http::ServerConfig&) {}

  // Warms up, then counts allocations over `rounds` round trips.
  long CountAllocations(std::string_view request, int depth, std::string_view body, int rounds) {
    Client client(server_->port());
    EXPECT_TRUE(client.connected());
    for (int i = 0; i < 200; ++i) EXPECT_TRUE(client.RoundTrip(request, depth, body));
    long before = g_allocations.load();
    for (int i = 0; i < rounds; ++i) {
      if (!client.RoundTrip(request, depth, body)) return -1;
    }
    return g_allocations.load() - before;
  }

  api::SystemState state_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

constexpr std::string_view kPlaintext = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";
constexpr std::string_view kJson =
    "GET /json HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n";

TEST_F(SteadyStateAlloc, PlaintextMakesNoAllocation) {
  EXPECT_EQ(CountAllocations(kPlaintext, 1, "Hello, World!", 5000), 0);
}

TEST_F(SteadyStateAlloc, JsonMakesNoAllocation) {
  EXPECT_EQ(CountAllocations(kJson, 1, R"({"message":"Hello, World!"})", 5000), 0);
}

TEST_F(SteadyStateAlloc, PipelinedPlaintextMakesNoAllocation) {
  EXPECT_EQ(CountAllocations(kPlaintext, 16, "Hello, World!", 1000), 0);
}

// The same with the lifecycle's observers on: metrics counted per worker
// and an access log line per request, written to a file by the log's
// thread (whose allocations would be counted too).
class SteadyStateAllocObserved : public SteadyStateAlloc {
 protected:
  void Configure(http::ServerConfig& config) override {
    char dir[] = "/tmp/keel-alloc-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    auto log = http::AccessLog::Open(dir_ + "/access.log", 1);
    ASSERT_TRUE(log.ok()) << log.status().message();
    log_ = std::move(log).value();
    config.access_log = log_.get();
    config.metrics = true;
  }
  void TearDown() override {
    SteadyStateAlloc::TearDown();
    log_.reset();
    if (!dir_.empty()) {
      std::string file = dir_ + "/access.log";
      struct stat st {};
      EXPECT_EQ(::stat(file.c_str(), &st), 0);
      EXPECT_GT(st.st_size, 0) << "the access log stayed empty";
      ::unlink(file.c_str());
      ::rmdir(dir_.c_str());
    }
  }

  std::string dir_;
  std::unique_ptr<http::AccessLog> log_;
};

TEST_F(SteadyStateAllocObserved, PlaintextMakesNoAllocation) {
  EXPECT_EQ(CountAllocations(kPlaintext, 1, "Hello, World!", 5000), 0);
}

TEST_F(SteadyStateAllocObserved, PipelinedJsonMakesNoAllocation) {
  EXPECT_EQ(CountAllocations(kJson, 16, R"({"message":"Hello, World!"})", 500), 0);
}

// The counter itself must work, or the tests above prove nothing.
TEST_F(SteadyStateAlloc, CounterSeesAllocations) {
  long before = g_allocations.load();
  void* volatile p = std::malloc(64);
  std::free(p);
  std::string* volatile q = new std::string(100, 'x');
  delete q;
  EXPECT_GE(g_allocations.load() - before, 2);
}

}  // namespace
}  // namespace keel
