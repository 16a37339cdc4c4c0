#include "auth/login_limiter.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keel::auth {

namespace {

// Enough shards that workers rarely meet on one lock; few enough that the
// per-shard share of max_tracked stays large.
constexpr size_t kShards = 16;

struct Entry {
  int64_t window_start = 0;
  uint32_t failures = 0;
};

// Lets the maps be searched with a string_view key, without building a
// std::string per lookup.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using EntryMap = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;

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

  Shard& ShardFor(std::string_view key) {
    // The map rehashes the key with the same function; the high bits pick
    // the shard so that the bucket index (low bits) stays spread within it.
    const size_t h = KeyHash{}(key);
    return shards[(h >> 28) % kShards];
  }
  bool Expired(const Entry& e, int64_t now) const { return now >= e.window_start + window; }
  void MakeRoom(EntryMap& entries, int64_t now) const;
};

// Called with the shard full. Expired windows hold no information, so they
// go first; if none has expired, the oldest window goes, the one that would
// have expired next. That forgets some failures, the price of bounded
// memory; the scan is linear, which is cheap next to the password hash each
// recorded failure already cost.
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
}

LoginLimiter::~LoginLimiter() = default;

uint32_t LoginLimiter::RetryAfter(std::string_view key, int64_t now) const {
  if (impl_->max_failures == 0) return 0;
  Shard& shard = impl_->ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return 0;
  const Entry& e = it->second;
  if (impl_->Expired(e, now) || e.failures < impl_->max_failures) return 0;
  // A clock that stepped back could make this exceed the window; cap it.
  const int64_t wait = std::min(e.window_start + impl_->window - now, impl_->window);
  return static_cast<uint32_t>(std::max<int64_t>(wait, 1));
}

void LoginLimiter::RecordFailure(std::string_view key, int64_t now) {
  if (impl_->max_failures == 0) return;
  Shard& shard = impl_->ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) {
    if (shard.entries.size() >= impl_->per_shard_cap) impl_->MakeRoom(shard.entries, now);
    shard.entries.emplace(std::string(key), Entry{now, 1});
    return;
  }
  Entry& e = it->second;
  if (impl_->Expired(e, now)) {
    e = Entry{now, 1};
  } else if (e.failures < UINT32_MAX) {
    ++e.failures;
  }
}

void LoginLimiter::Reset(std::string_view key) {
  if (impl_->max_failures == 0) return;
  Shard& shard = impl_->ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it != shard.entries.end()) shard.entries.erase(it);
}

size_t LoginLimiter::tracked() const {
  size_t n = 0;
  for (Shard& shard : impl_->shards) {
    std::lock_guard lock(shard.mu);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace keel::auth
