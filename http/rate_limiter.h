// Per-client rate limits: requests (--rate-limit N a second) and sign-ups
// (--signup-rate N a minute).
//
// A token bucket per client address: it refills at N tokens a period (a
// second unless the constructor says otherwise), holds at most 2N (the
// burst), and each request takes one token. A request that
// finds less than one token is denied (and takes none); the caller answers
// 429 with Retry-After. N = 0 turns the limiter off: Allow always allows,
// touches no lock and allocates nothing.
//
// Keys are the client address as raw bytes, at most kMaxKeyBytes: the 4
// bytes of sin_addr for IPv4, the 16 bytes of sin6_addr for IPv6. Callers
// should map IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) to their 4 IPv4
// bytes so a dual-stack listener counts one client once. Longer keys are
// cut to kMaxKeyBytes. The bytes are copied; the view need only live for the
// call.
//
// Time is passed in as monotonic milliseconds (e.g. uv_now of the calling
// worker's loop); all callers must use the same clock. Small skew between
// threads is harmless: a bucket never moves backwards in time.
//
// Memory is bounded: at most capacity() addresses are tracked (max_tracked
// rounded up to a multiple of kShards), in tables allocated once in the
// constructor (about 80 bytes per tracked address). See rate_limiter.cc for
// the eviction policy.
//
// Thread safety: Allow, tracked and capacity may be called from any thread
// concurrently. Construction and destruction must not overlap any call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace keel::http {

// The part of a raw client address (Request::remote_key) that names one
// client for per-client limits: all 4 bytes of IPv4, the /64 prefix of IPv6
// (a host usually holds a whole /64 and could rotate addresses within it).
inline std::string_view ClientPrefix(std::string_view remote_key) {
  return remote_key.size() == 16 ? remote_key.substr(0, 8) : remote_key;
}

class RateLimiter {
 public:
  static constexpr size_t kMaxKeyBytes = 16;
  static constexpr size_t kShards = 64;

  struct Decision {
    bool allowed;
    // 0 when allowed; when denied, whole seconds (at least 1, rounded up)
    // until the bucket holds one token again.
    uint32_t retry_after_seconds;
  };

  // `rate` tokens every `period_ms` milliseconds.
  explicit RateLimiter(uint32_t rate, size_t max_tracked = 100000, uint32_t period_ms = 1000);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  bool enabled() const { return rate_ != 0; }

  // Takes one token from client_key's bucket if it has one.
  Decision Allow(std::string_view client_key, uint64_t now_ms);

  // Addresses currently tracked (for tests and stats; locks every shard).
  size_t tracked() const;
  // The most addresses ever tracked at once; 0 when disabled.
  size_t capacity() const { return shard_capacity_ * (enabled() ? kShards : 0); }

 private:
  struct Slot;
  struct Shard;

  Slot* FindOrInsert(Shard& shard, std::string_view key, size_t home, uint64_t now_ms);
  void EvictOne(Shard& shard, size_t start, uint64_t now_ms);
  void Erase(Shard& shard, size_t index);
  size_t HomeOf(size_t hash) const { return (hash / kShards) % slots_per_shard_; }
  uint64_t Refilled(const Slot& slot, uint64_t now_ms) const;
  uint32_t RetryAfterSeconds(uint64_t tokens) const;

  // A token is period_ms units, so a rate of N tokens a period is N units
  // a millisecond and all arithmetic stays in integers.
  uint64_t rate_;              // units per millisecond == tokens per period
  uint64_t units_per_token_;   // period_ms
  uint64_t full_refill_ms_;    // two periods: any bucket left alone this long is full
  uint64_t burst_units_;       // 2 * rate tokens
  size_t shard_capacity_ = 0;
  size_t slots_per_shard_ = 0;
  std::unique_ptr<Shard[]> shards_;  // kShards of them; null when disabled
};

}  // namespace keel::http
