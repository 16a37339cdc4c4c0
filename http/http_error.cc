#include "http/http_error.h"

#include <array>
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

struct Prebuilt {
  std::string status_line;  // "HTTP/1.1 400 Bad Request\r\n"
  std::string rest_of_head_and_body_prefix;  // headers after Date, blank line, body to the timestamp
};

std::array<Prebuilt, kCount> Build() {
  std::array<Prebuilt, kCount> table;
  for (size_t i = 1; i < kCount; ++i) {
    const HttpErrorInfo& info = kInfo[i];
    std::string body;
    AppendErrorBody(body, info.status, info.message, kTimestampShape);
    // The body ends with the timestamp and the closing `"}`.
    const size_t prefix = body.size() - kTimestampShape.size() - 2;
    Prebuilt& p = table[i];
    p.status_line = std::string(StatusLine(info.status));
    // The same header order Response::WriteHead uses, so a prebuilt answer
    // and one written by a handler look alike.
    p.rest_of_head_and_body_prefix = "Content-Type: " + std::string(kJsonType) +
                                     "\r\nContent-Length: " + std::to_string(body.size()) +
                                     "\r\nConnection: close\r\n\r\n" + body.substr(0, prefix);
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
                       std::string_view timestamp) {
  const Prebuilt& p = Table()[static_cast<size_t>(e)];
  out.Append(p.status_line);
  out.Append(date_block);
  out.Append(p.rest_of_head_and_body_prefix);
  out.Append(timestamp);
  out.Append("\"}", 2);
}

}  // namespace keel::http
