#include "http/response.h"

#include <charconv>
#include <cstdlib>

#include "core/buffer.h"
#include "core/log.h"
#include "http/error_response.h"
#include "http/status_line.h"

namespace keel::http {
namespace {

void AppendNumber(core::Buffer& out, size_t n) {
  char digits[24];
  auto r = std::to_chars(digits, digits + sizeof digits, n);
  out.Append(digits, static_cast<size_t>(r.ptr - digits));
}

// RFC 9110: no Content-Length or body for 1xx, 204 and 304.
bool StatusForbidsBody(int status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

void AppendTraceHeaders(core::Buffer& out, const RequestRecord& record) {
  if (record.request_id_len == 0) return;
  out.Append("X-Request-Id: ");
  out.Append(record.request_id_view());
  out.Append("\r\ntraceparent: ");
  out.Append(record.traceparent_view());
  out.Append("\r\n", 2);
}

void Response::Reset(const Context& ctx) {
  ctx_ = ctx;
  scratch_ = ctx.scratch;
  scratch_->clear();
  extra_count_ = 0;
  status_ = 0;
  sent_ = false;
  deferred_ = false;
  close_after_ = !ctx.keep_alive;
}

void Response::AddHeader(std::string_view name, std::string_view value) {
  if (extra_count_ == kMaxExtraHeaders) {
    LOG_ERROR("response header '%.*s' dropped: more than %zu extra headers",
              static_cast<int>(name.size()), name.data(), kMaxExtraHeaders);
    return;
  }
  extra_[extra_count_ * 2] = name;
  extra_[extra_count_ * 2 + 1] = value;
  ++extra_count_;
}

void Response::WriteHead(int status, std::string_view content_type, size_t content_length,
                         bool has_body_headers) {
  core::Buffer& out = *ctx_.out;
  status_ = status;
  head_start_ = out.size();
  out.Append(StatusLine(status));
  out.Append(ctx_.date_block);
  if (has_body_headers) {
    if (!content_type.empty()) {
      out.Append("Content-Type: ");
      out.Append(content_type);
      out.Append("\r\n", 2);
    }
    out.Append("Content-Length: ");
    AppendNumber(out, content_length);
    out.Append("\r\n", 2);
  }
  // The same place AppendErrorAnswer puts them (http/http_error.h).
  if (ctx_.record != nullptr) AppendTraceHeaders(out, *ctx_.record);
  for (size_t i = 0; i < extra_count_; ++i) {
    out.Append(extra_[i * 2]);
    out.Append(": ", 2);
    out.Append(extra_[i * 2 + 1]);
    out.Append("\r\n", 2);
  }
  out.Append(ctx_.extra_block);
  // HTTP/1.1 is persistent unless we say otherwise; an HTTP/1.0 client
  // needs to hear keep-alive explicitly to reuse the connection.
  if (close_after_) {
    out.Append("Connection: close\r\n");
  } else if (ctx_.http10) {
    out.Append("Connection: keep-alive\r\n");
  }
  out.Append("\r\n", 2);
}

void Response::Send(int status, std::string_view content_type, std::string_view body) {
  if (sent_) {
    LOG_ERROR("handler answered twice (status %d)", status);
    return;
  }
  if (StatusForbidsBody(status)) {
    SendEmpty(status);
    return;
  }
  WriteHead(status, content_type, body.size(), true);
  if (!ctx_.head) ctx_.out->Append(body);
  Finish();
}

void Response::SendEmpty(int status) {
  if (sent_) {
    LOG_ERROR("handler answered twice (status %d)", status);
    return;
  }
  // 1xx/204/304 carry no Content-Length; any other empty answer says 0 so
  // the client knows the body ended.
  WriteHead(status, {}, 0, !StatusForbidsBody(status));
  Finish();
}

void Response::SendError(int status, std::string_view message) {
  std::string& body = *scratch_;
  body.clear();
  std::string_view request_id;
  if (ctx_.record != nullptr) request_id = ctx_.record->request_id_view();
  AppendErrorBody(body, status, message, ctx_.timestamp, request_id);
  Send(status, kJsonType, body);
}

void Response::Finish() {
  sent_ = true;
  if (ctx_.record != nullptr) {
    ctx_.record->status = status_;
    ctx_.record->bytes_out = ctx_.out->size() - head_start_;
  }
  if (ctx_.sink != nullptr) ctx_.sink->OnResponseSent();
}

}  // namespace keel::http
