#include "http/http_error.h"

#include <array>
#include <charconv>
#include <string>

#include "core/buffer.h"
#include "http/error_response.h"
#include "http/response.h"
#include "http/status_line.h"

namespace keel::http {
namespace {

constexpr size_t kCount = static_cast<size_t>(HttpError::kCount);

constexpr std::array<HttpErrorInfo, kCount> kInfo = [] {
  std::array<HttpErrorInfo, kCount> t{};
  auto set = [&t](HttpError e, int status, std::string_view message) {
    t[static_cast<size_t>(e)] = {status, message};
  };
  set(HttpError::kNone, 0, "");
  set(HttpError::kMalformedRequestLine, 400, "malformed request line");
  set(HttpError::kMalformedRequest, 400, "malformed request");
  set(HttpError::kInvalidMethod, 400, "invalid request method");
  set(HttpError::kInvalidTarget, 400, "invalid request target");
  set(HttpError::kInvalidContentLength, 400, "invalid Content-Length");
  set(HttpError::kConflictingLengths, 400,
      "Content-Length conflicts with Transfer-Encoding or itself");
  set(HttpError::kInvalidChunkSize, 400, "invalid chunk size");
  set(HttpError::kHeadNotCrlfCrlf, 400, "the header section must end with CRLF CRLF");
  set(HttpError::kRequestLineNotCrlf, 400, "the request line must end with CRLF");
  set(HttpError::kEmptyHeaderName, 400, "a header field has an empty name");
  set(HttpError::kChunkedNotCrlfCrlf, 400, "the chunked body must end with CRLF CRLF");
  set(HttpError::kObsFold, 400, "obsolete header line folding is not allowed");
  set(HttpError::kNulInHeader, 400, "NUL in header value");
  set(HttpError::kMissingHost, 400, "HTTP/1.1 requests need a Host header");
  set(HttpError::kDuplicateHost, 400, "more than one Host header");
  set(HttpError::kDuplicateAuthorization, 400, "more than one Authorization header");
  set(HttpError::kDuplicateContentType, 400, "more than one Content-Type header");
  set(HttpError::kHeaderTimeout, 408, "request headers timed out");
  set(HttpError::kBodyTimeout, 408, "request body timed out");
  set(HttpError::kBodyTooLarge, 413, "request body is too large");
  set(HttpError::kChunkedFramingTooLarge, 413,
      "request body is too large (chunked framing included)");
  set(HttpError::kTargetTooLong, 414, "request target is too long");
  set(HttpError::kExpectationUnsupported, 417, "only Expect: 100-continue is supported");
  set(HttpError::kHeadTooLarge, 431, "request line and headers are too large");
  set(HttpError::kTooManyHeaders, 431, "too many header fields");
  set(HttpError::kTransferCodingUnsupported, 501,
      "only the chunked transfer coding is supported");
  set(HttpError::kOverCapacity, 503, "the server is at its connection limit");
  set(HttpError::kVersionUnsupported, 505, "HTTP version not supported");
  return t;
}();

// The RFC 3339 timestamp every error body ends with has a fixed length, so
// the Content-Length is known in advance.
constexpr std::string_view kTimestampShape = "0000-00-00T00:00:00Z";

constexpr std::string_view kTimestampKey = "\"timestamp\":\"";

struct Prebuilt {
  std::string status_line;    // "HTTP/1.1 400 Bad Request\r\n"
  std::string length_header;  // "Content-Type: ...\r\nContent-Length: "
  size_t body_size = 0;       // without "request_id"
  std::string body_head;      // {"error":...,"message":"...",
};

std::array<Prebuilt, kCount> Build() {
  std::array<Prebuilt, kCount> table;
  for (size_t i = 1; i < kCount; ++i) {
    const HttpErrorInfo& info = kInfo[i];
    std::string body;
    AppendErrorBody(body, info.status, info.message, kTimestampShape);
    // The body ends with "timestamp":"<timestamp>"} ; "request_id" goes
    // just before it.
    Prebuilt& p = table[i];
    p.status_line = std::string(StatusLine(info.status));
    // The same header order Response::WriteHead uses, so a prebuilt answer
    // and one written by a handler look alike.
    p.length_header = "Content-Type: " + std::string(kJsonType) + "\r\nContent-Length: ";
    p.body_size = body.size();
    p.body_head = body.substr(0, body.rfind(kTimestampKey));
  }
  return table;
}

const std::array<Prebuilt, kCount>& Table() {
  static const std::array<Prebuilt, kCount> table = Build();
  return table;
}

}  // namespace

const HttpErrorInfo& Describe(HttpError e) { return kInfo[static_cast<size_t>(e)]; }

void AppendErrorAnswer(core::Buffer& out, HttpError e, std::string_view date_block,
                       std::string_view timestamp, const RequestRecord* record) {
  const Prebuilt& p = Table()[static_cast<size_t>(e)];
  std::string_view id;
  if (record != nullptr) id = record->request_id_view();
  // ,"request_id":"<id>" adds the id and 16 bytes of punctuation and key.
  size_t body_size = p.body_size + (id.empty() ? 0 : id.size() + 16);
  out.Append(p.status_line);
  out.Append(date_block);
  out.Append(p.length_header);
  char digits[24];
  auto r = std::to_chars(digits, digits + sizeof digits, body_size);
  out.Append(digits, static_cast<size_t>(r.ptr - digits));
  out.Append("\r\n", 2);
  if (record != nullptr) AppendTraceHeaders(out, *record);
  out.Append("Connection: close\r\n\r\n");
  out.Append(p.body_head);
  if (!id.empty()) {
    out.Append("\"request_id\":\"");
    out.Append(id);
    out.Append("\",", 2);
  }
  out.Append(kTimestampKey);
  out.Append(timestamp);
  out.Append("\"}", 2);
}

}  // namespace keel::http
