// Persistent connections: HTTP/1.1 default keep-alive, HTTP/1.0 opt-in,
// `Connection: close`, and a client half-close.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "test_server.h"

namespace keel::integration {
namespace {

class KeepAlive : public SharedServerTest<KeepAlive> {
 protected:
};

TEST_F(KeepAlive, ManyRequestsOnOneConnection) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 100; ++i) {
    SCOPED_TRACE(i);
    const bool health = i % 2 == 0;
    ASSERT_TRUE(c.SendAll(Get(health ? "/healthz" : "/readyz"))) << c.error();
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, health ? R"({"status":"ok"})" : R"({"status":"ready"})");
    EXPECT_FALSE(HeaderHasToken(r->Header("Connection"), "close"));
  }
}

TEST_F(KeepAlive, Http10WithoutKeepAliveCloses) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_FALSE(HeaderHasToken(r->Header("Connection"), "keep-alive"));
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed) << "server kept an HTTP/1.0 connection open";
  EXPECT_EQ(end.data, "");
}

TEST_F(KeepAlive, Http10WithKeepAliveStaysOpen) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")) << c.error();
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, 200);
    // An HTTP/1.0 client assumes close unless told otherwise.
    EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "keep-alive"))
        << "Connection: " << r->Header("Connection").value_or("<none>");
  }
}

TEST_F(KeepAlive, ConnectionCloseIsHonoured) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz", {"Connection: close"})));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "close"));
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed);
  EXPECT_EQ(end.data, "");
}

TEST_F(KeepAlive, ConnectionHeaderIsCaseInsensitive) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz", {"connection: Close"})));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "close"));
  EXPECT_TRUE(c.ReadUntilClose().closed);
}

TEST_F(KeepAlive, ErrorResponsesKeepTheConnection) {
  // A 404 or 405 is an answer, not a protocol error: the connection lives on.
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/nope")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 404);
  ASSERT_TRUE(c.SendAll(Get("/healthz")));
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
}

TEST_F(KeepAlive, ClientHalfCloseStillGetsTheResponse) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz")));
  ASSERT_EQ(shutdown(c.fd(), SHUT_WR), 0);
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed) << "server kept a half-closed connection open";
  EXPECT_EQ(end.data, "");
}

}  // namespace
}  // namespace keel::integration
