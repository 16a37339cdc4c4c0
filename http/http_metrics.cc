#include "http/http_metrics.h"

#include <array>
#include <string_view>

#include "http/router.h"

namespace keel::http {
namespace {

// Every status keel sends (http/status_line.cc), then "other".
constexpr int kCodes[] = {100, 200, 201, 202, 204, 301, 304, 400, 401, 403,
                          404, 405, 406, 408, 409, 411, 412, 413, 414, 415,
                          417, 422, 428, 429, 431, 500, 501, 503, 505, 507};
constexpr size_t kCodeCount = std::size(kCodes) + 1;
constexpr size_t kOtherCode = std::size(kCodes);

constexpr std::array<uint8_t, 600> kCodeSlot = [] {
  std::array<uint8_t, 600> t{};
  for (uint8_t& v : t) v = static_cast<uint8_t>(kOtherCode);
  for (size_t i = 0; i < std::size(kCodes); ++i) t[kCodes[i]] = static_cast<uint8_t>(i);
  return t;
}();

size_t CodeSlot(int status) { return status >= 0 && status < 600 ? kCodeSlot[status] : kOtherCode; }

std::string CodeLabel(size_t slot) {
  return slot == kOtherCode ? "other" : std::to_string(kCodes[slot]);
}

}  // namespace

HttpMetrics::HttpMetrics(uint32_t routes)
    : routes_(routes == 0 ? 1 : routes),
      requests_(new core::Counter[routes_ * kMethodCount * kCodeCount]),
      durations_(new core::Counter[routes_ * kMethodCount * kBuckets]),
      duration_sums_(new core::Counter[routes_ * kMethodCount]),
      parse_errors_(new core::Counter[kCodeCount]) {}

size_t HttpMetrics::RequestSlot(uint32_t route, Method m, size_t code) const {
  return (route * kMethodCount + static_cast<size_t>(m)) * kCodeCount + code;
}

size_t HttpMetrics::DurationSlot(uint32_t route, Method m) const {
  return route * kMethodCount + static_cast<size_t>(m);
}

void HttpMetrics::Record(const RequestRecord& r) {
  uint32_t route = r.route_id < routes_ ? r.route_id : 0;
  requests_[RequestSlot(route, r.method, CodeSlot(r.status))].Add();
  uint64_t ns = r.end_ns >= r.start_ns ? r.end_ns - r.start_ns : 0;
  size_t bucket = 0;
  while (bucket < std::size(kDurationBoundsNs) && ns > kDurationBoundsNs[bucket]) ++bucket;
  size_t slot = DurationSlot(route, r.method);
  durations_[slot * kBuckets + bucket].Add();
  duration_sums_[slot].Add(ns);
  bytes_in_.Add(r.bytes_in);
  bytes_out_.Add(r.bytes_out);
}

void HttpMetrics::ParseError(int status) { parse_errors_[CodeSlot(status)].Add(); }

void AppendHttpMetrics(std::string& out, std::span<const HttpMetrics* const> workers,
                       const Router& router, uint64_t open_connections) {
  core::PromText p(out);
  const uint32_t routes = router.route_count();
  auto sum = [&](auto get) {
    uint64_t total = 0;
    for (const HttpMetrics* w : workers) total += get(*w);
    return total;
  };

  p.Family("keel_http_requests_total", "counter",
           "HTTP requests answered, by method, route template and status code.");
  for (uint32_t route = 0; route < routes; ++route) {
    for (int m = 0; m < kMethodCount; ++m) {
      for (size_t code = 0; code < kCodeCount; ++code) {
        uint64_t n = sum([&](const HttpMetrics& w) {
          return route < w.routes_
                     ? w.requests_[w.RequestSlot(route, static_cast<Method>(m), code)].Get()
                     : 0;
        });
        if (n == 0) continue;
        std::string code_label = CodeLabel(code);
        p.Sample("keel_http_requests_total",
                 {{"method", MethodName(static_cast<Method>(m))},
                  {"route", router.route_name(route)},
                  {"code", code_label}},
                 n);
      }
    }
  }

  p.Family("keel_http_request_duration_seconds", "histogram",
           "Time from a complete request to its answer written, by method and route.");
  for (uint32_t route = 0; route < routes; ++route) {
    for (int m = 0; m < kMethodCount; ++m) {
      core::HistogramTotals h(kDurationBoundsNs);
      for (const HttpMetrics* w : workers) {
        if (route >= w->routes_) continue;
        size_t slot = w->DurationSlot(route, static_cast<Method>(m));
        h.Add(&w->durations_[slot * HttpMetrics::kBuckets], w->duration_sums_[slot].Get());
      }
      if (h.empty()) continue;
      p.HistogramSamples(
          "keel_http_request_duration_seconds",
          {{"method", MethodName(static_cast<Method>(m))}, {"route", router.route_name(route)}}, h,
          1e9);
    }
  }

  p.Family("keel_http_request_bytes_total", "counter",
           "Bytes of requests received: request line, headers and body.");
  p.Sample("keel_http_request_bytes_total", {},
           sum([](const HttpMetrics& w) { return w.bytes_in_.Get(); }));
  p.Family("keel_http_response_bytes_total", "counter", "Bytes of responses written.");
  p.Sample("keel_http_response_bytes_total", {},
           sum([](const HttpMetrics& w) { return w.bytes_out_.Get(); }));

  p.Family("keel_http_connections_open", "gauge", "Open client connections.");
  p.Sample("keel_http_connections_open", {}, open_connections);
  p.Family("keel_http_connections_accepted_total", "counter",
           "Client connections accepted, the rejected ones included.");
  p.Sample("keel_http_connections_accepted_total", {},
           sum([](const HttpMetrics& w) { return w.accepted_.Get(); }));
  p.Family("keel_http_connections_rejected_total", "counter",
           "Client connections answered 503 and closed at once, by reason.");
  static constexpr std::string_view kReasons[] = {"over_capacity", "draining"};
  for (int i = 0; i < kRejectionCount; ++i) {
    p.Sample("keel_http_connections_rejected_total", {{"reason", kReasons[i]}},
             sum([i](const HttpMetrics& w) { return w.rejected_[i].Get(); }));
  }

  p.Family("keel_http_parse_errors_total", "counter",
           "Requests refused before routing (malformed, over a limit, timed out), by status.");
  for (size_t code = 0; code < kCodeCount; ++code) {
    uint64_t n = sum([code](const HttpMetrics& w) { return w.parse_errors_[code].Get(); });
    if (n == 0) continue;
    std::string code_label = CodeLabel(code);
    p.Sample("keel_http_parse_errors_total", {{"code", code_label}}, n);
  }

  p.Family("keel_http_rate_limited_total", "counter", "Requests refused with 429 by --rate-limit.");
  p.Sample("keel_http_rate_limited_total", {},
           sum([](const HttpMetrics& w) { return w.rate_limited_.Get(); }));
}

}  // namespace keel::http
