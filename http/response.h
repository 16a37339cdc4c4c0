// The response writer handed to every handler.
//
// A handler answers exactly once, with one Send* call, either before it
// returns or later (Defer). Headers added with AddHeader go out with that
// Send; their bytes must stay valid until Send returns. The response is
// serialized straight into the connection's output buffer: status line from
// a precomputed table, the cached Server/Date block, Content-Type,
// Content-Length, extra headers, body. HEAD requests get the same headers and
// no body. Loop thread only.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/pending.h"
#include "http/request_record.h"

namespace keel::core {
class Buffer;
class Connection;
}  // namespace keel::core

namespace keel::http {

inline constexpr std::string_view kJsonType = "application/json; charset=utf-8";
inline constexpr std::string_view kTextType = "text/plain; charset=utf-8";

// What the session does when the handler's answer is complete.
class ResponseSink {
 public:
  virtual void OnResponseSent() = 0;

 protected:
  ~ResponseSink() = default;
};

class Response {
 public:
  static constexpr size_t kMaxExtraHeaders = 16;

  void AddHeader(std::string_view name, std::string_view value);
  void Send(int status, std::string_view content_type, std::string_view body);
  void SendJson(int status, std::string_view json) { Send(status, kJsonType, json); }
  void SendText(int status, std::string_view text) { Send(status, kTextType, text); }
  // A response without a body (204, 304, or any status with an empty body).
  void SendEmpty(int status);
  // The house error format: {"error","code","message","request_id","timestamp"}.
  void SendError(int status, std::string_view message);

  // Ask for the connection to close once this response is written.
  void CloseAfter() { close_after_ = true; }
  bool close_after() const { return close_after_; }
  bool sent() const { return sent_; }
  // The handler will answer later: keep the Pending and Resume it (from any
  // thread) to get this Response back on the loop. Until the answer is
  // sent, no further request on this connection is processed (responses
  // stay in order). May be called again from a continuation to wait for
  // the next step. Loop thread only.
  [[nodiscard]] Pending Defer();
  // Runs `work` on the libuv thread pool (argon2id, say), then `then` on
  // the loop with this Response (nullptr if the connection closed). Busy
  // when the worker already has its maximum of jobs queued: the handler
  // then answers 503 itself; `keep_free` as in core/offload.h. Contract: on
  // error neither runs.
  core::Status Offload(std::function<void()> work, std::function<void(Response*)> then,
                       uint32_t keep_free = 0);
  bool deferred() const { return deferred_; }
  int status() const { return status_; }
  // The authenticated caller, for the access log (api/authn.cc sets it).
  void set_user_id(uint64_t id) {
    if (ctx_.record != nullptr) ctx_.record->user_id = id;
  }

  // Scratch space for building a body; emptied before each request, its
  // capacity kept, so building JSON here allocates nothing in steady state.
  std::string& scratch() { return *scratch_; }

  // --- used by the session ---
  struct Context {
    core::Buffer* out = nullptr;
    core::Connection* conn = nullptr;  // for Defer and Offload
    uint64_t seq = 0;                  // request number on the connection
    std::string* scratch = nullptr;
    ResponseSink* sink = nullptr;
    std::string_view date_block;   // "Server: keel\r\nDate: ...\r\n"
    std::string_view extra_block;  // e.g. CORS headers, already CRLF-terminated
    std::string_view timestamp;    // RFC 3339 "now", for error bodies
    // The request's record: its X-Request-Id and traceparent go out with
    // the answer, and Send fills in status and bytes. Null: neither.
    RequestRecord* record = nullptr;
    bool head = false;
    bool keep_alive = true;
    bool http10 = false;
  };
  void Reset(const Context& ctx);
  // Header block sent with every response of this request (CORS).
  void set_extra_block(std::string_view block) { ctx_.extra_block = block; }
  // Moves a deferred response onto scratch space that outlives the worker's.
  void set_scratch(std::string* scratch) {
    ctx_.scratch = scratch;
    scratch_ = scratch;
  }
  // Moves a deferred response's record out of the worker's, likewise.
  void set_record(RequestRecord* record) { ctx_.record = record; }
  RequestRecord* record() const { return ctx_.record; }

 private:
  void WriteHead(int status, std::string_view content_type, size_t content_length,
                 bool has_body_headers);
  void Finish();

  Context ctx_;
  std::string* scratch_ = nullptr;
  std::array<std::string_view, kMaxExtraHeaders * 2> extra_{};
  size_t extra_count_ = 0;
  int status_ = 0;
  size_t head_start_ = 0;  // out's size when the head began: bytes_out
  bool sent_ = false;
  bool deferred_ = false;
  bool close_after_ = false;
};

// "X-Request-Id: <id>\r\ntraceparent: <ours>\r\n"; nothing when the record
// has no request id.
void AppendTraceHeaders(core::Buffer& out, const RequestRecord& record);

}  // namespace keel::http
