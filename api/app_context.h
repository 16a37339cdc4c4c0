// What the users and auth resources share: the store, the password hasher,
// the token codec and the login limits. Built once in main() before the
// workers start and read-only afterwards (the limiters and the store are
// thread-safe), so every worker uses it without locks.
#pragma once

#include <cstdint>
#include <string>

#include "auth/codec_slot.h"
#include "auth/login_limiter.h"
#include "auth/password_hasher.h"
#include "http/rate_limiter.h"
#include "storage/store.h"

namespace keel::api {

struct AppContext {
  storage::Store* store = nullptr;
  const auth::PasswordHasher* hasher = nullptr;
  // The token codec (HS256 or EdDSA), swapped by a SIGHUP reload of the
  // key directory; use tokens->ForThisThread() on a worker.
  const auth::CodecSlot* tokens = nullptr;
  auth::LoginLimiter* account_failures = nullptr;
  auth::LoginLimiter* address_failures = nullptr;
  int64_t refresh_ttl_seconds = 30 * 24 * 3600;
  int64_t session_max_age_seconds = 30 * 24 * 3600;
  // Hash jobs per worker that sign-ups and password changes leave free, so
  // a flood of them cannot take the capacity logins need.
  uint32_t login_hash_reserve = 16;
  // Sign-ups per client address (--signup-rate); thread-safe.
  http::RateLimiter* signup_limiter = nullptr;
};

// Wall-clock seconds, for timestamps and token times.
int64_t NowSeconds();
// Monotonic milliseconds, for rate limits (never steps back).
uint64_t MonotonicMs();

}  // namespace keel::api
