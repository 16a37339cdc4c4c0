#include "http/lifecycle.h"

#include <uv.h>

#include <algorithm>
#include <cstring>

#include "http/access_log.h"
#include "http/http_metrics.h"

namespace keel::http {
namespace {

bool Observed(const WorkerContext& ctx) {
  return ctx.metrics != nullptr || ctx.access_log != nullptr;
}

void Reset(WorkerContext& ctx, size_t bytes_in, RequestRecord& rec) {
  rec.method = Method::kOther;
  rec.status = 0;
  rec.route_id = 0;
  rec.route = kUnmatchedRoute;
  rec.bytes_in = bytes_in;
  rec.bytes_out = 0;
  rec.user_id = 0;
  rec.remote_len = 0;
  rec.path_len = 0;
  rec.user_agent_len = 0;
  rec.start_ns = rec.end_ns = Observed(ctx) ? uv_hrtime() : 0;
}

// Our span in `trace` (a continued trace's id and flags, or a new trace).
void SetTrace(WorkerContext& ctx, const Traceparent* incoming, RequestRecord& rec) {
  char trace_id[32];
  char span_id[16];
  uint8_t flags = 0;
  if (incoming != nullptr) {
    std::memcpy(trace_id, incoming->trace_id, 32);
    flags = incoming->flags & 0x01;  // sampled; level 1 defines no other flag
  } else {
    ctx.ids.RandomHex(trace_id, 16);
  }
  ctx.ids.RandomHex(span_id, 8);
  FormatTraceparent(trace_id, span_id, flags, rec.traceparent);
}

void SetRemote(std::string_view remote_key, RequestRecord& rec) {
  rec.remote_len = static_cast<uint8_t>(std::min(remote_key.size(), sizeof rec.remote));
  if (rec.remote_len != 0) std::memcpy(rec.remote, remote_key.data(), rec.remote_len);
}

uint16_t CopyCapped(std::string_view from, char* to) {
  size_t n = std::min(from.size(), RequestRecord::kMaxLoggedBytes);
  if (n != 0) std::memcpy(to, from.data(), n);  // an absent header's data() is null
  return static_cast<uint16_t>(n);
}

}  // namespace

void BeginRecord(WorkerContext& ctx, const Request& req, size_t bytes_in, RequestRecord& rec) {
  Reset(ctx, bytes_in, rec);
  rec.method = req.method;
  // One pass over the headers for the three this needs.
  std::string_view request_id, traceparent, user_agent;
  int traceparents = 0;
  for (const Header& h : req.headers) {
    switch (h.name.size()) {
      case 12:
        if (request_id.empty() && EqualsIgnoreCase(h.name, "x-request-id")) request_id = h.value;
        break;
      case 11:
        if (EqualsIgnoreCase(h.name, "traceparent")) {
          traceparent = h.value;
          ++traceparents;
        }
        break;
      case 10:
        if (user_agent.empty() && EqualsIgnoreCase(h.name, "user-agent")) user_agent = h.value;
        break;
      default:
        break;
    }
  }
  if (IsValidRequestId(request_id)) {
    std::memcpy(rec.request_id, request_id.data(), request_id.size());
    rec.request_id_len = static_cast<uint8_t>(request_id.size());
  } else {
    rec.request_id_len = static_cast<uint8_t>(ctx.ids.NextRequestId(rec.request_id));
  }
  // Several traceparent headers make the context ambiguous: the spec says
  // to treat that as invalid.
  Traceparent incoming;
  bool continued = traceparents == 1 && ParseTraceparent(traceparent, &incoming);
  SetTrace(ctx, continued ? &incoming : nullptr, rec);
  if (ctx.access_log != nullptr) {
    SetRemote(req.remote_key, rec);
    rec.path_len = CopyCapped(req.path, rec.path);
    rec.user_agent_len = CopyCapped(user_agent, rec.user_agent);
  }
}

void BeginBareRecord(WorkerContext& ctx, std::string_view remote_key, size_t bytes_in,
                     RequestRecord& rec) {
  Reset(ctx, bytes_in, rec);
  rec.request_id_len = static_cast<uint8_t>(ctx.ids.NextRequestId(rec.request_id));
  SetTrace(ctx, nullptr, rec);
  if (ctx.access_log != nullptr) SetRemote(remote_key, rec);
}

void EndRecord(WorkerContext& ctx, RequestRecord& rec) {
  if (!Observed(ctx)) return;
  rec.end_ns = uv_hrtime();
  if (ctx.metrics != nullptr) ctx.metrics->Record(rec);
  if (ctx.access_log != nullptr) ctx.access_log->Write(rec);
}

}  // namespace keel::http
