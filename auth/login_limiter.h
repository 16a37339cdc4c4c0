// Failed-login limits: at most N failures per key within a window (fixed
// window per key, reset when the window passes). Used twice: per account
// (default 10 per 15 minutes) and per client address (default 50 per 15
// minutes). Thread-safe (sharded locks), bounded memory, time passed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace keel::auth {

class LoginLimiter {
 public:
  // max_failures 0 turns the limiter off.
  LoginLimiter(uint32_t max_failures, uint32_t window_seconds, size_t max_tracked = 100000);
  ~LoginLimiter();
  LoginLimiter(const LoginLimiter&) = delete;
  LoginLimiter& operator=(const LoginLimiter&) = delete;

  // 0 if `key` may try now; otherwise seconds until it may (>= 1).
  uint32_t RetryAfter(std::string_view key, int64_t now) const;
  void RecordFailure(std::string_view key, int64_t now);
  // A successful login clears the key's failures.
  void Reset(std::string_view key);
  // Keys currently held (at most about max_tracked); for tests and metrics.
  size_t tracked() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::auth
