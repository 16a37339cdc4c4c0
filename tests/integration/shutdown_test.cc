// SIGTERM/SIGINT: stop accepting, finish in-flight requests, close idle
// keep-alive connections, exit 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "test_server.h"

namespace keel::integration {
namespace {

// True once a new connection to `port` is refused (listener closed), polling
// for up to 2 s. A connection accepted meanwhile is closed at once.
bool ListenerClosesSoon(int port) {
  for (int i = 0; i < 40; ++i) {
    int fd = ConnectTcp(port);
    if (fd < 0) return true;
    close(fd);
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

TEST(Shutdown, SigtermDrainsInFlightRequestsAndExitsZero) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();

  // A: idle keep-alive after one request.
  Connection a = server.Connect();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.SendAll(Get("/healthz")));
  auto ra = a.ReadResponse();
  ASSERT_TRUE(ra) << a.error();
  EXPECT_EQ(ra->status, 200);

  // B: a request in flight, 2 of 5 body bytes sent.
  Connection b = server.Connect();
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(
      b.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nab"));
  // Nothing observable says the server has read B's headers; give it time.
  std::this_thread::sleep_for(milliseconds(200));

  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  EXPECT_TRUE(ListenerClosesSoon(server.port())) << "still accepting 2 s after SIGTERM";

  CloseResult a_end = a.ReadUntilClose();
  EXPECT_TRUE(a_end.closed) << "idle keep-alive connection not closed on drain";
  EXPECT_EQ(a_end.data, "");

  ASSERT_TRUE(b.SendAll("cde")) << b.error();
  auto rb = b.ReadResponse();
  ASSERT_TRUE(rb) << "in-flight request not finished: " << b.error();
  EXPECT_TRUE(IsHouseError(*rb, 405));
  EXPECT_TRUE(HeaderHasToken(rb->Header("Connection"), "close"))
      << "Connection: " << rb->Header("Connection").value_or("<none>");
  CloseResult b_end = b.ReadUntilClose();
  EXPECT_TRUE(b_end.closed);
  EXPECT_EQ(b_end.data, "");

  auto status = server.WaitExit(milliseconds(5000));
  ASSERT_TRUE(status) << "server still running 5 s after its last connection closed";
  EXPECT_TRUE(status->exited && status->code == 0) << *status;
}

TEST(Shutdown, SigtermWhenIdleExitsZero) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  ExitStatus s = server.Stop(SIGTERM);
  EXPECT_TRUE(s.exited && s.code == 0) << s;
}

TEST(Shutdown, SigintExitsZero) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  ExitStatus s = server.Stop(SIGINT);
  EXPECT_TRUE(s.exited && s.code == 0) << s;
}

TEST(Shutdown, SigtermWithOpenIdleConnectionsExitsZero) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<Connection> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(server.Connect());
    ASSERT_TRUE(idle.back().ok());
    if (i % 2 == 0) {  // half have served a request, half never spoke
      ASSERT_TRUE(idle.back().SendAll(Get("/healthz")));
      ASSERT_TRUE(idle.back().ReadResponse()) << idle.back().error();
    }
  }
  ExitStatus s = server.Stop(SIGTERM);
  EXPECT_TRUE(s.exited && s.code == 0) << s;
  for (auto& c : idle) EXPECT_TRUE(c.ReadUntilClose().closed);
}

}  // namespace
}  // namespace keel::integration
