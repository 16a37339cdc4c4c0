// State an HTTP worker shares among its connections (private to http/).
//
// One per worker thread, created by the Server before the worker starts and
// used only on that worker's thread. Because a worker handles one request at
// a time, the per-request scratch (header slots, the Request, the Response,
// body scratch) lives here rather than in every connection: an idle
// connection then costs only its socket, its parser and a few flags.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "core/ascii.h"
#include "http/access_log.h"
#include "http/cors.h"
#include "http/rate_limiter.h"
#include "http/request.h"
#include "http/request_parser.h"
#include "http/request_record.h"
#include "http/response.h"
#include "core/json_reader.h"
#include "http/router.h"
#include "http/worker_state.h"
#include "http/trace_context.h"

namespace keel::http {

class HttpMetrics;

struct WorkerContext {
  static constexpr size_t kMaxHeaders = 100;

  const ParserLimits* limits = nullptr;
  const Router* router = nullptr;
  const CorsPolicy* cors = nullptr;
  RateLimiter* rate_limiter = nullptr;  // shared by all workers, thread-safe
  // The lifecycle's observers (http/lifecycle.h); null when off.
  HttpMetrics* metrics = nullptr;           // this worker's own
  AccessLog::Worker* access_log = nullptr;  // this worker's buffer

  // The JSON reader for request bodies (Request::json) and the protocol
  // user's own state (Request::worker_state).
  core::JsonReader json;
  std::unique_ptr<WorkerState> state;

  std::array<Header, kMaxHeaders> header_slots{};
  Request request;
  Response response;
  RequestRecord record;  // of the request being handled synchronously
  IdSource ids;          // request ids, span and trace ids
  std::string scratch;
  char retry_after[core::kRetryAfterBytes] = {};
};

}  // namespace keel::http
