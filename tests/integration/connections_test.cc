// Many connections at once, the --max-connections cap, and clients that
// vanish mid-request.
#include <gtest/gtest.h>

#include <cctype>
#include <thread>
#include <vector>

#include "test_server.h"

namespace keel::integration {
namespace {

TEST(Connections, TwoThousandConcurrentKeepAliveClients) {
  constexpr int kClients = 2000;
  if (RaiseFdLimit() < kClients + 100) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
  TestServer server({"--max-connections", "5000"});
  ASSERT_TRUE(server.ok()) << server.error();

  std::vector<Connection> conns;
  conns.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    conns.push_back(server.Connect());
    ASSERT_TRUE(conns.back().ok()) << "connect " << i << " failed";
  }
  // Two rounds: every connection is open during both, and the second round
  // shows each one was kept alive.
  for (int round = 0; round < 2; ++round) {
    for (auto& c : conns) ASSERT_TRUE(c.SendAll(Get("/healthz"))) << c.error();
    int ok = 0;
    for (int i = 0; i < kClients; ++i) {
      auto r = conns[i].ReadResponse();
      if (!r) {
        ADD_FAILURE() << "round " << round << " client " << i << ": " << conns[i].error();
        break;
      }
      ok += r->status == 200 ? 1 : 0;
    }
    EXPECT_EQ(ok, kClients) << "round " << round;
  }
}

// True if the rejected connection ended the way the contract allows: a 503
// house error with Connection: close, or a plain close, then EOF.
::testing::AssertionResult WasTurnedAway(Connection& c) {
  if (!c.ok()) return ::testing::AssertionSuccess();  // refused outright
  c.SendAll(Get("/healthz"));                         // may fail if already closed; that is fine
  CloseResult end = c.ReadUntilClose();
  if (!end.closed) return ::testing::AssertionFailure() << "still open, got: " << end.data;
  if (end.data.empty()) return ::testing::AssertionSuccess();
  std::string lower = end.data;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const bool is_503 = lower.rfind("http/1.1 503 ", 0) == 0;
  const bool closes = lower.find("\r\nconnection: close\r\n") != std::string::npos;
  const bool house = lower.find("\"code\":503") != std::string::npos;
  if (!is_503 || !closes || !house) {
    return ::testing::AssertionFailure()
           << "want a 503 house error with Connection: close, got: " << end.data;
  }
  return ::testing::AssertionSuccess();
}

TEST(Connections, MaxConnectionsTurnsAwayTheEleventh) {
  TestServer server({"--max-connections", "10"});
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<Connection> conns;
  for (int i = 0; i < 10; ++i) {
    conns.push_back(server.Connect());
    ASSERT_TRUE(conns.back().ok());
    // A round trip makes sure the server has accepted and counted it.
    ASSERT_TRUE(conns.back().SendAll(Get("/healthz")));
    auto r = conns.back().ReadResponse();
    ASSERT_TRUE(r) << "connection " << i << ": " << conns.back().error();
    EXPECT_EQ(r->status, 200);
  }
  Connection eleventh = server.Connect();
  EXPECT_TRUE(WasTurnedAway(eleventh));

  for (size_t i = 0; i < conns.size(); ++i) {
    ASSERT_TRUE(conns[i].SendAll(Get("/readyz"))) << conns[i].error();
    auto r = conns[i].ReadResponse();
    ASSERT_TRUE(r) << "connection " << i << " after the 11th: " << conns[i].error();
    EXPECT_EQ(r->status, 200);
  }

  // Once one closes, its slot is free again (the server may need a moment to
  // notice the close).
  conns.back().Close();
  conns.pop_back();
  bool served = false;
  for (int attempt = 0; attempt < 20 && !served; ++attempt) {
    std::this_thread::sleep_for(milliseconds(100));
    Connection again = server.Connect();
    if (!again.ok() || !again.SendAll(Get("/healthz"))) continue;
    auto r = again.ReadResponse();
    served = r && r->status == 200;
  }
  EXPECT_TRUE(served) << "a freed slot was not reused within 2 s";
}

TEST(Connections, ClientsVanishingMidRequestDoNotHurtTheServer) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  for (int i = 0; i < 50; ++i) {
    Connection c = server.Connect();
    ASSERT_TRUE(c.ok());
    switch (i % 4) {
      case 0:
        c.SendAll("GET /healthz HTTP/1.1\r\nHost: 1");
        break;
      case 1:
        c.SendAll("POST /healthz HTTP/1.1\r\nHost: 1\r\nContent-Length: 100\r\n\r\nab");
        break;
      case 2:
        c.SendAll(Get("/healthz") + Get("/healthz"));
        break;  // leaves unread replies
      default:
        break;  // says nothing
    }
    c.Close(/*reset=*/i % 2 == 0);
  }
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(server.WaitExit(milliseconds(0))) << "server died";
}

}  // namespace
}  // namespace keel::integration
