// --rate-limit 5: a client address may burst 10 requests, then gets 429 with
// Retry-After until tokens refill. Requests are pipelined in one write so the
// burst is spent in microseconds, far less than one token's refill (200 ms).
#include <gtest/gtest.h>

#include <thread>

#include "test_server.h"

namespace keel::integration {
namespace {

std::string Burst(int n) {
  std::string all;
  for (int i = 0; i < n; ++i) all += Get("/healthz");
  return all;
}

// Checks a 429 and returns its Retry-After in seconds (0 if bad).
int Expect429(const HttpResponse& r) {
  EXPECT_TRUE(IsHouseError(r, 429));
  auto retry = r.Header("Retry-After");
  EXPECT_TRUE(retry) << "429 without Retry-After";
  if (!retry) return 0;
  char* end = nullptr;
  long seconds = std::strtol(retry->c_str(), &end, 10);
  EXPECT_TRUE(!retry->empty() && *end == '\0' && seconds >= 1) << "Retry-After: " << *retry;
  return seconds >= 1 && *end == '\0' ? static_cast<int>(seconds) : 0;
}

TEST(RateLimit, BurstOfTenThen429) {
  TestServer server({"--rate-limit", "5"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Burst(11)));
  for (int i = 0; i < 10; ++i) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << "request " << i << ": " << c.error();
    EXPECT_EQ(r->status, 200) << "request " << i << " of the burst";
  }
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  Expect429(*r);
}

TEST(RateLimit, LimitIsPerAddressNotPerConnection) {
  TestServer server({"--rate-limit", "5"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection first = server.Connect();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first.SendAll(Burst(10)));
  for (int i = 0; i < 10; ++i) {
    auto r = first.ReadResponse();
    ASSERT_TRUE(r) << first.error();
    EXPECT_EQ(r->status, 200);
  }
  // Several fresh connections: with one listener per worker they may land on
  // different workers, and all share the one address's budget.
  for (int i = 0; i < 4; ++i) {
    auto r = server.RoundTrip(Get("/healthz"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429) << "fresh connection " << i << " was not limited";
  }
}

TEST(RateLimit, TokensRefillAfterRetryAfter) {
  TestServer server({"--rate-limit", "5"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Burst(11)));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.ReadResponse()) << c.error();
  auto limited = c.ReadResponse();
  ASSERT_TRUE(limited) << c.error();
  int wait_s = Expect429(*limited);
  ASSERT_GE(wait_s, 1);
  ASSERT_LE(wait_s, 3) << "5 requests/s should refill within a second or so";
  std::this_thread::sleep_for(std::chrono::seconds(wait_s) + milliseconds(100));
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(RateLimit, OffByDefault) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Burst(50)));
  for (int i = 0; i < 50; ++i) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, 200);
  }
}

}  // namespace
}  // namespace keel::integration
