// What the request lifecycle keeps about one request, from its start to
// the moment its answer is written, for metrics and the access log.
//
// A RequestRecord is filled when the request is routed and copied with a
// deferred answer (HttpSession's Deferred), so it never points into the
// per-worker Request, which the next request on another connection reuses
// while this one waits. Views it holds point into the Router (the route
// template), which outlives every request. Loop thread only.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/method.h"
#include "http/trace_context.h"

namespace keel::http {

// The route label of every request no pattern owns (unknown paths, and
// errors found before routing), so metrics labels stay bounded.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

struct RequestRecord {
  static constexpr size_t kMaxLoggedBytes = 256;  // path and User-Agent

  Method method = Method::kOther;
  int status = 0;
  uint32_t route_id = 0;  // Router::RouteId; 0: unmatched
  std::string_view route = kUnmatchedRoute;
  uint64_t start_ns = 0;  // monotonic (uv_hrtime)
  uint64_t end_ns = 0;
  uint64_t bytes_in = 0;  // the request as received: line, headers, body
  uint64_t bytes_out = 0;
  uint64_t user_id = 0;  // the authenticated caller; 0: none

  uint8_t request_id_len = 0;
  char request_id[kMaxRequestIdBytes];
  char traceparent[kTraceparentBytes];  // ours: the trace, our span, flags

  // Only filled while the access log is on.
  uint8_t remote_len = 0;
  char remote[16];  // raw network-order address (Request::remote_key)
  uint16_t path_len = 0;
  uint16_t user_agent_len = 0;
  char path[kMaxLoggedBytes];
  char user_agent[kMaxLoggedBytes];

  std::string_view request_id_view() const { return {request_id, request_id_len}; }
  std::string_view traceparent_view() const { return {traceparent, kTraceparentBytes}; }
  std::string_view trace_id() const { return {traceparent + 3, 32}; }
  std::string_view span_id() const { return {traceparent + 36, 16}; }
};

}  // namespace keel::http
