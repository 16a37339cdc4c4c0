// Deferred answers over a real server: Response::Defer + Pending::Resume
// from another thread, and Response::Offload through the thread pool.

#include "http/pending.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"

namespace keel::http {
namespace {

using namespace std::chrono_literals;

int ConnectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads until `count` occurrences of "HTTP/1.1 " have fully arrived with
// their bodies ending in `last_body`.
std::string ReadUntil(int fd, std::string_view last_body) {
  std::string got;
  char buf[4096];
  while (got.find(last_body) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

class PendingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(Method::kGet, "/later", [this](Request&, Response& res) {
      Pending p = res.Defer();
      ++started_;
      std::thread([p = std::move(p), this]() mutable {
        std::this_thread::sleep_for(30ms);
        p.Resume([this](Response* r) {
          if (r == nullptr) {
            ++orphaned_;
            return;
          }
          r->SendText(200, "later");
        });
      }).detach();
    });
    router_.Add(Method::kGet, "/pool", [this](Request&, Response& res) {
      auto ran_on = std::make_shared<std::thread::id>();
      core::Status s = res.Offload([ran_on] { *ran_on = std::this_thread::get_id(); },
                                   [this, ran_on](Response* r) {
                                     if (r == nullptr) {
                                       ++orphaned_;
                                       return;
                                     }
                                     bool elsewhere = *ran_on != std::this_thread::get_id();
                                     r->SendText(200, elsewhere ? "pooled" : "same-thread");
                                   });
      if (!s.ok()) res.SendError(503, "busy");
    });
    router_.Add(Method::kGet, "/now", [](Request&, Response& res) { res.SendText(200, "now"); });
    // A handler that defers and never resumes: its Pending is kept (the
    // connection stays held) until the test ends.
    router_.Add(Method::kGet, "/abandoned", [this](Request&, Response& res) {
      std::lock_guard lock(abandoned_mu_);
      abandoned_.push_back(res.Defer());
    });
    ServerConfig config;
    config.threads = 1;
    config.worker.address.host = "127.0.0.1";
    config.worker.handler_timeout_ms = 1000;
    server_ = std::make_unique<Server>(config, &router_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    {
      std::lock_guard lock(abandoned_mu_);
      abandoned_.clear();  // releases the held connections
    }
    server_->Drain();
    server_->Wait();  // returns only once every held connection is released
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::atomic<int> started_{0};
  std::atomic<int> orphaned_{0};
  std::mutex abandoned_mu_;
  std::vector<Pending> abandoned_;
};

// --handler-timeout: an answer that never comes is replaced by a 503 and
// the connection closes, instead of being held until drain. What was
// pipelined behind it is not answered (the connection is gone).
TEST_F(PendingTest, AbandonedPendingIsAnswered503AtTheHandlerTimeout) {
  int fd = ConnectTo(server_->port());
  ASSERT_GE(fd, 0);
  std::string req = "GET /abandoned HTTP/1.1\r\nHost: t\r\n\r\nGET /now HTTP/1.1\r\nHost: t\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;  // EOF: the server closed
    got.append(buf, static_cast<size_t>(n));
  }
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  EXPECT_NE(got.find("not answered in time"), std::string::npos) << got;
  EXPECT_EQ(got.find("now"), std::string::npos) << got;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);
  ::close(fd);
  // The server still serves.
  fd = ConnectTo(server_->port());
  req = "GET /now HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  EXPECT_NE(ReadUntil(fd, "now").find("200 OK"), std::string::npos);
  ::close(fd);
}

TEST_F(PendingTest, ResumedFromAnotherThreadAnswersTheRequest) {
  int fd = ConnectTo(server_->port());
  ASSERT_GE(fd, 0);
  std::string req = "GET /later HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string got = ReadUntil(fd, "later");
  EXPECT_NE(got.find("HTTP/1.1 200 OK"), std::string::npos) << got;
  ::close(fd);
}

TEST_F(PendingTest, PipelinedRequestsWaitForTheDeferredOne) {
  int fd = ConnectTo(server_->port());
  ASSERT_GE(fd, 0);
  std::string req =
      "GET /later HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /now HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /pool HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /now HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string got = ReadUntil(fd, "pooled");
  if (got.find("now", got.find("pooled")) == std::string::npos) got += ReadUntil(fd, "now");
  size_t later = got.find("later"), now1 = got.find("now"), pooled = got.find("pooled");
  size_t now2 = got.find("now", pooled);
  ASSERT_NE(later, std::string::npos) << got;
  ASSERT_NE(pooled, std::string::npos) << got;
  EXPECT_LT(later, now1);
  EXPECT_LT(now1, pooled);
  EXPECT_NE(now2, std::string::npos) << got;
  ::close(fd);
}

TEST_F(PendingTest, ClientGoneBeforeResumeIsHarmless) {
  int fd = ConnectTo(server_->port());
  ASSERT_GE(fd, 0);
  std::string req = "GET /later HTTP/1.1\r\nHost: t\r\n\r\nGET /pool HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  while (started_.load() == 0) std::this_thread::sleep_for(1ms);
  // Gone before the resume: the first answer is written into a dead socket
  // (or finds the session closed) and the queued /pool never gets one.
  ::close(fd);
  std::this_thread::sleep_for(150ms);
  // The server still serves.
  fd = ConnectTo(server_->port());
  req = "GET /pool HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  EXPECT_NE(ReadUntil(fd, "pooled").find("pooled"), std::string::npos);
  ::close(fd);
}

}  // namespace
}  // namespace keel::http
