#include "http/rate_limiter.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <mutex>

// Why a lock on the request path, when workers otherwise share nothing:
// - The limiter is off by default (--rate-limit 0 takes no lock at all).
// - With SO_REUSEPORT the kernel spreads one client's connections over all
//   workers, so per-worker buckets would let a client through at up to
//   threads * N a second; the bucket has to be shared to mean N.
// - The critical section is one short probe of a small table, once per
//   request, and kShards independent locks (each on its own cache line) keep
//   workers from queueing behind each other unless they serve the same
//   address at the same instant.
//
// Each shard is an open-addressing table with linear probing, allocated once
// and kept at most half full, so probes are short, nothing is allocated per
// request or per new client, and memory is fixed by max_tracked.
//
// Eviction, when a new address arrives at a full shard: look at up to
// kEvictionSample tracked addresses from the new key's home slot onwards.
// Prefer one whose bucket has refilled completely: it is in the same state
// as an address never seen, so dropping it loses nothing. Failing that, drop
// the one seen least recently of the sample (an approximate LRU, as Redis
// samples for maxmemory). Exact LRU was rejected: a list costs two pointers
// per entry and a relink on every request, and a full scan costs the whole
// shard under the lock. Denied requests refresh last_ms too, so a client
// being throttled is the last to be forgotten; an evicted client comes back
// with a full burst, which is the only leniency a flood of new addresses can
// buy.

namespace keel::http {
namespace {

constexpr size_t kEvictionSample = 8;

size_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

struct RateLimiter::Slot {
  uint64_t tokens;   // in units (thousandths of a token), as of last_ms
  uint64_t last_ms;  // the latest time this address was seen
  bool used;
  uint8_t key_len;
  char key[kMaxKeyBytes];

  std::string_view Key() const { return {key, key_len}; }
};

struct alignas(64) RateLimiter::Shard {
  std::mutex mu;
  std::unique_ptr<Slot[]> slots;
  size_t size = 0;
};

RateLimiter::RateLimiter(uint32_t rate, size_t max_tracked, uint32_t period_ms)
    : rate_(rate),
      units_per_token_(period_ms),
      full_refill_ms_(2ull * period_ms),
      burst_units_(2ull * period_ms * rate) {
  if (rate_ == 0) return;
  shard_capacity_ = std::max<size_t>(1, (max_tracked + kShards - 1) / kShards);
  slots_per_shard_ = 2 * shard_capacity_;  // at least one slot stays empty: probes end
  shards_ = std::make_unique<Shard[]>(kShards);
  for (size_t i = 0; i < kShards; ++i) {
    shards_[i].slots = std::make_unique<Slot[]>(slots_per_shard_);  // zeroed: all unused
  }
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Decision RateLimiter::Allow(std::string_view client_key, uint64_t now_ms) {
  if (rate_ == 0) return {true, 0};
  client_key = client_key.substr(0, kMaxKeyBytes);
  const size_t hash = HashKey(client_key);
  Shard& shard = shards_[hash % kShards];

  std::lock_guard<std::mutex> lock(shard.mu);
  Slot* slot = FindOrInsert(shard, client_key, HomeOf(hash), now_ms);
  slot->tokens = Refilled(*slot, now_ms);
  slot->last_ms = std::max(slot->last_ms, now_ms);
  if (slot->tokens >= units_per_token_) {
    slot->tokens -= units_per_token_;
    return {true, 0};
  }
  return {false, RetryAfterSeconds(slot->tokens)};
}

size_t RateLimiter::tracked() const {
  if (rate_ == 0) return 0;
  size_t total = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    total += shards_[i].size;
  }
  return total;
}

RateLimiter::Slot* RateLimiter::FindOrInsert(Shard& shard, std::string_view key, size_t home,
                                             uint64_t now_ms) {
  for (size_t i = home;; i = (i + 1) % slots_per_shard_) {
    Slot& s = shard.slots[i];
    if (s.used && s.Key() == key) return &s;
    if (s.used) continue;
    // Not tracked. Evicting may shift entries, so probe again for the hole.
    if (shard.size == shard_capacity_) {
      EvictOne(shard, home, now_ms);
      return FindOrInsert(shard, key, home, now_ms);
    }
    s.used = true;
    s.key_len = static_cast<uint8_t>(key.size());
    std::memcpy(s.key, key.data(), key.size());
    s.tokens = burst_units_;
    s.last_ms = now_ms;
    ++shard.size;
    return &s;
  }
}

void RateLimiter::EvictOne(Shard& shard, size_t start, uint64_t now_ms) {
  size_t victim = slots_per_shard_;
  size_t seen = 0;
  for (size_t n = 0, i = start; n < slots_per_shard_ && seen < kEvictionSample;
       ++n, i = (i + 1) % slots_per_shard_) {
    const Slot& s = shard.slots[i];
    if (!s.used) continue;
    ++seen;
    if (Refilled(s, now_ms) == burst_units_) {
      victim = i;
      break;
    }
    if (victim == slots_per_shard_ || s.last_ms < shard.slots[victim].last_ms) victim = i;
  }
  Erase(shard, victim);  // the shard is full, so at least one slot was seen
}

// Backward-shift deletion: pull later members of the probe run into the
// hole so lookups never need tombstones.
void RateLimiter::Erase(Shard& shard, size_t hole) {
  for (size_t j = (hole + 1) % slots_per_shard_; shard.slots[j].used;
       j = (j + 1) % slots_per_shard_) {
    const size_t home = HomeOf(HashKey(shard.slots[j].Key()));
    // The entry at j may fill the hole unless its home lies cyclically in
    // (hole, j]: then moving it before its home would hide it from lookups.
    const bool home_after_hole =
        hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!home_after_hole) {
      shard.slots[hole] = shard.slots[j];
      hole = j;
    }
  }
  shard.slots[hole].used = false;
  --shard.size;
}

uint64_t RateLimiter::Refilled(const Slot& slot, uint64_t now_ms) const {
  if (now_ms <= slot.last_ms) return slot.tokens;
  const uint64_t elapsed = now_ms - slot.last_ms;
  // Checked first so elapsed * rate_ cannot overflow.
  if (elapsed >= full_refill_ms_) return burst_units_;
  return std::min(burst_units_, slot.tokens + elapsed * rate_);
}

uint32_t RateLimiter::RetryAfterSeconds(uint64_t tokens) const {
  // With a rate of at least one token a second this is always 1; computed
  // rather than assumed so a change to the bucket shape cannot make it 0.
  const uint64_t deficit = units_per_token_ - tokens;
  const uint64_t wait_ms = (deficit + rate_ - 1) / rate_;
  return static_cast<uint32_t>(std::max<uint64_t>(1, (wait_ms + 999) / 1000));
}

}  // namespace keel::http
