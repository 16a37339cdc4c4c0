// Metric primitives and the Prometheus text format (version 0.0.4).
//
// Counter: written by one thread only (a worker loop, the storage writer)
// and read by any (the scrape). The increment is a relaxed load and store,
// which compiles to a plain add: no lock prefix, no shared cache line with
// other writers, because every writer owns its own counters (per worker or
// per thread) and the scrape sums them. AddShared is for the few places with
// several writers off the loop (thread-pool jobs): a relaxed fetch_add.
//
// Histogram: fixed upper bounds in integer units (nanoseconds, items),
// counts per bucket (not cumulative; the scrape accumulates) and the sum.
// Observe is single-writer like Counter; ObserveShared may run on any
// thread.
//
// PromText appends families and samples to a string at scrape time; label
// values are escaped as the format asks (backslash, quote, newline).
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace keel::core {

class Counter {
 public:
  void Add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // For the few counters with several writers (thread-pool jobs).
  void AddShared(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void Set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  uint64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Histogram {
 public:
  // `bounds`: ascending upper bounds (inclusive), in the observed unit. The
  // span must outlive the histogram (a constexpr table).
  explicit Histogram(std::span<const uint64_t> bounds);

  // Single writer.
  void Observe(uint64_t v) {
    counts_[Bucket(v)].Add();
    sum_.Add(v);
  }
  // Any thread.
  void ObserveShared(uint64_t v) {
    counts_[Bucket(v)].AddShared();
    sum_.AddShared(v);
  }

  std::span<const uint64_t> bounds() const { return bounds_; }
  // Count in bucket i (i == bounds().size() is the +Inf overflow bucket).
  uint64_t count(size_t i) const { return counts_[i].Get(); }
  uint64_t sum() const { return sum_.Get(); }

 private:
  size_t Bucket(uint64_t v) const {
    size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    return i;
  }

  std::span<const uint64_t> bounds_;
  std::unique_ptr<Counter[]> counts_;
  Counter sum_;
};

// Sums of several histograms with the same bounds, ready to print.
struct HistogramTotals {
  std::span<const uint64_t> bounds;
  std::unique_ptr<uint64_t[]> counts;  // per bucket, +Inf last, not cumulative
  uint64_t sum = 0;

  explicit HistogramTotals(std::span<const uint64_t> b);
  void Add(const Histogram& h);
  // Adds raw per-bucket counts (bounds().size() + 1 of them) and a sum.
  void Add(const Counter* counts, uint64_t s);
  bool empty() const;
};

using Label = std::pair<std::string_view, std::string_view>;

class PromText {
 public:
  explicit PromText(std::string& out) : out_(out) {}

  // "# HELP name help\n# TYPE name type\n".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value);
  void Sample(std::string_view name, std::initializer_list<Label> labels, double value);
  // name_bucket{...,le="..."} lines (cumulative), name_sum and name_count.
  // Bounds and sum are divided by `divisor` (1e9: nanoseconds -> seconds).
  void HistogramSamples(std::string_view name, std::initializer_list<Label> labels,
                        const HistogramTotals& h, double divisor);

 private:
  void Name(std::string_view name, std::string_view suffix, std::initializer_list<Label> labels,
            const Label* extra);
  void Number(double v);

  std::string& out_;
};

// Escapes a label value: \ -> \\, " -> \", newline -> \n.
void AppendLabelValue(std::string& out, std::string_view v);

}  // namespace keel::core
