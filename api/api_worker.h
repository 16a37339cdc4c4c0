// The api layer's per-worker state: what used to be thread_local in
// app_context.cc and authn.cc, now owned by the worker that uses it and
// reached from the request (http::Request::worker_state), the way
// http::WorkerContext is reached from a connection.
//
// One ApiWorker per worker thread, made by MakeApiWorker through
// http::ServerConfig::make_worker_state; used only on that worker's thread.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "core/status.h"
#include "http/request.h"
#include "http/worker_state.h"
#include "storage/store.h"

namespace keel::api {

// A client sends the same access token with every request until it
// expires, so each worker remembers the last tokens it verified and skips
// the signature check and the claims parsing for them (about half the cost
// of an authenticated GET). Only tokens that passed Verify are kept,
// matched on every byte and on the codec that verified them (its
// process-unique id, not its address, which a reloaded key set may reuse):
// after a SIGHUP reload, or under another codec, a token is verified afresh,
// so a key that was removed, retired past its window or never held cannot
// be vouched for by the cache. Their times are checked on each use, and the token version is
// still compared with the store by the caller, so a cached token stops
// working exactly when an uncached one would. Direct-mapped: a collision
// just evicts.
class TokenCache {
 public:
  core::Status Verify(const auth::TokenCodec& codec, std::string_view token, int64_t now,
                      auth::Claims* claims);

 private:
  static constexpr size_t kSlots = 256;
  struct Slot {
    uint64_t codec_id = 0;  // 0: empty
    std::string token;
    auth::Claims claims;
  };
  std::array<Slot, kSlots> slots_;
};

class ApiWorker final : public http::WorkerState {
 public:
  // This worker's reader of `store` (its own renewable LMDB read
  // transaction), made on first use.
  storage::Reader& reader(storage::Store& store);
  TokenCache& token_cache() { return token_cache_; }
  // Reused by Authenticate, so checking a token allocates nothing once warm.
  storage::UserRecord& user_scratch() { return user_scratch_; }

 private:
  std::unique_ptr<storage::Reader> reader_;
  TokenCache token_cache_;
  storage::UserRecord user_scratch_;
};

std::unique_ptr<http::WorkerState> MakeApiWorker();

// The ApiWorker of the worker handling `req` (the server must have been
// configured with MakeApiWorker).
inline ApiWorker& WorkerOf(const http::Request& req) {
  return *static_cast<ApiWorker*>(req.worker_state);
}

}  // namespace keel::api
