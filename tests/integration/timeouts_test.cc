// Header, body and idle timeouts, each set to 1 s on the command line. Reads
// wait up to 4 s, which allows a coarse (per-second) timer wheel.
#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

#include "test_server.h"

namespace keel::integration {
namespace {

constexpr milliseconds kWait{4000};

void Expect408ThenClose(Connection& c) {
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << "no 408: " << c.error();
  EXPECT_TRUE(IsHouseError(*r, 408));
  EXPECT_TRUE(HeaderHasToken(r->Header("Connection"), "close"))
      << "Connection: " << r->Header("Connection").value_or("<none>");
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed);
  EXPECT_EQ(end.data, "");
}

TEST(Timeouts, StalledHeadersGet408) {
  TestServer server({"--header-timeout", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect(kWait);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.1\r\n"));
  Expect408ThenClose(c);
}

TEST(Timeouts, TricklingHeadersStillHitTheHeaderTimeout) {
  // Slowloris: a byte every 100 ms never completes the headers. The timeout
  // bounds the whole header block, not the gap between reads.
  TestServer server({"--header-timeout", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect(kWait);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  const std::string drip =
      "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  bool answered = false;
  for (int i = 0; i < 40 && !answered; ++i) {  // 4 s at most
    pollfd p{c.fd(), POLLIN, 0};
    answered = poll(&p, 1, 100) == 1;
    if (!answered && !c.SendAll(drip.substr(i % drip.size(), 1))) answered = true;
  }
  ASSERT_TRUE(answered) << "still waiting for headers after 4 s of trickling";
  Expect408ThenClose(c);
}

TEST(Timeouts, IdleKeepAliveConnectionIsClosed) {
  TestServer server({"--idle-timeout", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect(kWait);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  CloseResult end = c.ReadUntilClose();
  EXPECT_TRUE(end.closed) << "idle connection still open after 4 s";
  EXPECT_EQ(end.data, "") << "an idle close sends no bytes";
}

TEST(Timeouts, BusyConnectionOutlivesTheIdleTimeout) {
  // Requests every 300 ms for 2.4 s: activity must keep resetting the timer.
  TestServer server({"--idle-timeout", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect(kWait);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(c.SendAll(Get("/healthz"))) << c.error();
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, 200);
    std::this_thread::sleep_for(milliseconds(300));
  }
}

TEST(Timeouts, StalledBodyGets408) {
  TestServer server({"--body-timeout", "1"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect(kWait);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nabc"));
  Expect408ThenClose(c);
}

}  // namespace
}  // namespace keel::integration
