// HTTP metrics of one worker, and their Prometheus text.
//
// Each worker owns one HttpMetrics and is its only writer (core::Counter:
// a plain add, no lock, no contended atomic). The scrape, on the metrics
// listener's thread, reads every worker's and prints the sums. Labels are
// bounded by construction: routes are the Router's ids (unknown paths are
// "unmatched"), methods the eight of http::Method (anything else is
// "OTHER"), and codes the statuses keel can send (anything else "other").
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/metrics.h"
#include "http/method.h"
#include "http/request_record.h"

namespace keel::http {

class Router;

// 100 us ... 10 s, in nanoseconds.
inline constexpr uint64_t kDurationBoundsNs[] = {
    100'000,       250'000,       500'000,       1'000'000,     2'500'000,   5'000'000,
    10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000, 500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

enum class Rejection : uint8_t { kOverCapacity, kDraining };
inline constexpr int kRejectionCount = 2;

class HttpMetrics {
 public:
  // Slots for route ids 0..routes-1.
  explicit HttpMetrics(uint32_t routes);

  // Loop thread: the end of one request (the lifecycle calls it).
  void Record(const RequestRecord& r);
  void ConnectionAccepted() { accepted_.Add(); }
  void ConnectionRejected(Rejection why) { rejected_[static_cast<int>(why)].Add(); }
  // An error answered before routing (parse, limits, timeouts), by status.
  void ParseError(int status);
  void RateLimited() { rate_limited_.Add(); }

 private:
  friend void AppendHttpMetrics(std::string& out, std::span<const HttpMetrics* const> workers,
                                const Router& router, uint64_t open_connections);
  static constexpr size_t kBuckets = std::size(kDurationBoundsNs) + 1;

  size_t RequestSlot(uint32_t route, Method m, size_t code) const;
  size_t DurationSlot(uint32_t route, Method m) const;

  uint32_t routes_;
  std::unique_ptr<core::Counter[]> requests_;       // [route][method][code]
  std::unique_ptr<core::Counter[]> durations_;      // [route][method][bucket]
  std::unique_ptr<core::Counter[]> duration_sums_;  // [route][method], ns
  std::unique_ptr<core::Counter[]> parse_errors_;   // [code]
  core::Counter bytes_in_;
  core::Counter bytes_out_;
  core::Counter accepted_;
  core::Counter rejected_[kRejectionCount];
  core::Counter rate_limited_;
};

// The keel_http_* families, summed over `workers`.
void AppendHttpMetrics(std::string& out, std::span<const HttpMetrics* const> workers,
                       const Router& router, uint64_t open_connections);

}  // namespace keel::http
