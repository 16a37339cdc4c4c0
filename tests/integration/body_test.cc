// Request bodies. There is no public echo endpoint, so bodies go to
// POST /healthz: the server must read and discard the body, answer 405, and
// leave the connection usable for the next request.
#include <gtest/gtest.h>

#include <thread>

#include "test_server.h"

namespace keel::integration {
namespace {

class Bodies : public SharedServerTest<Bodies> {
 protected:
  // The follow-up request proves the body was consumed exactly.
  static void ExpectUsable(Connection& c) {
    ASSERT_TRUE(c.SendAll(Get("/healthz"))) << c.error();
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"status":"ok"})");
  }
};

TEST_F(Bodies, ContentLengthBodyIsDiscarded) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(
      Request("POST", "/healthz", {"Content-Type: application/json"}, R"({"hello":"world"})")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 405));
  ExpectUsable(c);
}

TEST_F(Bodies, ChunkedBodyIsDiscarded) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nhello\r\n"
                "7;ext=1\r\n, world\r\n"
                "10\r\n0123456789abcdef\r\n"
                "0\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 405));
  ExpectUsable(c);
}

TEST_F(Bodies, ChunkedBodyWithTrailerIsDiscarded) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabc\r\n0\r\nX-Trailer: yes\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 405);
  ExpectUsable(c);
}

TEST_F(Bodies, BodyArrivingInPiecesIsRead) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  const std::string body(100, 'x');
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n"));
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_TRUE(c.SendAll(std::string_view(body).substr(i * 10, 10)));
  }
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 405);
  ExpectUsable(c);
}

TEST_F(Bodies, LargeBodyWithinTheDefaultLimitIsDiscarded) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Request("POST", "/healthz", {}, std::string(1000000, 'b')))) << c.error();
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 405));
  ExpectUsable(c);
}

TEST_F(Bodies, ExpectContinueGets100BeforeTheBody) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                "Expect: 100-continue\r\n\r\n"));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim) << "no 100 Continue before the body was sent: " << c.error();
  EXPECT_EQ(interim->version, "HTTP/1.1");
  EXPECT_EQ(interim->status, 100);
  EXPECT_EQ(interim->reason, "Continue");
  EXPECT_TRUE(interim->headers.empty());
  ASSERT_TRUE(c.SendAll("hello"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 405));
  ExpectUsable(c);
}

TEST_F(Bodies, ExpectContinueWithBodySentAnyway) {
  // Clients may stop waiting for the 100 and send the body; either an extra
  // 100 or none is fine, but the final answer and the framing must be right.
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                "Expect: 100-continue\r\n\r\nhello"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  if (r->status == 100) r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 405);
  ExpectUsable(c);
}

TEST_F(Bodies, GetWithBodyIsAnsweredAndBodySkipped) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Request("GET", "/healthz", {}, "GET /nope HTTP/1.1\r\n\r\n")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  ExpectUsable(c);  // the body text was not taken for a request
}

}  // namespace
}  // namespace keel::integration
