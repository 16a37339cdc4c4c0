#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace keel::http {
namespace {

// A 4-byte IPv4-style key from a number, as the session would pass sin_addr.
std::string Ipv4(uint32_t n) {
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)};
}

// Calls Allow `n` times at `now_ms` and returns how many were allowed.
int AllowedOf(RateLimiter& rl, std::string_view key, uint64_t now_ms, int n) {
  int allowed = 0;
  for (int i = 0; i < n; ++i) allowed += rl.Allow(key, now_ms).allowed ? 1 : 0;
  return allowed;
}

TEST(RateLimiter, BurstOfTwiceTheRateThenDenied) {
  RateLimiter rl(5);
  const std::string a = Ipv4(0x7f000001);
  for (int i = 0; i < 10; ++i) {
    RateLimiter::Decision d = rl.Allow(a, 1000);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.retry_after_seconds, 0u);
  }
  RateLimiter::Decision d = rl.Allow(a, 1000);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1u);
}

TEST(RateLimiter, RefillsAtTheRate) {
  RateLimiter rl(5);  // one token every 200 ms
  const std::string a = Ipv4(1);
  ASSERT_EQ(AllowedOf(rl, a, 1000, 10), 10);
  EXPECT_FALSE(rl.Allow(a, 1199).allowed);
  EXPECT_TRUE(rl.Allow(a, 1200).allowed);
  EXPECT_FALSE(rl.Allow(a, 1200).allowed);
  EXPECT_EQ(AllowedOf(rl, a, 1600, 5), 2);
  EXPECT_EQ(AllowedOf(rl, a, 2600, 10), 5);  // a second later: 5 more
}

TEST(RateLimiter, RefillStopsAtTheBurst) {
  RateLimiter rl(3);
  const std::string a = Ipv4(2);
  ASSERT_EQ(AllowedOf(rl, a, 0, 6), 6);
  EXPECT_EQ(AllowedOf(rl, a, 3600 * 1000, 20), 6);
  EXPECT_EQ(AllowedOf(rl, a, UINT64_MAX / 2, 20), 6);  // no overflow on huge gaps
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter rl(1);  // one token a second, burst 2
  const std::string a = Ipv4(3);
  ASSERT_EQ(AllowedOf(rl, a, 0, 2), 2);
  EXPECT_EQ(rl.Allow(a, 0).retry_after_seconds, 1u);    // 1000 ms to go
  EXPECT_EQ(rl.Allow(a, 1).retry_after_seconds, 1u);    // 999 ms
  EXPECT_EQ(rl.Allow(a, 999).retry_after_seconds, 1u);  // 1 ms: still 1, never 0
  EXPECT_TRUE(rl.Allow(a, 1000).allowed);
}

TEST(RateLimiter, DeniedRequestsTakeNoToken) {
  RateLimiter rl(1);
  const std::string a = Ipv4(4);
  ASSERT_EQ(AllowedOf(rl, a, 0, 2), 2);
  for (uint64_t t = 0; t < 1000; t += 10) EXPECT_FALSE(rl.Allow(a, t).allowed);
  EXPECT_TRUE(rl.Allow(a, 1000).allowed);
}

TEST(RateLimiter, ClockSkewDoesNotRefillOrRewind) {
  RateLimiter rl(5);
  const std::string a = Ipv4(5);
  ASSERT_EQ(AllowedOf(rl, a, 5000, 10), 10);
  EXPECT_FALSE(rl.Allow(a, 4000).allowed);  // an earlier time from another thread
  EXPECT_FALSE(rl.Allow(a, 5199).allowed);
  EXPECT_TRUE(rl.Allow(a, 5200).allowed);  // refill counted from 5000, not 4000
  EXPECT_FALSE(rl.Allow(a, 5200).allowed);
}

TEST(RateLimiter, ClientsAreIndependent) {
  RateLimiter rl(2);
  const std::string v4 = Ipv4(0x0a000001);
  std::string v6(16, '\0');
  v6.replace(0, 4, v4);  // same leading bytes, different length: another client
  ASSERT_EQ(AllowedOf(rl, v4, 0, 10), 4);
  EXPECT_EQ(AllowedOf(rl, v6, 0, 10), 4);
  EXPECT_EQ(AllowedOf(rl, Ipv4(0x0a000002), 0, 10), 4);
  EXPECT_EQ(rl.tracked(), 3u);
}

TEST(RateLimiter, KeysLongerThanMaxAreCut) {
  RateLimiter rl(1);
  const std::string a = std::string(RateLimiter::kMaxKeyBytes, 'k') + "aaaa";
  const std::string b = std::string(RateLimiter::kMaxKeyBytes, 'k') + "bbbb";
  ASSERT_EQ(AllowedOf(rl, a, 0, 2), 2);
  EXPECT_FALSE(rl.Allow(b, 0).allowed);
}

TEST(RateLimiter, RateZeroIsOff) {
  RateLimiter rl(0);
  EXPECT_FALSE(rl.enabled());
  const std::string a = Ipv4(6);
  for (int i = 0; i < 100000; ++i) {
    RateLimiter::Decision d = rl.Allow(a, 0);
    ASSERT_TRUE(d.allowed);
    ASSERT_EQ(d.retry_after_seconds, 0u);
  }
  EXPECT_EQ(rl.tracked(), 0u);
  EXPECT_EQ(rl.capacity(), 0u);
}

TEST(RateLimiter, CapacityRoundsUpToShards) {
  EXPECT_EQ(RateLimiter(1, 100).capacity(), 2 * RateLimiter::kShards);
  EXPECT_EQ(RateLimiter(1, 0).capacity(), RateLimiter::kShards);
  EXPECT_EQ(RateLimiter(1, 128).capacity(), 128u);
}

TEST(RateLimiter, EvictionKeepsTheTableBounded) {
  RateLimiter rl(1, 128);
  ASSERT_EQ(rl.capacity(), 128u);
  for (uint32_t i = 0; i < 20000; ++i) {
    ASSERT_TRUE(rl.Allow(Ipv4(i), i).allowed);  // every address is new: full burst
    ASSERT_LE(rl.tracked(), 128u);
  }
  EXPECT_GT(rl.tracked(), 64u);
}

// A flood of new addresses must not evict the clients being throttled: they
// are seen most recently and their buckets are not full, so the sampled
// eviction always finds an older or refilled entry. Were one of them evicted
// (or lost by a wrong backward shift), it would come back with a fresh
// burst and get more than the rate allows.
TEST(RateLimiter, EvictionSparesBusyClients) {
  RateLimiter rl(1, 8 * RateLimiter::kShards);  // 8 per shard
  std::array<std::string, 4> busy;
  for (size_t b = 0; b < busy.size(); ++b) busy[b] = "busy" + std::to_string(b);
  std::array<int, 4> allowed{};
  constexpr uint32_t kRounds = 20000;  // 2 ms each: 40 s
  for (uint32_t i = 0; i < kRounds; ++i) {
    rl.Allow(Ipv4(0x01000000 + i), 2ull * i);
    for (size_t b = 0; b < busy.size(); ++b) {
      allowed[b] += rl.Allow(busy[b], 2ull * i + 1).allowed ? 1 : 0;
    }
  }
  for (size_t b = 0; b < busy.size(); ++b) {
    EXPECT_LE(allowed[b], 2 + 40) << busy[b];  // burst + one a second
    EXPECT_GE(allowed[b], 40) << busy[b];
  }
  EXPECT_LE(rl.tracked(), rl.capacity());
}

TEST(RateLimiter, ConcurrentUseIsSafeAndExact) {
  RateLimiter rl(10, 256);
  const std::string shared = Ipv4(0xc0a80001);
  std::atomic<int> shared_allowed{0};
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; ++t) {
    threads.emplace_back([&rl, &shared, &shared_allowed, t] {
      for (uint32_t i = 0; i < 5000; ++i) {
        // The shared client at one fixed time, later than every private
        // one: no refill, always the most recent entry (never evicted), so
        // exactly the burst gets through.
        if (rl.Allow(shared, 1'000'000).allowed) shared_allowed.fetch_add(1);
        // Many private clients over a small table: constant eviction.
        rl.Allow(Ipv4((t << 24) | i), i);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(shared_allowed.load(), 20);
  EXPECT_LE(rl.tracked(), rl.capacity());
}

}  // namespace
}  // namespace keel::http
