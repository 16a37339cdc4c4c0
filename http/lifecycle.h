// The request lifecycle: how a request's RequestRecord begins and where
// every request ends.
//
// Begin* runs when a request starts being answered: it settles the request
// id (kept from X-Request-Id or made) and the trace context (continued from
// traceparent or new), so every answer, error answers included, can carry
// them. End runs exactly once per answered request, from one of three
// places in HttpSession: a handler's (or the pipeline's) Send, deferred or
// not, the handler timeout's 503 included (OnResponseSent); a prebuilt
// error answer (SendFatal); and the refusal of a connection over capacity
// (OnOverCapacity). End stamps the end time and hands the record to the
// worker's metrics and access log, when they are on; with both off it does
// nothing, and Begin reads no clock. Loop thread only.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/request.h"
#include "http/request_record.h"
#include "http/worker_context.h"

namespace keel::http {

// A routed request: method, ids and trace from its headers, and (with the
// access log on) the remote address, path and User-Agent copied.
void BeginRecord(WorkerContext& ctx, const Request& req, size_t bytes_in, RequestRecord& rec);
// No parsed request (a malformed one, a timeout, a refused connection):
// a fresh request id and trace, method OTHER, route "unmatched".
void BeginBareRecord(WorkerContext& ctx, std::string_view remote_key, size_t bytes_in,
                     RequestRecord& rec);
void EndRecord(WorkerContext& ctx, RequestRecord& rec);

}  // namespace keel::http
