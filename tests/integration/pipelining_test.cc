// Pipelined requests come back in order, however the bytes are split.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "test_server.h"

namespace keel::integration {
namespace {

class Pipelining : public SharedServerTest<Pipelining> {
 protected:
};

// Three distinguishable requests, cycled, and what each must answer.
struct Step {
  std::string request;
  int status;
  std::string body;
};
Step Cycle(int i) {
  switch (i % 3) {
    case 0:
      return {Get("/healthz"), 200, R"({"status":"ok"})"};
    case 1:
      return {Get("/readyz"), 200, R"({"status":"ready"})"};
    default:
      return {Get("/nope/" + std::to_string(i)), 404, ""};
  }
}

void ExpectStep(const std::optional<HttpResponse>& r, const Step& want) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, want.status);
  if (!want.body.empty()) {
    EXPECT_EQ(r->body, want.body);
  }
}

TEST_F(Pipelining, MixedRequestsInOneWriteAnswerInOrder) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz") + Get("/readyz") + Get("/nope") +
                        Request("HEAD", "/healthz") + Request("POST", "/healthz", {}, "abc") +
                        Get("/healthz")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->body, R"({"status":"ready"})");
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 404));
  r = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 405));
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
}

TEST_F(Pipelining, TwoHundredFiftySixInOneWrite) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  std::string all;
  for (int i = 0; i < 256; ++i) all += Cycle(i).request;
  ASSERT_TRUE(c.SendAll(all));
  for (int i = 0; i < 256; ++i) {
    SCOPED_TRACE(i);
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    ExpectStep(r, Cycle(i));
  }
}

TEST_F(Pipelining, OneByteAtATime) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  const std::string request = Get("/readyz", {"User-Agent: keel-integration"});
  for (char ch : request) {
    ASSERT_TRUE(c.SendAll(std::string_view(&ch, 1))) << c.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ready"})");
}

TEST_F(Pipelining, RequestsSplitAtOddBoundaries) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  std::string all;
  for (int i = 0; i < 6; ++i) all += Cycle(i).request;
  all += Request("POST", "/healthz", {}, "0123456789");
  for (size_t off = 0; off < all.size(); off += 7) {
    ASSERT_TRUE(c.SendAll(std::string_view(all).substr(off, 7))) << c.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    ExpectStep(c.ReadResponse(), Cycle(i));
  }
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 405);
}

TEST_F(Pipelining, ConnectionCloseStopsThePipeline) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz") + Get("/readyz", {"Connection: close"}) + Get("/healthz")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->body, R"({"status":"ready"})");
  EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "close"));
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed);
  EXPECT_EQ(end.data, "") << "answered a request after Connection: close";
}

// The client writes far more than socket buffers hold while reading on
// another thread: the server must keep both directions moving (backpressure
// without deadlock) and still answer every request in order.
TEST_F(Pipelining, DeepPipelineWithConcurrentReads) {
  constexpr int kRequests = 20000;
  Connection c = server_->Connect(std::chrono::milliseconds(10000));
  ASSERT_TRUE(c.ok());
  std::string all;
  for (int i = 0; i < kRequests; ++i) all += Cycle(i).request;
  std::atomic<bool> send_ok{true};
  std::thread writer([&] {
    std::string_view left = all;
    while (!left.empty()) {
      ssize_t n = send(c.fd(), left.data(), left.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        send_ok = false;
        return;
      }
      left.remove_prefix(static_cast<size_t>(n));
    }
  });
  int matched = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto r = c.ReadResponse();
    if (!r) {
      ADD_FAILURE() << "response " << i << ": " << c.error();
      break;
    }
    Step want = Cycle(i);
    if (r->status != want.status || (!want.body.empty() && r->body != want.body)) {
      ADD_FAILURE() << "response " << i << " out of order: " << r->status << " " << r->body;
      break;
    }
    ++matched;
  }
  if (matched != kRequests) shutdown(c.fd(), SHUT_RDWR);  // unblock the writer
  writer.join();
  EXPECT_TRUE(send_ok);
  EXPECT_EQ(matched, kRequests);
}

}  // namespace
}  // namespace keel::integration
