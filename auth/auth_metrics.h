// Auth metrics: logins and refreshes by result, token cache hits (counters
// per thread: each worker writes its own, the scrape sums them) and the
// password hash duration (a histogram written from the thread pool).
// AppendAuthMetrics prints the keel_auth_* families; any thread.
#pragma once

#include <cstdint>
#include <string>

namespace keel::auth {

// success: the password matched; failure: it did not (or no such account);
// locked: refused by the failed-login limits (429); busy: the hash queue
// was full (503).
enum class LoginResult : uint8_t { kSuccess, kFailure, kLocked, kBusy };
// ok: rotated; reuse: an already rotated token came back (the family ends);
// invalid: unknown, expired or past the session's maximum age.
enum class RefreshResult : uint8_t { kOk, kReuse, kInvalid };

void CountLogin(LoginResult r);
void CountRefresh(RefreshResult r);
void CountTokenCache(bool hit);
// One argon2id hash or verification took `ns` nanoseconds. Any thread.
void ObserveHash(uint64_t ns);

// `hash_queue_depth`: hashes queued or running now (the server knows).
void AppendAuthMetrics(std::string& out, uint64_t hash_queue_depth);

}  // namespace keel::auth
