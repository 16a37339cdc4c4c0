// Request size limits: header block (431), header count (431), URL (414),
// body (413), with the defaults and with small limits set on the command line.
#include <gtest/gtest.h>

#include <thread>

#include "test_server.h"

namespace keel::integration {
namespace {

// A GET /healthz whose request line plus headers (through the final empty
// line) is exactly `total` bytes, padded with one X-Pad header.
std::string HeaderBlockOfSize(size_t total) {
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
  const std::string tail = "\r\n\r\n";
  EXPECT_GT(total, head.size() + tail.size());
  return head + std::string(total - head.size() - tail.size(), 'p') + tail;
}

// Expects the response to be `code` in the house format, then the close.
void ExpectErrorThenClose(Connection& c, int code) {
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, code));
  EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "close"))
      << "Connection: " << r->Header("Connection").value_or("<none>");
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed) << "connection still open after " << code;
  EXPECT_EQ(end.data, "");
}

// Small limits keep these tests fast.
class SmallLimits : public SharedServerTest<SmallLimits> {
 public:
  static ServerOptions Options() {
    return {.args = {"--max-header-bytes", "2048", "--max-body-bytes", "1000"}};
  }
};

TEST_F(SmallLimits, HeaderBlockJustUnderTheLimitWorks) {
  auto r = server_->RoundTrip(HeaderBlockOfSize(2048 - 32));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(SmallLimits, HeaderBlockJustOverTheLimitIs431) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(HeaderBlockOfSize(2048 + 32)));
  ExpectErrorThenClose(c, 431);
}

TEST_F(SmallLimits, HeaderLimitCountsBytesAcrossReads) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  const std::string block = HeaderBlockOfSize(2048 + 32);
  for (size_t off = 0; off < block.size(); off += 300) {
    ASSERT_TRUE(c.SendAll(std::string_view(block).substr(off, 300)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ExpectErrorThenClose(c, 431);
}

TEST_F(SmallLimits, EndlessHeaderBlockIs431WithoutWaitingForItsEnd) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  // Long lines, so the byte limit trips before the 100-line limit does.
  std::string flood = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; flood.size() < 2048 + 200; ++i) {
    flood += "X-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
  }
  ASSERT_TRUE(c.SendAll(flood));  // no final empty line
  ExpectErrorThenClose(c, 431);
}

TEST_F(SmallLimits, BodyAtTheLimitIsAccepted) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Request("POST", "/healthz", {}, std::string(1000, 'b'))));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 405);
  ASSERT_TRUE(c.SendAll(Get("/healthz")));
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
}

TEST_F(SmallLimits, ContentLengthOverTheLimitIs413BeforeTheBody) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  // Only the headers: the 413 must not wait for a body that never comes.
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1001\r\n\r\n"));
  ExpectErrorThenClose(c, 413);
}

TEST_F(SmallLimits, ExpectContinueOverTheLimitGets413Not100) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n"
                "Expect: 100-continue\r\n\r\n"));
  ExpectErrorThenClose(c, 413);
}

TEST_F(SmallLimits, HugeContentLengthIsRejected) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Length: 99999999999999999999999\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(r->status == 400 || r->status == 413) << r->status;
  EXPECT_TRUE(IsHouseError(*r, r->status));
  EXPECT_TRUE(c.ReadUntilClose().closed);
}

TEST_F(SmallLimits, ChunkedBodyGrowingOverTheLimitIs413) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  std::string request =
      "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "190\r\n" + std::string(400, 'c') + "\r\n";  // 1200 bytes
  ASSERT_TRUE(c.SendAll(request));  // no last chunk: the limit, not the end, must trigger
  ExpectErrorThenClose(c, 413);
}

TEST_F(SmallLimits, ChunkedBodyUnderTheLimitIsAccepted) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  std::string request =
      "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) request += "190\r\n" + std::string(400, 'c') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(c.SendAll(request + Get("/healthz")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 405);
  r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
}

// The defaults: 16384 header bytes, 8192 URL bytes, 100 header lines.
class DefaultLimits : public SharedServerTest<DefaultLimits> {};

TEST_F(DefaultLimits, HeaderBlockUnder16KiBWorks) {
  auto r = server_->RoundTrip(HeaderBlockOfSize(16384 - 64));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(DefaultLimits, HeaderBlockOver16KiBIs431) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(HeaderBlockOfSize(16384 + 64)));
  ExpectErrorThenClose(c, 431);
}

TEST_F(DefaultLimits, UrlUnderTheLimitIsRouted) {
  auto r = server_->RoundTrip(Get(std::string(8000, 'u').insert(0, 1, '/')));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 404));
}

TEST_F(DefaultLimits, UrlOverTheLimitIs414) {
  auto r = server_->RoundTrip(Get(std::string(9000, 'u').insert(0, 1, '/')));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 414));
}

TEST_F(DefaultLimits, LongQueryCountsTowardTheUrlLimit) {
  auto r = server_->RoundTrip(Get("/healthz?q=" + std::string(9000, 'q')));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 414));
}

std::string RequestWithHeaderLines(int lines) {
  std::string r = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 1; i < lines; ++i) r += "X-H" + std::to_string(i) + ": v\r\n";
  return r + "\r\n";
}

TEST_F(DefaultLimits, HundredHeaderLinesWork) {
  auto r = server_->RoundTrip(RequestWithHeaderLines(100));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(DefaultLimits, MoreThanHundredHeaderLinesIs431) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(RequestWithHeaderLines(101)));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 431));
}

TEST(UrlLimitOption, SmallerUrlLimitIsHonoured) {
  TestServer server({"--max-url-bytes", "100"});
  ASSERT_TRUE(server.ok()) << server.error();
  auto ok = server.RoundTrip(Get("/healthz?q=" + std::string(50, 'q')));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto too_long = server.RoundTrip(Get("/healthz?q=" + std::string(200, 'q')));
  ASSERT_TRUE(too_long);
  EXPECT_TRUE(IsHouseError(*too_long, 414));
}

}  // namespace
}  // namespace keel::integration
