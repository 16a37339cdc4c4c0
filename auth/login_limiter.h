// Failed-login limits: at most N failed attempts per key within a window
// (a fixed window per key, started by its first attempt). Used twice: per
// account (default 10 per 15 minutes) and per client address (default 50
// per 15 minutes, IPv6 keyed by its /64).
//
// Reserve, then settle: an attempt is counted as a failure when it starts,
// before the password is hashed, and a success gives it back (Reset for the
// account, Release for the address). Counting at the end instead let 100
// parallel guesses all pass the check before any was recorded; this way at
// most N guesses per window are ever evaluated, however they are spread in
// time.
//
// Keys are stored as a 64-bit keyed hash (SipHash under a random per-process
// key), never as the text: a 1 MB "email" costs the same 8 bytes as any
// other, and an attacker cannot aim collisions. Memory is bounded: at most
// about max_tracked keys; when full, expired windows go first, then the
// oldest window.
//
// Thread-safe (sharded locks); time is passed in (seconds).
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
  // Starts an attempt: 0, with the attempt counted as a failure, if `key`
  // may try now; otherwise the seconds to wait (>= 1), counting nothing.
  uint32_t Reserve(std::string_view key, int64_t now);
  // Gives back one reserved attempt that was not a failure (it was never
  // evaluated, or it succeeded and the key's other failures stay).
  void Release(std::string_view key);
  // A successful login clears the key's failures.
  void Reset(std::string_view key);
  // Keys currently held (at most about max_tracked); for tests and metrics.
  size_t tracked() const;
  // The most keys ever held at once.
  size_t capacity() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::auth
