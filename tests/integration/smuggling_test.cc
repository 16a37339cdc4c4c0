// Framing ambiguities that enable request smuggling, and malformed input in
// general: each is refused with an error and the connection is closed, so no
// byte after the bad request can be read as another request.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

#include "test_server.h"

namespace keel::integration {
namespace {

class Smuggling : public SharedServerTest<Smuggling> {
 protected:
  // Sends `bytes`, expects exactly one house-format error with a status in
  // `codes`, then the close with nothing more (a smuggled request that got
  // answered would show up as extra bytes).
  static void ExpectRejected(std::string_view bytes, std::initializer_list<int> codes = {400}) {
    Connection c = server_->Connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.SendAll(bytes)) << c.error();
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_NE(std::find(codes.begin(), codes.end(), r->status), codes.end())
        << "unexpected status " << r->status << " " << r->body;
    EXPECT_TRUE(IsHouseError(*r, r->status));
    EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "close"))
        << "Connection: " << r->Header("Connection").value_or("<none>");
    CloseResult end = c.ReadUntilClose();
    EXPECT_TRUE(end.closed) << "connection still open after " << r->status;
    EXPECT_EQ(end.data, "") << "answered bytes after the rejected request";
  }
};

const char kSmuggled[] = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

TEST_F(Smuggling, ContentLengthWithChunkedIs400) {
  ExpectRejected(std::string("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n") +
                 kSmuggled);
}

TEST_F(Smuggling, ChunkedWithContentLengthIs400) {
  ExpectRejected(
      std::string("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Length: 3\r\n\r\n0\r\n\r\n") +
      kSmuggled);
}

TEST_F(Smuggling, ConflictingContentLengthsAre400) {
  ExpectRejected(std::string("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n"
                             "Content-Length: 44\r\n\r\nabc") +
                 kSmuggled);
}

TEST_F(Smuggling, InvalidContentLengthIs400) {
  ExpectRejected("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n");
  ExpectRejected("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n");
}

TEST_F(Smuggling, BareLfLineEndingsAre400) { ExpectRejected("GET / HTTP/1.1\nHost: x\n\n"); }

TEST_F(Smuggling, BareLfInsideTheHeaderBlockIs400) {
  ExpectRejected("GET /healthz HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n");
}

TEST_F(Smuggling, ObsFoldIs400) {
  ExpectRejected("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: one\r\n two\r\n\r\n");
  ExpectRejected("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: one\r\n\ttwo\r\n\r\n");
}

TEST_F(Smuggling, NulInHeaderValueIs400) {
  const char kRequest[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\0b\r\n\r\n";
  ExpectRejected(std::string(kRequest, sizeof kRequest - 1));
}

TEST_F(Smuggling, SpaceBeforeHeaderColonIs400) {
  // RFC 9112 section 5.1: a server MUST reject this with 400.
  ExpectRejected("GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n");
}

TEST_F(Smuggling, NonChunkedTransferEncodingIsRefused) {
  ExpectRejected("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
                 {400, 501});
}

TEST_F(Smuggling, ChunkedNotLastTransferCodingIsRefused) {
  ExpectRejected(
      "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
      "0\r\n\r\n",
      {400, 501});
}

TEST_F(Smuggling, BadChunkSizeIs400) {
  ExpectRejected(
      "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "zz\r\nabc\r\n0\r\n\r\n");
}

TEST_F(Smuggling, GarbageIs400) {
  // The first bytes of a TLS ClientHello, as sent to a plain-HTTP port.
  const char kHello[] = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03";
  ExpectRejected(std::string(kHello, sizeof kHello - 1));
}

TEST_F(Smuggling, ServerStillServesAfterRejections) {
  ExpectRejected("GET / HTTP/1.1\nHost: x\n\n");
  auto r = server_->RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace keel::integration
