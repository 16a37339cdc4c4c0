#include "http/http_session.h"

#include "core/worker.h"
#include "http/cors.h"
#include "http/http_metrics.h"
#include "http/lifecycle.h"

namespace keel::http {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

HttpSession::HttpSession(core::Worker& worker, WorkerContext& ctx)
    : core::Connection(worker), ctx_(ctx), parser_(ctx.limits) {
  if (ctx_.metrics != nullptr) ctx_.metrics->ConnectionAccepted();
}

HttpSession::~HttpSession() = default;

void HttpSession::OnRead() {
  if (!handling_) ProcessInput();
}

void HttpSession::ProcessInput() {
  int handled = 0;
  while (!closing() && !handling_) {
    // Backpressure: leave requests in the input buffer until the peer has
    // read what we already owe it (OnWritten resumes).
    if (queued_bytes() > worker().config().output_high_water) break;
    RequestParser::Event ev = parser_.Parse(in());
    if (ev == RequestParser::Event::kNeedMore) {
      if (parser_.wants_continue()) {
        out().Append(kContinue);
        parser_.continue_sent();
      }
      if (parser_.in_body()) {
        ArmPhase(Phase::kBody);
      } else if (parser_.in_message()) {
        ArmPhase(Phase::kHeader);
      }
      break;
    }
    if (ev == RequestParser::Event::kError) {
      SendFatal(parser_.error());
      return;
    }
    if (handled == kMaxRequestsPerTurn) {
      ScheduleResume();
      break;
    }
    ++handled;
    HandleRequest();
  }
  Flush();
}

Response& HttpSession::BeginResponse(bool head, bool keep_alive, bool http10, RequestRecord* rec) {
  core::DateCache& date = worker().date();
  Response::Context c;
  c.out = &out();
  c.conn = this;
  c.seq = request_seq_;
  c.scratch = &ctx_.scratch;
  c.sink = this;
  c.date_block = date.header_block();
  c.timestamp = date.rfc3339();
  c.head = head;
  c.keep_alive = keep_alive;
  c.http10 = http10;
  c.record = rec;
  ctx_.response.Reset(c);
  return ctx_.response;
}

void HttpSession::HandleRequest() {
  ArmPhase(Phase::kHandling);
  deferred_.reset();
  ++request_seq_;
  Request& req = ctx_.request;
  req.params.Clear();
  if (!parser_.Build(in(), ctx_.header_slots, req)) {
    SendFatal(parser_.error());
    return;
  }
  req.remote_key = remote_key();
  RequestRecord& rec = ctx_.record;
  BeginRecord(ctx_, req, parser_.message_bytes(), rec);
  bool keep_alive = req.keep_alive && !worker().draining() && !peer_eof_;
  Response& res =
      BeginResponse(req.method == Method::kHead, keep_alive, req.version_minor == 0, &rec);

  handling_ = true;
  in_handler_ = true;
  Route(req, res, rec);
  if (!res.sent() && !res.deferred()) res.SendError(500, "the handler did not answer");
  in_handler_ = false;

  if (res.sent()) {
    FinishRequest(res.close_after());
  } else {
    // Deferred: the record moves with the response, out of the worker's
    // slot, which the next request (on any connection) reuses.
    deferred_ = std::make_unique<Deferred>();
    deferred_->record = rec;
    deferred_->response = res;
    deferred_->response.set_scratch(&deferred_->scratch);
    deferred_->response.set_record(&deferred_->record);
    // Input stays buffered (and bounded) until the answer is sent.
    PauseReading();
    // An answer that never comes (a lost Pending, a stuck job) must not
    // hold the connection until drain: --handler-timeout answers 503.
    ArmReadTimeout(core::TimeoutKind::kHandler);
  }
}

void HttpSession::Route(Request& req, Response& res, RequestRecord& rec) {
  static constexpr Step kPipeline[] = {&HttpSession::StepCors, &HttpSession::StepRateLimit,
                                       &HttpSession::StepOptions, &HttpSession::StepHandler};
  // OPTIONS has no handlers, so it resolves to the path's owner with
  // kMethodNotAllowed and the Allow list, or to kNotFound.
  Router::Match m = ctx_.router->Find(req.method, req.path, req.params);
  rec.route = m.route;
  rec.route_id = m.route_id;
  for (Step step : kPipeline) {
    if (!(this->*step)(req, res, m)) return;
  }
}

bool HttpSession::StepCors(Request& req, Response& res, const Router::Match&) {
  if (ctx_.cors->enabled()) res.set_extra_block(ctx_.cors->ResponseHeaders(req.Find("origin")));
  return true;
}

bool HttpSession::StepRateLimit(Request& req, Response& res, const Router::Match&) {
  if (ctx_.rate_limiter == nullptr || !ctx_.rate_limiter->enabled()) return true;
  RateLimiter::Decision d =
      ctx_.rate_limiter->Allow(ClientPrefix(req.remote_key), worker().now_ms());
  if (d.allowed) return true;
  if (ctx_.metrics != nullptr) ctx_.metrics->RateLimited();
  res.AddHeader("Retry-After", core::FormatRetryAfter(d.retry_after_seconds, ctx_.retry_after));
  res.SendError(429, "too many requests from this address");
  return false;
}

bool HttpSession::StepOptions(Request& req, Response& res, const Router::Match& m) {
  if (req.method != Method::kOptions) return true;
  if (m.kind == Router::Match::Kind::kNotFound) {
    res.SendError(404, "no such resource");
    return false;
  }
  std::string_view origin = req.Find("origin");
  std::string_view method = req.Find("access-control-request-method");
  if (CorsPolicy::IsPreflight(req.method, origin, method)) {
    std::string_view block;
    if (!ctx_.cors->Preflight(origin, method, req.Find("access-control-request-headers"), block)) {
      res.SendError(403, "CORS preflight refused for this origin, method or headers");
      return false;
    }
    res.set_extra_block(block);
  }
  res.AddHeader("Allow", m.allow);
  res.SendEmpty(204);
  return false;
}

bool HttpSession::StepHandler(Request& req, Response& res, const Router::Match& m) {
  switch (m.kind) {
    case Router::Match::Kind::kFound:
      (*m.handler)(req, res);
      break;
    case Router::Match::Kind::kMethodNotAllowed:
      res.AddHeader("Allow", m.allow);
      res.SendError(405, "this method is not allowed on this resource");
      break;
    case Router::Match::Kind::kNotFound:
      res.SendError(404, "no such resource");
      break;
  }
  return false;
}

void HttpSession::OnResponseSent() {
  // The end of the request, whichever way it was answered.
  EndRecord(ctx_, in_handler_ || deferred_ == nullptr ? ctx_.record : deferred_->record);
  if (in_handler_) return;  // HandleRequest finishes synchronous answers
  // A deferred answer: finish the request and carry on with the pipeline.
  FinishRequest(deferred_ != nullptr && deferred_->response.close_after());
  if (closing()) {
    Flush();
    return;
  }
  ResumeReading();
  ProcessInput();
}

void HttpSession::FinishRequest(bool close_after) {
  handling_ = false;
  parser_.Consume(in());
  if (close_after || worker().draining() || (peer_eof_ && in().empty())) {
    CloseAfterWrite();
    Flush();
    return;
  }
  if (in().empty()) ArmPhase(Phase::kIdle);
}

void HttpSession::SendFatal(HttpError error) {
  core::DateCache& date = worker().date();
  RequestRecord& rec = ctx_.record;
  BeginBareRecord(ctx_, remote_key(), in().size(), rec);
  rec.status = Describe(error).status;
  size_t before = out().size();
  AppendErrorAnswer(out(), error, date.header_block(), date.rfc3339(), &rec);
  rec.bytes_out = out().size() - before;
  if (ctx_.metrics != nullptr) ctx_.metrics->ParseError(rec.status);
  EndRecord(ctx_, rec);
  handling_ = false;
  CloseAfterWrite();
  Flush();
}

void HttpSession::ArmPhase(Phase phase) {
  if (phase_ == phase) return;
  phase_ = phase;
  switch (phase) {
    case Phase::kHeader:
      ArmReadTimeout(core::TimeoutKind::kHeader);
      break;
    case Phase::kBody:
      ArmReadTimeout(core::TimeoutKind::kBody);
      break;
    case Phase::kIdle:
      ArmReadTimeout(core::TimeoutKind::kIdle);
      break;
    case Phase::kHandling:
      DisarmReadTimeout();
      break;
  }
}

void HttpSession::OnEof() {
  peer_eof_ = true;
  if (handling_) return;  // answer first; FinishRequest closes
  if (parser_.in_message()) {
    Close();  // half a request and nobody left to answer
  } else {
    Flush();
    CloseAfterWrite();
  }
}

void HttpSession::OnTimeout(core::TimeoutKind kind) {
  if (kind == core::TimeoutKind::kHandler) {
    if (deferred_ && !deferred_->response.sent()) {
      // The late answer, if it ever comes, finds the response sent and is
      // dropped (DeferredFor returns null).
      deferred_->response.CloseAfter();
      deferred_->response.SendError(503, "the request was not answered in time");
    }
    return;
  }
  if (kind != core::TimeoutKind::kIdle && parser_.in_message()) {
    SendFatal(kind == core::TimeoutKind::kBody ? HttpError::kBodyTimeout
                                               : HttpError::kHeaderTimeout);
    return;
  }
  Close();  // idle keep-alive, or a connection that never sent a byte
}

void HttpSession::OnWritten() {
  if (!handling_ && !in().empty()) ProcessInput();
}

void HttpSession::OnDrain() {
  if (!handling_ && !parser_.in_message()) {
    if (queued_bytes() == 0) {
      Close();  // idle keep-alive: nothing owed, nothing unread
    } else {
      CloseAfterWrite();
    }
  }
  // Otherwise the request in flight is answered with Connection: close.
}

void HttpSession::OnResume() {
  if (!handling_) ProcessInput();
}

// Best effort: one non-blocking write of the 503, then close at once. No
// lingering here: a lingering close would hold the slot (and its fd) for up
// to the linger timeout, which is exactly what an overloaded server lacks.
void HttpSession::OnOverCapacity() {
  core::DateCache& date = worker().date();
  RequestRecord& rec = ctx_.record;
  BeginBareRecord(ctx_, remote_key(), 0, rec);
  rec.status = Describe(HttpError::kOverCapacity).status;
  size_t before = out().size();
  AppendErrorAnswer(out(), HttpError::kOverCapacity, date.header_block(), date.rfc3339(), &rec);
  rec.bytes_out = out().size() - before;
  if (ctx_.metrics != nullptr) {
    ctx_.metrics->ConnectionRejected(worker().draining() ? Rejection::kDraining
                                                         : Rejection::kOverCapacity);
  }
  EndRecord(ctx_, rec);
  Flush();
  Close();
}

}  // namespace keel::http
