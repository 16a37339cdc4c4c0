// One HTTP/1.1 connection: parses requests from the connection's input,
// routes them, and writes responses in request order.
//
// Pipelining: requests are handled one at a time, in order. Everything one
// read produces is answered into the output buffer and flushed with one
// write. At most kMaxRequestsPerTurn are handled per loop iteration; the rest
// wait for the next iteration (ScheduleResume), so a deep pipeline cannot
// starve other connections. While a handler answers later
// (Response::Defer), parsing stops; the deferred answer, sent from the loop
// thread, resumes it.
//
// Deferred responses: after the handler returns, the session moves the
// Response, and the request's RequestRecord, into its own heap slot, where a
// Pending (http/pending.h) finds it by request number when it resumes.
//
// The pipeline: a parsed request is resolved by the router (the route
// template goes in its record), then goes through ordered steps, each of
// which either passes it on or answers it: CORS headers (so a browser page
// can read even a 429), the rate limit, OPTIONS, and the handler (or 404 /
// 405). Every answer ends the request in the lifecycle (http/lifecycle.h).
#pragma once

#include <memory>
#include <string>

#include "core/connection.h"
#include "http/request_parser.h"
#include "http/response.h"
#include "http/worker_context.h"

namespace keel::http {

class HttpSession final : public core::Connection, public ResponseSink {
 public:
  static constexpr int kMaxRequestsPerTurn = 64;

  HttpSession(core::Worker& worker, WorkerContext& ctx);
  ~HttpSession() override;

  // The waiting Response of request number `seq`; null if that request is
  // not the one waiting (already answered, or never deferred).
  Response* DeferredFor(uint64_t seq) {
    if (!deferred_ || seq != request_seq_ || deferred_->response.sent()) return nullptr;
    return &deferred_->response;
  }

  // ResponseSink
  void OnResponseSent() override;

 private:
  enum class Phase : uint8_t { kHeader, kBody, kIdle, kHandling };
  struct Deferred {
    Response response;
    RequestRecord record;
    std::string scratch;
  };
  // One pipeline step: false when it answered the request.
  using Step = bool (HttpSession::*)(Request&, Response&, const Router::Match&);

  void OnRead() override;
  void OnEof() override;
  void OnTimeout(core::TimeoutKind kind) override;
  void OnWritten() override;
  void OnDrain() override;
  void OnResume() override;
  void OnOverCapacity() override;

  // Handles buffered requests until input runs out, the turn's cap is hit,
  // output backs up, or a handler defers.
  void ProcessInput();
  void HandleRequest();
  void Route(Request& req, Response& res, RequestRecord& rec);
  bool StepCors(Request& req, Response& res, const Router::Match& m);
  bool StepRateLimit(Request& req, Response& res, const Router::Match& m);
  bool StepOptions(Request& req, Response& res, const Router::Match& m);
  bool StepHandler(Request& req, Response& res, const Router::Match& m);
  void FinishRequest(bool close_after);
  Response& BeginResponse(bool head, bool keep_alive, bool http10, RequestRecord* rec);
  // An error found before a request could be routed: answer and close.
  void SendFatal(HttpError error);
  void ArmPhase(Phase phase);

  WorkerContext& ctx_;
  RequestParser parser_;
  std::unique_ptr<Deferred> deferred_;
  Phase phase_ = Phase::kHeader;
  bool in_handler_ = false;
  bool handling_ = false;  // a request is routed and not yet answered
  bool peer_eof_ = false;
  uint64_t request_seq_ = 0;
};

}  // namespace keel::http
