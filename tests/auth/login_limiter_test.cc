#include "auth/login_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace keel::auth {
namespace {

constexpr int64_t kT0 = 1700000000;

TEST(LoginLimiter, AllowsUpToMaxFailures) {
  LoginLimiter limiter(3, 60);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0), 0u);
  limiter.Reserve("ada", kT0);
  limiter.Reserve("ada", kT0 + 1);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 1), 0u);
  limiter.Reserve("ada", kT0 + 2);
  // The window started at the first failure.
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 2), 58u);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 50), 10u);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 59), 1u);
}

TEST(LoginLimiter, KeysAreIndependent) {
  LoginLimiter limiter(1, 60);
  limiter.Reserve("ada", kT0);
  EXPECT_GT(limiter.RetryAfter("ada", kT0), 0u);
  EXPECT_EQ(limiter.RetryAfter("bob", kT0), 0u);
  EXPECT_EQ(limiter.RetryAfter("ad", kT0), 0u);
}

TEST(LoginLimiter, WindowExpires) {
  LoginLimiter limiter(2, 60);
  limiter.Reserve("ada", kT0);
  limiter.Reserve("ada", kT0);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 59), 1u);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 60), 0u);
  // A failure after the window starts a new one with a count of one.
  limiter.Reserve("ada", kT0 + 60);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 60), 0u);
  limiter.Reserve("ada", kT0 + 70);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 70), 50u);
}

TEST(LoginLimiter, FailuresInAnOldWindowDoNotCount) {
  LoginLimiter limiter(2, 60);
  limiter.Reserve("ada", kT0);
  limiter.Reserve("ada", kT0 + 61);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 + 61), 0u);
}

TEST(LoginLimiter, ResetClearsFailures) {
  LoginLimiter limiter(2, 60);
  limiter.Reserve("ada", kT0);
  limiter.Reserve("ada", kT0);
  ASSERT_GT(limiter.RetryAfter("ada", kT0), 0u);
  limiter.Reset("ada");
  EXPECT_EQ(limiter.RetryAfter("ada", kT0), 0u);
  limiter.Reserve("ada", kT0);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0), 0u);
  limiter.Reset("never seen");
}

TEST(LoginLimiter, ZeroMaxTurnsItOff) {
  LoginLimiter limiter(0, 60);
  for (int i = 0; i < 100; ++i) limiter.Reserve("ada", kT0);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0), 0u);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(LoginLimiter, ClockSteppingBackCapsTheWait) {
  LoginLimiter limiter(1, 60);
  limiter.Reserve("ada", kT0);
  EXPECT_EQ(limiter.RetryAfter("ada", kT0 - 1000), 60u);
}

TEST(LoginLimiter, MemoryIsBounded) {
  LoginLimiter limiter(5, 60, 160);
  for (int i = 0; i < 10000; ++i) limiter.Reserve("user" + std::to_string(i), kT0);
  EXPECT_LE(limiter.tracked(), 160u);
  EXPECT_GT(limiter.tracked(), 0u);
}

// With every shard holding one key, each new key pushes out an old one
// even though none has expired.
TEST(LoginLimiter, DropsTheOldestWhenFull) {
  LoginLimiter limiter(1, 60, 16);
  limiter.Reserve("victim", kT0);
  ASSERT_GT(limiter.RetryAfter("victim", kT0), 0u);
  for (int i = 0; i < 1000; ++i) limiter.Reserve("other" + std::to_string(i), kT0 + 1);
  EXPECT_EQ(limiter.RetryAfter("victim", kT0 + 1), 0u);
  EXPECT_LE(limiter.tracked(), 16u);
}

// Four keys per shard: once the old keys' windows have passed, they make
// room, and a locked-out key is kept.
TEST(LoginLimiter, DropsExpiredEntriesFirst) {
  LoginLimiter limiter(1, 60, 64);
  for (int i = 0; i < 1000; ++i) limiter.Reserve("old" + std::to_string(i), kT0);
  limiter.Reserve("victim", kT0 + 30);
  for (int i = 0; i < 3; ++i) limiter.Reserve("new" + std::to_string(i), kT0 + 61);
  EXPECT_EQ(limiter.RetryAfter("victim", kT0 + 61), 29u);
}

TEST(LoginLimiter, CountsFailuresFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kEach = 250;
  LoginLimiter limiter(kThreads * kEach, 60);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        limiter.Reserve("shared", kT0);
        limiter.Reserve("k" + std::to_string(i), kT0);
        (void)limiter.RetryAfter("shared", kT0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(limiter.RetryAfter("shared", kT0), 60u);
}

// The race the outside testers hit: many attempts start before any ends.
// Reserving at the start lets exactly max_failures through, from any
// number of threads, and refuses the rest with a wait.
TEST(LoginLimiter, ParallelReservationsStopAtTheLimit) {
  LoginLimiter limiter(10, 900);
  std::atomic<int> granted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (limiter.Reserve("victim@example.com", kT0) == 0) {
          ++granted;
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 10);
  EXPECT_EQ(refused.load(), 790);
}

TEST(LoginLimiter, ReleaseGivesBackOneAttempt) {
  LoginLimiter limiter(2, 60);
  EXPECT_EQ(limiter.Reserve("ada", kT0), 0u);
  EXPECT_EQ(limiter.Reserve("ada", kT0), 0u);
  EXPECT_GT(limiter.Reserve("ada", kT0), 0u);
  limiter.Release("ada");
  EXPECT_EQ(limiter.Reserve("ada", kT0), 0u);
  EXPECT_GT(limiter.Reserve("ada", kT0), 0u);
  // Releasing every attempt forgets the key.
  limiter.Release("ada");
  limiter.Release("ada");
  EXPECT_EQ(limiter.tracked(), 0u);
  limiter.Release("never seen");
}

// A key's size does not change what it costs: 100 keys of 1 MB each are
// held as 100 fixed-size entries (the outside testers saw RSS grow by
// 22 MB from 20 such emails when keys were stored whole).
TEST(LoginLimiter, HugeKeysAreHeldAsFixedSizeHashes) {
  LoginLimiter limiter(1, 60);
  std::string huge(1 << 20, 'a');
  for (int i = 0; i < 100; ++i) {
    huge[0] = static_cast<char>('A' + i % 26);
    huge[1] = static_cast<char>('A' + i / 26);
    EXPECT_EQ(limiter.Reserve(huge, kT0), 0u);
    EXPECT_GT(limiter.RetryAfter(huge, kT0), 0u);
  }
  EXPECT_EQ(limiter.tracked(), 100u);
}

TEST(LoginLimiter, TotalSizeNeverPassesCapacity) {
  LoginLimiter limiter(3, 60, 1000);
  EXPECT_LE(limiter.capacity(), 1000u);
  for (int i = 0; i < 50000; ++i) {
    limiter.Reserve("k" + std::to_string(i), kT0 + i / 1000);
    ASSERT_LE(limiter.tracked(), limiter.capacity()) << i;
  }
  EXPECT_GT(limiter.tracked(), limiter.capacity() * 9 / 10);
}

}  // namespace
}  // namespace keel::auth
