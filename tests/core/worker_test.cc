// Loop-level tests of core::Worker, core::Connection and core::Offload, with
// a tiny echo protocol defined here and a blocking POSIX client on the test
// thread. Each test ends by draining the worker and checking that its loop
// closed with no handle left and every connection object was freed.
#include "core/worker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/offload.h"

namespace keel::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// State shared by the loop thread (writes) and the test thread (reads).
struct Probe {
  std::atomic<int> created{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> timeouts{0};
  std::atomic<int> last_timeout{-1};
  std::atomic<int> drains{0};
  std::atomic<int> over_capacity{0};
  std::atomic<bool> closing_seen{false};
  // Offload.
  std::atomic<int> jobs_started{0};
  std::atomic<int> jobs_refused{0};
  std::atomic<int> jobs_run{0};
  std::atomic<int> jobs_destroyed{0};
  std::atomic<int> completes{0};
  std::atomic<int> completes_null{0};
  std::atomic<int> destroyed_at_complete{-1};
};

// Sleeps 50 ms on a pool thread. With `wait_for_close`, first waits (at most
// 5 s) until a connection has begun closing, so the test knows the client's
// disconnect reached the server before the job finishes.
class SleepJob : public OffloadJob {
 public:
  SleepJob(Probe& probe, bool wait_for_close) : probe_(probe), wait_for_close_(wait_for_close) {}
  ~SleepJob() override { ++probe_.jobs_destroyed; }

  void Run() override {
    if (wait_for_close_) {
      auto deadline = steady_clock::now() + std::chrono::seconds(5);
      while (!probe_.closing_seen && steady_clock::now() < deadline)
        std::this_thread::sleep_for(milliseconds(1));
    }
    std::this_thread::sleep_for(milliseconds(50));
    ++probe_.jobs_run;
  }

  void Complete(Connection* conn) override {
    probe_.destroyed_at_complete = probe_.destroyed.load();
    ++probe_.completes;
    if (conn == nullptr) {
      ++probe_.completes_null;
      return;
    }
    conn->out().Append("DONE");
    conn->Flush();
  }

 private:
  Probe& probe_;
  bool wait_for_close_;
};

// Echoes every byte back, except lines starting with "JOB" (job mode), which
// start offloaded jobs: "JOB" answers "DONE" when the job completes,
// "JOB-WAIT" waits for the connection to close first, "JOB2" starts two.
class EchoConnection : public Connection {
 public:
  EchoConnection(Worker& worker, Probe& probe) : Connection(worker), probe_(probe) {
    ++probe_.created;
  }
  ~EchoConnection() override { ++probe_.destroyed; }

 protected:
  void OnRead() override {
    std::string_view data = in().view();
    if (data.starts_with("JOB")) {
      size_t nl = data.find('\n');
      if (nl == std::string_view::npos) return;  // wait for the whole line
      std::string line(data.substr(0, nl));
      in().Consume(nl + 1);
      StartJobs(line);
      return;
    }
    out().Append(data);
    in().Consume(data.size());
    ArmReadTimeout(TimeoutKind::kIdle);
    Flush();
  }

  void OnTimeout(TimeoutKind kind) override {
    probe_.last_timeout = static_cast<int>(kind);
    ++probe_.timeouts;
    Close();
  }

  void OnDrain() override {
    ++probe_.drains;
    Close();
  }

  void OnOverCapacity() override {
    ++probe_.over_capacity;
    out().Append("FULL");
    CloseAfterWrite();
    Flush();
  }

  void OnClosing() override { probe_.closing_seen = true; }

 private:
  void StartJobs(std::string_view line) {
    int count = line == "JOB2" ? 2 : 1;
    bool wait = line == "JOB-WAIT";
    for (int i = 0; i < count; ++i) {
      Status s = Offload(*this, std::make_unique<SleepJob>(probe_, wait));
      if (s.ok()) {
        ++probe_.jobs_started;
      } else {
        EXPECT_EQ(s.code(), Status::Code::kBusy);
        ++probe_.jobs_refused;
      }
    }
  }

  Probe& probe_;
};

class EchoFactory : public ConnectionFactory {
 public:
  explicit EchoFactory(Probe& probe) : probe_(probe) {}
  Connection* Create(Worker& worker) override { return new EchoConnection(worker, probe_); }

 private:
  Probe& probe_;
};

bool WaitFor(const std::function<bool()>& done, milliseconds timeout = milliseconds(5000)) {
  auto deadline = steady_clock::now() + timeout;
  while (!done()) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// A blocking client socket; every read gives up after 5 s.
class Client {
 public:
  enum class ReadEnd { kData, kEof, kTimeout, kError };

  Client() = default;
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool Connect(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads exactly `n` bytes unless the stream ends or times out first.
  std::string Read(size_t n) {
    std::string out;
    char buf[16384];
    while (out.size() < n) {
      ssize_t r = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }

  // Waits for the next event on the stream: data, EOF, timeout or error.
  ReadEnd WaitEnd() {
    char c;
    for (;;) {
      ssize_t r = ::recv(fd_, &c, 1, 0);
      if (r > 0) return ReadEnd::kData;
      if (r == 0) return ReadEnd::kEof;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadEnd::kTimeout;
      return errno == ECONNRESET ? ReadEnd::kEof : ReadEnd::kError;
    }
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

void CountHandle(uv_handle_t*, void* arg) { ++*static_cast<int*>(arg); }

// One worker on 127.0.0.1, port 0, running the echo protocol.
class Harness {
 public:
  explicit Harness(const std::function<void(WorkerConfig&)>& tweak = {}) : factory_(probe_) {
    WorkerConfig config;
    config.address = {"127.0.0.1", 0};
    config.open_connections = &open_;
    if (tweak) tweak(config);
    worker_ = std::make_unique<Worker>(config, &factory_);
    Status s = worker_->Listen();
    EXPECT_TRUE(s.ok()) << s.message();
    port_ = worker_->bound_port();
    EXPECT_NE(port_, 0);
    worker_->Start();
  }

  // Never leave a running thread behind when a test fails early.
  ~Harness() {
    if (!stopped_) {
      worker_->RequestDrain();
      worker_->Join();
    }
  }

  uint16_t port() const { return port_; }
  Probe& probe() { return probe_; }
  uint32_t open() const { return open_.load(); }

  // Drains, joins, and checks that the loop ended clean: no handles, no
  // pool blocks out, every connection freed, and no warning from the
  // worker's destructor about uv_loop_close.
  void StopAndCheck() {
    worker_->RequestDrain();
    worker_->Join();
    stopped_ = true;
    EXPECT_EQ(uv_loop_alive(worker_->loop()), 0);
    int handles = 0;
    uv_walk(worker_->loop(), CountHandle, &handles);
    EXPECT_EQ(handles, 0) << "handles left on the worker loop";
    EXPECT_EQ(worker_->connection_count(), 0u);
    EXPECT_EQ(worker_->pool().blocks_out(), 0u) << "pool blocks leaked";
    EXPECT_EQ(open_.load(), 0u);
    EXPECT_EQ(probe_.created.load(), probe_.destroyed.load()) << "connections not freed";
    testing::internal::CaptureStderr();
    worker_.reset();
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(log.find("live handles"), std::string::npos) << log;
  }

 private:
  Probe probe_;
  EchoFactory factory_;
  std::atomic<uint32_t> open_{0};
  std::unique_ptr<Worker> worker_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

TEST(Worker, StartsAndDrainsWithNoConnections) {
  Harness h;
  h.StopAndCheck();
  EXPECT_EQ(h.probe().created.load(), 0);
}

TEST(Worker, EchoesBytes) {
  Harness h;
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(c.Send("hello"));
  EXPECT_EQ(c.Read(5), "hello");
  ASSERT_TRUE(c.Send("again"));
  EXPECT_EQ(c.Read(5), "again");
  EXPECT_EQ(h.open(), 1u);
  EXPECT_EQ(h.probe().created.load(), 1);
  h.StopAndCheck();
  EXPECT_EQ(h.probe().drains.load(), 1);
  EXPECT_EQ(h.probe().timeouts.load(), 0);
}

TEST(Worker, EchoesMoreThanABlockAndReturnsTheBuffers) {
  Harness h([](WorkerConfig& c) { c.block_size = 4096; });
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  std::string big;
  for (int i = 0; i < 64 * 1024; ++i) big.push_back(static_cast<char>('a' + i % 23));
  ASSERT_TRUE(c.Send(big));
  EXPECT_EQ(c.Read(big.size()), big);
  h.StopAndCheck();
}

TEST(Worker, ServesSeveralClients) {
  Harness h;
  Client a, b, c;
  ASSERT_TRUE(a.Connect(h.port()));
  ASSERT_TRUE(b.Connect(h.port()));
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(a.Send("from a"));
  ASSERT_TRUE(b.Send("from b"));
  ASSERT_TRUE(c.Send("from c"));
  EXPECT_EQ(c.Read(6), "from c");
  EXPECT_EQ(a.Read(6), "from a");
  EXPECT_EQ(b.Read(6), "from b");
  EXPECT_EQ(h.open(), 3u);
  // A client that leaves is closed and freed on the server.
  b.Close();
  EXPECT_TRUE(WaitFor([&] { return h.probe().destroyed.load() == 1; }));
  EXPECT_EQ(h.open(), 2u);
  h.StopAndCheck();
}

TEST(Worker, HeaderTimeoutClosesASilentConnection) {
  Harness h([](WorkerConfig& c) { c.header_timeout_ms = 300; });
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  auto start = steady_clock::now();
  EXPECT_EQ(c.WaitEnd(), Client::ReadEnd::kEof);
  // Not before the timeout (no upper bound: the machine may be busy).
  EXPECT_GE(steady_clock::now() - start, milliseconds(250));
  EXPECT_EQ(h.probe().timeouts.load(), 1);
  EXPECT_EQ(h.probe().last_timeout.load(), static_cast<int>(TimeoutKind::kHeader));
  EXPECT_TRUE(WaitFor([&] { return h.open() == 0; }));
  h.StopAndCheck();
}

TEST(Worker, IdleTimeoutClosesAfterActivityStops) {
  Harness h([](WorkerConfig& c) {
    c.header_timeout_ms = 60000;
    c.idle_timeout_ms = 300;
  });
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(c.Send("x"));
  EXPECT_EQ(c.Read(1), "x");
  EXPECT_EQ(c.WaitEnd(), Client::ReadEnd::kEof);
  EXPECT_EQ(h.probe().timeouts.load(), 1);
  EXPECT_EQ(h.probe().last_timeout.load(), static_cast<int>(TimeoutKind::kIdle));
  h.StopAndCheck();
}

TEST(Worker, ActivityKeepsAConnectionOpenPastItsTimeout) {
  Harness h([](WorkerConfig& c) {
    c.header_timeout_ms = 60000;
    c.idle_timeout_ms = 600;
  });
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  // Traffic every 100 ms for longer than the idle timeout: each echo re-arms
  // the timer, so it never fires.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.Send("k"));
    ASSERT_EQ(c.Read(1), "k");
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(h.probe().timeouts.load(), 0);
  h.StopAndCheck();
}

TEST(Worker, OverCapacityConnectionIsRefused) {
  Harness h([](WorkerConfig& c) { c.max_connections = 2; });
  Client a, b, extra;
  ASSERT_TRUE(a.Connect(h.port()));
  ASSERT_TRUE(a.Send("a"));
  ASSERT_EQ(a.Read(1), "a");  // accepted and running
  ASSERT_TRUE(b.Connect(h.port()));
  ASSERT_TRUE(b.Send("b"));
  ASSERT_EQ(b.Read(1), "b");

  ASSERT_TRUE(extra.Connect(h.port()));
  EXPECT_EQ(extra.Read(4), "FULL");
  EXPECT_EQ(extra.WaitEnd(), Client::ReadEnd::kEof);
  EXPECT_EQ(h.probe().over_capacity.load(), 1);

  // The refusal does not disturb the others.
  ASSERT_TRUE(a.Send("still"));
  EXPECT_EQ(a.Read(5), "still");

  // Once the refused client leaves, the count drops back, and a new client
  // fits again.
  extra.Close();
  EXPECT_TRUE(WaitFor([&] { return h.open() == 2; }));
  b.Close();
  EXPECT_TRUE(WaitFor([&] { return h.open() == 1; }));
  Client again;
  ASSERT_TRUE(again.Connect(h.port()));
  ASSERT_TRUE(again.Send("in"));
  EXPECT_EQ(again.Read(2), "in");
  EXPECT_EQ(h.probe().over_capacity.load(), 1);
  h.StopAndCheck();
}

TEST(Worker, DrainClosesOpenConnectionsAndStopsListening) {
  Harness h;
  Client a, b;
  ASSERT_TRUE(a.Connect(h.port()));
  ASSERT_TRUE(b.Connect(h.port()));
  ASSERT_TRUE(a.Send("1"));
  ASSERT_EQ(a.Read(1), "1");
  ASSERT_TRUE(b.Send("2"));
  ASSERT_EQ(b.Read(1), "2");
  uint16_t port = h.port();
  h.StopAndCheck();
  EXPECT_EQ(h.probe().drains.load(), 2);
  EXPECT_EQ(a.WaitEnd(), Client::ReadEnd::kEof);
  EXPECT_EQ(b.WaitEnd(), Client::ReadEnd::kEof);
  // The listener is gone.
  Client late;
  EXPECT_FALSE(late.Connect(port));
}

TEST(Offload, CompleteReceivesTheOpenConnection) {
  Harness h;
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(c.Send("JOB\n"));
  EXPECT_EQ(c.Read(4), "DONE");
  EXPECT_EQ(h.probe().jobs_started.load(), 1);
  EXPECT_EQ(h.probe().jobs_run.load(), 1);
  EXPECT_EQ(h.probe().completes.load(), 1);
  EXPECT_EQ(h.probe().completes_null.load(), 0);
  EXPECT_TRUE(WaitFor([&] { return h.probe().jobs_destroyed.load() == 1; }));
  // The connection goes on working after the job.
  ASSERT_TRUE(c.Send("echo"));
  EXPECT_EQ(c.Read(4), "echo");
  h.StopAndCheck();
}

TEST(Offload, CompleteReceivesNullWhenTheClientLeft) {
  Harness h;
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(c.Send("JOB-WAIT\n"));
  ASSERT_TRUE(WaitFor([&] { return h.probe().jobs_started.load() == 1; }));
  c.Close();  // the job now waits for the server to see this, then sleeps
  ASSERT_TRUE(WaitFor([&] { return h.probe().completes.load() == 1; }));
  EXPECT_EQ(h.probe().completes_null.load(), 1);
  // The closed connection's object was still alive when Complete ran (the
  // job held it); it is freed right after.
  EXPECT_EQ(h.probe().destroyed_at_complete.load(), 0);
  EXPECT_TRUE(WaitFor([&] { return h.probe().destroyed.load() == 1; }));
  EXPECT_TRUE(WaitFor([&] { return h.probe().jobs_destroyed.load() == 1; }));
  EXPECT_EQ(h.open(), 0u);
  h.StopAndCheck();
}

TEST(Offload, DrainWaitsForJobsInFlight) {
  Harness h;
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(c.Send("JOB\n"));
  ASSERT_TRUE(WaitFor([&] { return h.probe().jobs_started.load() == 1; }));
  // The drain closes the connection while the job sleeps; the loop must
  // still run the completion before it ends.
  h.StopAndCheck();
  EXPECT_EQ(h.probe().completes.load(), 1);
  EXPECT_EQ(h.probe().jobs_destroyed.load(), 1);
}

TEST(Offload, RefusesPastMaxOffload) {
  Harness h([](WorkerConfig& c) { c.max_offload = 1; });
  Client c;
  ASSERT_TRUE(c.Connect(h.port()));
  ASSERT_TRUE(c.Send("JOB2\n"));
  EXPECT_EQ(c.Read(4), "DONE");
  EXPECT_EQ(h.probe().jobs_started.load(), 1);
  EXPECT_EQ(h.probe().jobs_refused.load(), 1);
  // The refused job was destroyed without running or completing.
  EXPECT_TRUE(WaitFor([&] { return h.probe().jobs_destroyed.load() == 2; }));
  EXPECT_EQ(h.probe().jobs_run.load(), 1);
  EXPECT_EQ(h.probe().completes.load(), 1);
  // With the first finished, a new one is accepted.
  ASSERT_TRUE(c.Send("JOB\n"));
  EXPECT_EQ(c.Read(4), "DONE");
  EXPECT_EQ(h.probe().jobs_started.load(), 2);
  h.StopAndCheck();
}

}  // namespace
}  // namespace keel::core
