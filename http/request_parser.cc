#include "http/request_parser.h"

#include <cstring>

#include "core/log.h"

namespace keel::http {
namespace {

RequestParser* Self(llhttp_t* p) { return static_cast<RequestParser*>(p->data); }

Method MethodFromLlhttp(uint8_t m) {
  switch (m) {
    case HTTP_GET:
      return Method::kGet;
    case HTTP_HEAD:
      return Method::kHead;
    case HTTP_POST:
      return Method::kPost;
    case HTTP_PUT:
      return Method::kPut;
    case HTTP_PATCH:
      return Method::kPatch;
    case HTTP_DELETE:
      return Method::kDelete;
    case HTTP_OPTIONS:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

// Walks the header lines of a block llhttp has already validated. Each line
// ends in CRLF (strict mode rejects bare LF), so the walk only splits.
class HeaderLines {
 public:
  explicit HeaderLines(std::string_view block) : rest_(block) {}
  // Returns false at the end. Sets `folded` for a line that starts with
  // whitespace (obs-fold), which Keel rejects.
  bool Next(Header& h, bool& folded) {
    while (!rest_.empty()) {
      size_t eol = rest_.find('\n');
      std::string_view line = rest_.substr(0, eol);
      rest_.remove_prefix(eol == std::string_view::npos ? rest_.size() : eol + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      folded = core::IsOws(line.front());
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) colon = line.size();
      h.name = line.substr(0, colon);
      h.value = core::TrimOws(colon < line.size() ? line.substr(colon + 1) : std::string_view{});
      return true;
    }
    return false;
  }

 private:
  std::string_view rest_;
};

// llhttp 8.1 accepts a bare LF as the empty line that ends the header or
// trailer section, even in strict mode (every other line must end in CRLF).
// A front end that insists on CRLF would then see the header section go on
// where Keel sees a second request: a smuggling gap, so Keel checks the
// terminator itself. `tail` starts at or after the last header line's
// content and holds at least the bytes llhttp consumed up to the final LF.
bool HeadEndsWithCrlfCrlf(std::string_view tail) {
  size_t nl = tail.find('\n');
  if (nl == std::string_view::npos || nl == 0 || tail[nl - 1] != '\r') return false;
  return tail.substr(nl + 1, 2) == "\r\n";
}

// llhttp 8.1 also ends the request line at a bare LF; a front end that
// insists on CRLF would read that line differently. `after_url` starts
// right after the request target and holds the whole request line.
bool RequestLineEndsWithCrlf(std::string_view after_url) {
  size_t nl = after_url.find('\n');
  return nl != std::string_view::npos && nl > 0 && after_url[nl - 1] == '\r';
}

// `after_url` starts right after the request target. True for a
// well-formed " HTTP/<digit>.<digit>" that is not 1.0 or 1.1.
bool IsUnsupportedVersion(std::string_view after_url) {
  if (after_url.size() < 9 || after_url.substr(0, 6) != " HTTP/") return false;
  char major = after_url[6], minor = after_url[8];
  bool digits = major >= '0' && major <= '9' && after_url[7] == '.' && minor >= '0' && minor <= '9';
  return digits && !(major == '1' && (minor == '0' || minor == '1'));
}

// RFC 9112 section 3.2.2: a server must accept the absolute form
// ("http://example.com/a?b"), which proxies send. Returns the part from the
// path on ("/a?b"; "" when there is no path); other forms come back as they
// are. The authority is not checked against Host: Keel serves one origin.
std::string_view OriginForm(std::string_view target) {
  if (target.empty() || target.front() == '/' || target.front() == '*') return target;
  size_t sep = target.find("://");
  if (sep == std::string_view::npos) return target;
  std::string_view scheme = target.substr(0, sep);
  if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) return target;
  std::string_view rest = target.substr(sep + 3);
  size_t path = rest.find_first_of("/?");
  if (path == std::string_view::npos) return {};
  return rest.substr(path);
}

// The bytes a header line or request line may still take after the last
// callback span ends: CRLF for that line and CRLF for the empty line.
constexpr size_t kHeadTerminator = 4;

}  // namespace

const llhttp_settings_t* RequestParser::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = OnMessageBegin;
    s.on_url = OnUrl;
    s.on_header_field = OnHeaderField;
    s.on_header_field_complete = OnHeaderFieldComplete;
    s.on_header_value = OnHeaderValue;
    s.on_headers_complete = OnHeadersComplete;
    s.on_body = OnBody;
    s.on_message_complete = OnMessageComplete;
    return s;
  }();
  return &settings;
}

RequestParser::RequestParser(const ParserLimits* limits) : limits_(limits) {
  // Every lenient mode stays off (llhttp's default): they exist for broken
  // peers and each one reopens a request-smuggling hole.
  llhttp_init(&parser_, HTTP_REQUEST, Settings());
  parser_.data = this;
}

void RequestParser::ResetMessage() {
  url_begin_ = url_end_ = header_end_ = body_begin_ = body_end_ = header_count_ = 0;
  field_begin_ = 0;
  field_started_ = false;
  host_count_ = authorization_count_ = content_type_count_ = 0;
  body_bytes_ = 0;
  if (body_scratch_) body_scratch_->clear();
  chunked_ = in_message_ = headers_done_ = message_done_ = false;
  expect_continue_ = url_started_ = false;
}

int RequestParser::Fail(HttpError error) {
  error_ = error;
  return -1;
}

// Turns an llhttp error into an answer. llhttp uses HPE_INVALID_VERSION
// both for an unsupported version and for a malformed version or a request
// line that does not end in CRLF: only the first is a 505.
void RequestParser::FailFor(llhttp_errno_t err, const core::Buffer& in) {
  struct Mapping {
    llhttp_errno_t err;
    HttpError error;
  };
  static constexpr Mapping kMappings[] = {
      {HPE_INVALID_TRANSFER_ENCODING, HttpError::kTransferCodingUnsupported},
      {HPE_UNEXPECTED_CONTENT_LENGTH, HttpError::kConflictingLengths},
      {HPE_INVALID_CONTENT_LENGTH, HttpError::kInvalidContentLength},
      {HPE_INVALID_METHOD, HttpError::kInvalidMethod},
      {HPE_INVALID_URL, HttpError::kInvalidTarget},
      {HPE_INVALID_CHUNK_SIZE, HttpError::kInvalidChunkSize},
  };
  if (err == HPE_INVALID_VERSION) {
    if (IsUnsupportedVersion(in.view().substr(url_end_))) {
      Fail(HttpError::kVersionUnsupported);
    } else {
      Fail(HttpError::kMalformedRequestLine);
    }
    return;
  }
  for (const Mapping& m : kMappings) {
    if (m.err == err) {
      Fail(m.error);
      return;
    }
  }
  // llhttp's own reason text would make the answer depend on its version
  // and could not be prebuilt; the debug log keeps it.
  LOG_DEBUG("llhttp: %s", llhttp_get_error_reason(&parser_));
  Fail(HttpError::kMalformedRequest);
}

RequestParser::Event RequestParser::Parse(core::Buffer& in) {
  if (error_ != HttpError::kNone) return Event::kError;
  if (message_done_) return Event::kRequest;
  if (fed_ >= in.size()) return Event::kNeedMore;
  base_ = in.data();
  size_ = in.size();
  llhttp_errno_t err = llhttp_execute(&parser_, base_ + fed_, in.size() - fed_);
  if (err == HPE_OK) {
    fed_ = in.size();
    // Bytes that neither completed a header nor reached a callback limit
    // (a long run of whitespace, say) still count against the header limit.
    // The limit applies to the lines' content, as the callbacks check it,
    // so the final CRLF CRLF is allowed for: whether a request fits must
    // not depend on where TCP split it.
    if (in_message_ && !headers_done_ && fed_ > limits_->max_header_bytes + kHeadTerminator) {
      Fail(HttpError::kHeadTooLarge);
      return Event::kError;
    }
    // The whole message stays in the input buffer until it is handled, and
    // chunked framing (chunk-size lines, extensions, leading zeros) is not
    // body: without this cap a client could make us buffer without bound.
    // Twice the body limit leaves room for honest framing; a body sent in
    // one-byte chunks is the pathological case this refuses.
    if (chunked_ && fed_ > limits_->max_header_bytes + 2 * limits_->max_body_bytes + 4096) {
      Fail(HttpError::kChunkedFramingTooLarge);
      return Event::kError;
    }
    return Event::kNeedMore;
  }
  if (err == HPE_PAUSED && message_done_) {
    consumed_ = Offset(llhttp_get_error_pos(&parser_));
    // A chunked message ends with the (possibly empty) trailer section's
    // blank line; llhttp lets a bare LF stand for it too.
    if (chunked_ &&
        (consumed_ < kHeadTerminator ||
         in.view().substr(consumed_ - kHeadTerminator, kHeadTerminator) != "\r\n\r\n")) {
      Fail(HttpError::kChunkedNotCrlfCrlf);
      return Event::kError;
    }
    fed_ = consumed_;
    return Event::kRequest;
  }
  if (error_ == HttpError::kNone) FailFor(err, in);
  return Event::kError;
}

bool RequestParser::Build(core::Buffer& in, std::span<Header> header_slots, Request& req) {
  const char* base = in.data();
  req.method = MethodFromLlhttp(parser_.method);
  req.method_name = llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
  req.target = std::string_view(base + url_begin_, url_end_ - url_begin_);
  std::string_view origin_form = OriginForm(req.target);
  size_t q = origin_form.find('?');
  req.path = origin_form.substr(0, q);
  if (req.path.empty()) req.path = "/";  // "http://host" and "http://host?q"
  req.query = q == std::string_view::npos ? std::string_view{} : origin_form.substr(q + 1);
  req.version_minor = parser_.http_minor;
  req.keep_alive = llhttp_should_keep_alive(&parser_) != 0;

  // The header block starts after the request line.
  const char* line_end =
      static_cast<const char*>(std::memchr(base + url_end_, '\n', consumed_ - url_end_));
  size_t block_begin = line_end == nullptr ? header_end_ : static_cast<size_t>(line_end + 1 - base);
  std::string_view block(base + block_begin,
                         header_end_ > block_begin ? header_end_ - block_begin : 0);
  HeaderLines lines(block);
  Header h;
  bool folded = false;
  size_t n = 0;
  while (lines.Next(h, folded)) {
    if (folded) {
      Fail(HttpError::kObsFold);
      return false;
    }
    if (n == header_slots.size()) {
      Fail(HttpError::kTooManyHeaders);
      return false;
    }
    header_slots[n++] = h;
  }
  req.headers = header_slots.first(n);

  if (chunked_) {
    req.body = body_scratch_ ? std::string_view(*body_scratch_) : std::string_view{};
    req.body_padded = false;
  } else {
    req.body = std::string_view(base + body_begin_, body_end_ - body_begin_);
    req.body_padded = in.tail_slack() + (in.size() - body_end_) >= core::Buffer::kTailReserve;
  }
  return true;
}

void RequestParser::Consume(core::Buffer& in) {
  in.Consume(consumed_);
  fed_ -= consumed_;
  consumed_ = 0;
  ResetMessage();
  llhttp_resume(&parser_);
}

int RequestParser::OnMessageBegin(llhttp_t* p) {
  Self(p)->in_message_ = true;
  return 0;
}

int RequestParser::OnUrl(llhttp_t* p, const char* at, size_t len) {
  RequestParser* self = Self(p);
  if (!self->url_started_) {
    self->url_started_ = true;
    self->url_begin_ = static_cast<uint32_t>(self->Offset(at));
  }
  size_t end = self->Offset(at) + len;
  if (end - self->url_begin_ > self->limits_->max_url_bytes)
    return self->Fail(HttpError::kTargetTooLong);
  if (end > self->limits_->max_header_bytes)
    return self->Fail(HttpError::kHeadTooLarge);
  self->url_end_ = static_cast<uint32_t>(end);
  self->header_end_ = self->url_end_;
  return 0;
}

int RequestParser::OnHeaderField(llhttp_t* p, const char* at, size_t len) {
  RequestParser* self = Self(p);
  // A trailer field, after a chunked body: checked by llhttp, then dropped
  // (Keel uses none). Its bytes count toward the body limit, the trailer
  // section being part of the chunked body (RFC 9112 section 7.1), so the
  // message kept in the input buffer stays bounded.
  if (self->headers_done_) {
    self->body_bytes_ += len;
    return self->body_bytes_ > self->limits_->max_body_bytes
               ? self->Fail(HttpError::kBodyTooLarge)
               : 0;
  }
  size_t end = self->Offset(at) + len;
  if (end > self->limits_->max_header_bytes)
    return self->Fail(HttpError::kHeadTooLarge);
  if (!self->field_started_) {
    self->field_started_ = true;
    self->field_begin_ = static_cast<uint32_t>(self->Offset(at));
  }
  self->header_end_ = static_cast<uint32_t>(end);
  return 0;
}

int RequestParser::OnHeaderFieldComplete(llhttp_t* p) {
  RequestParser* self = Self(p);
  if (self->headers_done_) return 0;  // a trailer field
  if (++self->header_count_ > self->limits_->max_headers)
    return self->Fail(HttpError::kTooManyHeaders);
  // The name may have arrived over several reads; its bytes are contiguous
  // in the input buffer (base_ is valid during Parse).
  self->field_started_ = false;
  std::string_view name(self->base_ + self->field_begin_, self->header_end_ - self->field_begin_);
  // llhttp lets ": value" through as a field with an empty name; a
  // field-name is a token of at least one character (RFC 9110 5.1).
  if (name.empty()) return self->Fail(HttpError::kEmptyHeaderName);
  auto bump = [](uint8_t& n) { n = n < UINT8_MAX ? n + 1 : n; };
  switch (name.size()) {
    case 4:
      if (EqualsIgnoreCase(name, "host")) bump(self->host_count_);
      break;
    case 12:
      if (EqualsIgnoreCase(name, "content-type")) bump(self->content_type_count_);
      break;
    case 13:
      if (EqualsIgnoreCase(name, "authorization")) bump(self->authorization_count_);
      break;
    default:
      break;
  }
  return 0;
}

int RequestParser::OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
  RequestParser* self = Self(p);
  // llhttp passes NUL through in values in some states; a NUL in a header
  // is never legitimate (RFC 9110 section 5.5).
  if (std::memchr(at, '\0', len) != nullptr) return self->Fail(HttpError::kNulInHeader);
  if (self->headers_done_) {  // a trailer value: see OnHeaderField
    self->body_bytes_ += len;
    return self->body_bytes_ > self->limits_->max_body_bytes
               ? self->Fail(HttpError::kBodyTooLarge)
               : 0;
  }
  // llhttp reports an empty (or all-whitespace) value as a zero-length span
  // placed after the line's CRLF; taking its position as the end of the
  // header block would make the CRLF CRLF check read the blank line as the
  // line's own terminator. The field already marked where this line ends.
  if (len == 0) return 0;
  size_t end = self->Offset(at) + len;
  if (end > self->limits_->max_header_bytes)
    return self->Fail(HttpError::kHeadTooLarge);
  self->header_end_ = static_cast<uint32_t>(end);
  return 0;
}

int RequestParser::OnHeadersComplete(llhttp_t* p) {
  RequestParser* self = Self(p);
  self->headers_done_ = true;
  if (p->http_major != 1) return self->Fail(HttpError::kVersionUnsupported);
  // Keel speaks only HTTP/1.1 and ignores Upgrade (RFC 9110 section 7.8);
  // left set, llhttp would stop after this request and fail the next one
  // (curl's "Upgrade: h2c", say). CONNECT stays an upgrade: what follows
  // it is not HTTP.
  if (p->method != HTTP_CONNECT) p->upgrade = 0;
  // The line endings llhttp lets through, checked before anything else and
  // before a single body or trailer byte is parsed, so the verdict does not
  // depend on what follows or on how it was split. The head's bytes up to
  // its final LF are in the buffer: llhttp has just consumed them.
  std::string_view buffered(self->base_, self->size_);
  if (!RequestLineEndsWithCrlf(buffered.substr(self->url_end_)))
    return self->Fail(HttpError::kRequestLineNotCrlf);
  // RFC 9112 3: exactly one SP between target and version (llhttp lets a
  // run of them through; a front end that splits differently would see
  // another target).
  if (buffered.substr(self->url_end_, 7) != " HTTP/1")
    return self->Fail(HttpError::kMalformedRequestLine);
  if (!HeadEndsWithCrlfCrlf(buffered.substr(self->header_end_)))
    return self->Fail(HttpError::kHeadNotCrlfCrlf);
  // Whitespace after the last value reaches no callback, so the callbacks'
  // limit never saw it; a head fed in pieces was already measured by Parse.
  // Measure it here too, so the verdict does not depend on the split.
  const size_t last_line_end = buffered.find('\n', self->header_end_) - 1;  // its CR
  if (last_line_end > self->limits_->max_header_bytes)
    return self->Fail(HttpError::kHeadTooLarge);
  // RFC 9112 section 3.2: an HTTP/1.1 request carries exactly one Host
  // (HTTP/1.0 at most one); ambiguity about the target is how cache
  // poisoning starts. Decided here, before the body, so a request that
  // announces a body it never sends is still answered at once.
  if (self->host_count_ > 1) return self->Fail(HttpError::kDuplicateHost);
  if (self->host_count_ == 0 && p->http_minor >= 1)
    return self->Fail(HttpError::kMissingHost);
  // Two credentials or two media types: any choice between them is a guess
  // that an intermediary may make differently.
  if (self->authorization_count_ > 1) return self->Fail(HttpError::kDuplicateAuthorization);
  if (self->content_type_count_ > 1) return self->Fail(HttpError::kDuplicateContentType);
  self->chunked_ = (p->flags & F_CHUNKED) != 0;
  bool has_body = self->chunked_ || ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > 0);
  // Refuse an oversized body now, before any of it is buffered.
  if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > self->limits_->max_body_bytes)
    return self->Fail(HttpError::kBodyTooLarge);
  if (has_body) {
    // Only requests with a body can ask for 100-continue; look for Expect
    // in the (already validated, contiguous) header block. llhttp accepts
    // any codings before a final "chunked" ("gzip, chunked"); Keel decodes
    // none, so a body still gzipped would reach the handler as if plain.
    std::string_view block(self->base_ + self->url_end_, self->header_end_ - self->url_end_);
    HeaderLines lines(block);
    Header h;
    bool folded = false;
    while (lines.Next(h, folded)) {
      if (EqualsIgnoreCase(h.name, "transfer-encoding") && !EqualsIgnoreCase(h.value, "chunked"))
        return self->Fail(HttpError::kTransferCodingUnsupported);
      if (!EqualsIgnoreCase(h.name, "expect")) continue;
      if (!EqualsIgnoreCase(h.value, "100-continue"))
        return self->Fail(HttpError::kExpectationUnsupported);
      self->expect_continue_ = true;
    }
  }
  return 0;
}

int RequestParser::OnBody(llhttp_t* p, const char* at, size_t len) {
  RequestParser* self = Self(p);
  self->body_bytes_ += len;
  if (self->body_bytes_ > self->limits_->max_body_bytes)
    return self->Fail(HttpError::kBodyTooLarge);
  self->expect_continue_ = false;
  if (self->chunked_) {
    if (!self->body_scratch_) self->body_scratch_ = std::make_unique<std::string>();
    self->body_scratch_->append(at, len);
    return 0;
  }
  // A Content-Length body is contiguous in the input buffer: it only ever
  // extends.
  if (self->body_end_ == 0) self->body_begin_ = static_cast<uint32_t>(self->Offset(at));
  self->body_end_ = static_cast<uint32_t>(self->Offset(at) + len);
  return 0;
}

int RequestParser::OnMessageComplete(llhttp_t* p) {
  RequestParser* self = Self(p);
  self->message_done_ = true;
  if (self->body_end_ == 0) self->body_begin_ = self->body_end_ = self->header_end_;
  // Stop after each request so the session handles it before parsing the
  // next pipelined one; Consume() resumes.
  return HPE_PAUSED;
}

}  // namespace keel::http
