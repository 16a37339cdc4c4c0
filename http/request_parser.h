// HTTP/1.1 request parsing: llhttp (strict, no lenient modes) behind a small
// pull interface, with Keel's limits enforced while bytes arrive.
//
// Zero copy: the parser never copies request bytes. A message stays in the
// connection's input buffer until it has been handled, and every span is
// kept as an offset from the buffer's start, so the views survive the buffer
// being compacted or grown between reads. Only a chunked body, whose pieces
// are interleaved with chunk-size lines, is copied (into body_scratch).
//
// Usage (loop thread, one parser per connection):
//   Parse(in) -> kNeedMore: wait for more bytes (in keeps them);
//             -> kRequest: Build() the Request, handle it, then Consume(in);
//             -> kError: error_status() says what to answer; then close.
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/buffer.h"
#include "http/http_error.h"
#include "http/parser_limits.h"
#include "http/request.h"

namespace keel::http {

class RequestParser {
 public:
  enum class Event { kNeedMore, kRequest, kError };

  explicit RequestParser(const ParserLimits* limits);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Feeds the bytes of `in` not yet seen. Stops after one complete request.
  Event Parse(core::Buffer& in);

  // After kRequest: fills `req` with views into `in` (or body_scratch) and
  // `header_slots` with the headers. An absolute-form target
  // ("http://host/p?q", RFC 9112 section 3.2.2) yields path "/p" and query
  // "q", like its origin form. Returns false (and sets the error) when
  // the header block breaks a rule llhttp does not check (obs-fold, too many
  // headers for the slots).
  bool Build(core::Buffer& in, std::span<Header> header_slots, Request& req);

  // After the request is handled: drops its bytes from `in` and gets ready
  // for the next one.
  void Consume(core::Buffer& in);

  // After kRequest: the request's size on the wire (line, headers, body
  // and any chunk framing).
  size_t message_bytes() const { return consumed_; }

  // True between the first byte of a request and its completion.
  bool in_message() const { return in_message_; }
  // True once the headers are complete and a body is still arriving.
  bool in_body() const { return headers_done_ && !message_done_; }
  // The request asked for "Expect: 100-continue" and its body has not
  // started; the session answers 100 once.
  bool wants_continue() const { return expect_continue_ && !message_done_; }
  void continue_sent() { expect_continue_ = false; }

  // After kError: which error (its status is 400, 413, 414, 417, 431, 501
  // or 505), and, derived from it, the status and the message.
  // Everything decidable from the header section (Host missing or
  // repeated, repeated Authorization or Content-Type, Content-Length over
  // the limit, codings, expectations) fails as soon as the section ends,
  // before any body byte is awaited.
  HttpError error() const { return error_; }
  int error_status() const { return Describe(error_).status; }
  const char* error_message() const { return Describe(error_).message.data(); }

 private:
  static int OnMessageBegin(llhttp_t* p);
  static int OnUrl(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderField(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderFieldComplete(llhttp_t* p);
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int OnHeadersComplete(llhttp_t* p);
  static int OnBody(llhttp_t* p, const char* at, size_t len);
  static int OnMessageComplete(llhttp_t* p);
  static const llhttp_settings_t* Settings();

  int Fail(HttpError error);
  void FailFor(llhttp_errno_t err, const core::Buffer& in);
  size_t Offset(const char* at) const { return static_cast<size_t>(at - base_); }
  void ResetMessage();

  llhttp_t parser_;
  const ParserLimits* limits_;
  const char* base_ = nullptr;  // in.data() during Parse
  size_t size_ = 0;             // in.size() during Parse
  size_t fed_ = 0;              // bytes of in already given to llhttp
  size_t consumed_ = 0;         // end of the completed message
  // Spans of the current message, as offsets from in.data().
  uint32_t url_begin_ = 0, url_end_ = 0;
  uint32_t header_end_ = 0;  // end of the last header field or value
  uint32_t field_begin_ = 0;  // start of the header field being read
  bool field_started_ = false;
  // Fields whose repetition makes the request ambiguous, counted as they
  // complete so the verdict is ready when the header section ends.
  uint8_t host_count_ = 0;
  uint8_t authorization_count_ = 0;
  uint8_t content_type_count_ = 0;
  uint32_t body_begin_ = 0, body_end_ = 0;
  uint32_t header_count_ = 0;
  size_t body_bytes_ = 0;
  // Chunked bodies only, made on first use: most connections never send one.
  std::unique_ptr<std::string> body_scratch_;
  bool chunked_ = false;
  bool in_message_ = false;
  bool headers_done_ = false;
  bool message_done_ = false;
  bool expect_continue_ = false;
  bool url_started_ = false;
  HttpError error_ = HttpError::kNone;
};

}  // namespace keel::http
