// The errors found before a request reaches a handler: parse failures,
// limits, header-section rules, timeouts and the connection cap. Each is an
// enum value that indexes a table of status and message, and a complete
// answer in the house format prebuilt once per process (status line,
// headers, body up to the timestamp), so answering one costs a few appends
// and no formatting. Every such answer closes the connection.
#pragma once

#include <cstdint>
#include <string_view>

namespace keel::core {
class Buffer;
}

namespace keel::http {

struct RequestRecord;

enum class HttpError : uint8_t {
  kNone,
  // 400
  kMalformedRequestLine,
  kMalformedRequest,  // any other llhttp failure
  kInvalidMethod,
  kInvalidTarget,
  kInvalidContentLength,
  kConflictingLengths,
  kInvalidChunkSize,
  kHeadNotCrlfCrlf,
  kRequestLineNotCrlf,
  kEmptyHeaderName,
  kChunkedNotCrlfCrlf,
  kObsFold,
  kNulInHeader,
  kMissingHost,
  kDuplicateHost,
  kDuplicateAuthorization,
  kDuplicateContentType,
  // 408
  kHeaderTimeout,
  kBodyTimeout,
  // 413
  kBodyTooLarge,
  kChunkedFramingTooLarge,
  // 414
  kTargetTooLong,
  // 417
  kExpectationUnsupported,
  // 431
  kHeadTooLarge,
  kTooManyHeaders,
  // 501
  kTransferCodingUnsupported,
  // 503
  kOverCapacity,
  // 505
  kVersionUnsupported,
  kCount,
};

struct HttpErrorInfo {
  int status;
  std::string_view message;
};

// Status and message of `e` (kNone: 0 and "").
const HttpErrorInfo& Describe(HttpError e);

// Appends the whole answer for `e`: the prebuilt head with `date_block`
// ("Server: ...\r\nDate: ...\r\n") in its place, then the prebuilt body with
// `timestamp` (RFC 3339, 20 bytes) in its place. With a `record` that has a
// request id, X-Request-Id and traceparent go in the head and "request_id"
// in the body, exactly where Response::SendError puts them (the request id
// needs no escaping: IsValidRequestId's characters only). The answer says
// "Connection: close". Thread-safe; the table is built on first use.
void AppendErrorAnswer(core::Buffer& out, HttpError e, std::string_view date_block,
                       std::string_view timestamp, const RequestRecord* record = nullptr);

}  // namespace keel::http
