#include "core/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace keel::core {
namespace {

constexpr uint64_t kBounds[] = {10, 100};

TEST(Metrics, HistogramBucketsAreCumulativeInText) {
  Histogram h(kBounds);
  h.Observe(5);
  h.Observe(10);  // bounds are inclusive
  h.Observe(50);
  h.ObserveShared(1000);
  HistogramTotals t(kBounds);
  t.Add(h);
  std::string out;
  PromText p(out);
  p.HistogramSamples("x_seconds", {{"route", "/a"}}, t, 1000);
  EXPECT_EQ(out,
            "x_seconds_bucket{route=\"/a\",le=\"0.01\"} 2\n"
            "x_seconds_bucket{route=\"/a\",le=\"0.1\"} 3\n"
            "x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "x_seconds_sum{route=\"/a\"} 1.065\n"
            "x_seconds_count{route=\"/a\"} 4\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
  std::string out;
  PromText p(out);
  p.Family("y_total", "counter", "Help.");
  p.Sample("y_total", {{"a", "q\"b\\s\nn"}}, uint64_t{3});
  EXPECT_EQ(out,
            "# HELP y_total Help.\n# TYPE y_total counter\ny_total{a=\"q\\\"b\\\\s\\nn\"} 3\n");
}

TEST(Metrics, CounterAddsAndSets) {
  Counter c;
  c.Add();
  c.Add(4);
  c.AddShared(2);
  EXPECT_EQ(c.Get(), 7u);
  c.Set(1);
  EXPECT_EQ(c.Get(), 1u);
}

}  // namespace
}  // namespace keel::core
