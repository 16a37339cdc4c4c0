#include "auth/login_limiter.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include <sodium.h>

#include "auth/sodium_init.h"

namespace keel::auth {

namespace {

// Enough shards that workers rarely meet on one lock; few enough that the
// per-shard share of max_tracked stays large.
constexpr size_t kShards = 16;

struct Entry {
  int64_t window_start = 0;
  uint32_t failures = 0;
};

// The key's 64-bit SipHash; the map hashes that again, cheaply.
using EntryMap = std::unordered_map<uint64_t, Entry>;

// On its own cache line so that two workers locking neighbouring shards do
// not contend on the line.
struct alignas(64) Shard {
  std::mutex mu;
  EntryMap entries;
};

}  // namespace

struct LoginLimiter::Impl {
  uint32_t max_failures;
  int64_t window;
  size_t per_shard_cap;
  std::array<Shard, kShards> shards;

  unsigned char hash_key[crypto_shorthash_KEYBYTES];

  uint64_t Hash(std::string_view key) const {
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     hash_key);
    uint64_t h;
    std::memcpy(&h, out, sizeof h);
    return h;
  }
  Shard& ShardFor(uint64_t h) { return shards[(h >> 58) % kShards]; }
  bool Expired(const Entry& e, int64_t now) const { return now >= e.window_start + window; }
  void MakeRoom(EntryMap& entries, int64_t now) const;
};

// Called with the shard full. Expired windows hold no information, so they
// go first; if none has expired, the oldest window goes, the one that would
// have expired next. That forgets some failures, the price of bounded
// memory; the scan is linear (a few thousand entries per shard by
// default), which is cheap next to the password hash each attempt costs.
void LoginLimiter::Impl::MakeRoom(EntryMap& entries, int64_t now) const {
  const size_t before = entries.size();
  std::erase_if(entries, [&](const auto& kv) { return Expired(kv.second, now); });
  if (entries.size() < before) return;
  auto oldest = std::min_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second.window_start < b.second.window_start;
  });
  if (oldest != entries.end()) entries.erase(oldest);
}

LoginLimiter::LoginLimiter(uint32_t max_failures, uint32_t window_seconds, size_t max_tracked)
    : impl_(std::make_unique<Impl>()) {
  impl_->max_failures = max_failures;
  impl_->window = window_seconds;
  impl_->per_shard_cap = std::max<size_t>(1, max_tracked / kShards);
  EnsureSodium();
  crypto_shorthash_keygen(impl_->hash_key);
}

LoginLimiter::~LoginLimiter() = default;

uint32_t LoginLimiter::RetryAfter(std::string_view key, int64_t now) const {
  if (impl_->max_failures == 0) return 0;
  const uint64_t h = impl_->Hash(key);
  Shard& shard = impl_->ShardFor(h);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(h);
  if (it == shard.entries.end()) return 0;
  const Entry& e = it->second;
  if (impl_->Expired(e, now) || e.failures < impl_->max_failures) return 0;
  // A clock that stepped back could make this exceed the window; cap it.
  const int64_t wait = std::min(e.window_start + impl_->window - now, impl_->window);
  return static_cast<uint32_t>(std::max<int64_t>(wait, 1));
}

uint32_t LoginLimiter::Reserve(std::string_view key, int64_t now) {
  if (impl_->max_failures == 0) return 0;
  const uint64_t h = impl_->Hash(key);
  Shard& shard = impl_->ShardFor(h);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(h);
  if (it == shard.entries.end()) {
    if (shard.entries.size() >= impl_->per_shard_cap) impl_->MakeRoom(shard.entries, now);
    shard.entries.emplace(h, Entry{now, 1});
    return 0;
  }
  Entry& e = it->second;
  if (impl_->Expired(e, now)) {
    e = Entry{now, 1};
    return 0;
  }
  if (e.failures < impl_->max_failures) {
    ++e.failures;
    return 0;
  }
  const int64_t wait = std::min(e.window_start + impl_->window - now, impl_->window);
  return static_cast<uint32_t>(std::max<int64_t>(wait, 1));
}

void LoginLimiter::Release(std::string_view key) {
  if (impl_->max_failures == 0) return;
  const uint64_t h = impl_->Hash(key);
  Shard& shard = impl_->ShardFor(h);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(h);
  if (it == shard.entries.end()) return;
  if (it->second.failures <= 1) {
    shard.entries.erase(it);
  } else {
    --it->second.failures;
  }
}

void LoginLimiter::Reset(std::string_view key) {
  if (impl_->max_failures == 0) return;
  const uint64_t h = impl_->Hash(key);
  Shard& shard = impl_->ShardFor(h);
  std::lock_guard lock(shard.mu);
  shard.entries.erase(h);
}

size_t LoginLimiter::tracked() const {
  size_t n = 0;
  for (Shard& shard : impl_->shards) {
    std::lock_guard lock(shard.mu);
    n += shard.entries.size();
  }
  return n;
}

size_t LoginLimiter::capacity() const { return impl_->per_shard_cap * kShards; }

}  // namespace keel::auth
