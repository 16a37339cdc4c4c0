// Fuzzes http::RequestParser the way HttpSession drives it: bytes arrive in
// pieces, each piece is appended to the connection's input buffer, and
// Parse / Build / Consume run until the parser needs more, so pipelined
// requests are handled one after another from the same buffer.
//
// Input: byte 0 picks the size limits (small, so every limit is reachable),
// bytes 1-2 the header count limit and slots and seed the split points;
// the rest is the stream. The same stream
// is also parsed in one piece, and the two runs must agree: where TCP splits
// a request must not change what is parsed (the requests and whether the
// connection fails). Beyond that, every Request must honour the limits and
// keep its views inside the input buffer, and no header may carry CR, LF
// or NUL.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/ascii.h"
#include "core/buffer.h"
#include "http/parser_limits.h"
#include "http/request.h"
#include "http/request_parser.h"
#include "tests/fuzz/check.h"

namespace {

using keel::core::Buffer;
using keel::http::Header;
using keel::http::ParserLimits;
using keel::http::Request;
using keel::http::RequestParser;

using keel::fuzz::Check;

// Piece lengths from a small xorshift generator seeded by the input: a mix
// of single bytes (every state of the parser interrupted) and longer runs.
class Splitter {
 public:
  explicit Splitter(uint32_t seed) : state_(seed * 2654435761u + 1) {}
  size_t Next(size_t left) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    size_t cap = size_t{1} << (state_ % 9);  // 1 .. 256 bytes
    size_t n = 1 + (state_ >> 8) % cap;
    return n < left ? n : left;
  }

 private:
  uint32_t state_;
};

bool Within(std::string_view view, const Buffer& in) {
  if (view.empty()) return true;
  return view.data() >= in.data() && view.data() + view.size() <= in.data() + in.size();
}

bool HasAny(std::string_view s, std::string_view bytes) {
  return s.find_first_of(bytes) != std::string_view::npos;
}

// Checks one built request and returns a printable copy of it.
std::string Record(const Request& req, const Buffer& in, const ParserLimits& limits, size_t slots) {
  static constexpr std::string_view kCrLfNul("\r\n\0", 3);
  Check(Within(req.target, in), "target outside the input buffer", req.target);
  Check(req.target.size() <= limits.max_url_bytes, "target over max_url_bytes", req.target);
  Check(!HasAny(req.target, std::string_view(" \r\n\0", 4)), "target with SP/CR/LF/NUL");
  // The path is the target's own path: a prefix of an origin-form target;
  // of an absolute-form one ("http://host/p?q", RFC 9112 3.2.2) the part
  // after the authority, or "/" when it names none.
  const size_t sep = req.target.find("://");
  const bool absolute = sep != std::string_view::npos &&
                        (keel::core::EqualsIgnoreCase(req.target.substr(0, sep), "http") ||
                         keel::core::EqualsIgnoreCase(req.target.substr(0, sep), "https"));
  if (absolute) {
    Check(req.path == "/" || (Within(req.path, in) && req.path.front() == '/' &&
                              req.target.find(req.path) != std::string_view::npos),
          "absolute-form path is not the target's path", req.target);
  } else {
    Check(req.target.substr(0, req.path.size()) == req.path, "path is not a prefix of target");
  }
  // Strict mode: the request line ends in CRLF, like every header line.
  const char* after = req.target.data() + req.target.size();
  Check(in.view().substr(after - in.data(), 11).ends_with("\r\n"),
        "request line does not end in CRLF", std::string_view(after, 11));
  Check(req.headers.size() <= limits.max_headers && req.headers.size() <= slots,
        "more headers than allowed");
  Check(req.body.size() <= limits.max_body_bytes, "body over max_body_bytes");
  std::string out(req.method_name);
  out += ' ';
  out += req.target;
  out += " 1.";
  out += std::to_string(req.version_minor);
  out += req.keep_alive ? " keep-alive\n" : " close\n";
  bool chunked = false;
  std::string_view length;
  for (const Header& h : req.headers) {
    Check(Within(h.name, in) && Within(h.value, in), "header outside the input buffer");
    Check(!h.name.empty(), "empty header name");
    Check(!HasAny(h.name, std::string_view(":\r\n\0 \t", 6)), "bad byte in header name", h.name);
    Check(!HasAny(h.value, kCrLfNul), "CR, LF or NUL in header value", h.value);
    if (keel::http::EqualsIgnoreCase(h.name, "transfer-encoding")) chunked = true;
    if (keel::http::EqualsIgnoreCase(h.name, "content-length")) length = h.value;
    out += h.name;
    out += ": ";
    out += h.value;
    out += '\n';
  }
  if (!chunked) {
    Check(Within(req.body, in), "body outside the input buffer");
    // llhttp has already refused conflicting or malformed lengths.
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
    if (!length.empty())
      Check(ec == std::errc() && end == length.data() + length.size() && n == req.body.size(),
            "body size differs from Content-Length", length);
  }
  out += "body ";
  out += req.body;
  return out;
}

struct Outcome {
  std::vector<std::string> requests;
  int error = 0;  // 0: the connection is still open when the stream ends
  std::string message;
  bool in_message = false;
};

// Feeds `stream` to one parser, in pieces from `split` (or in one piece),
// handling requests as HttpSession does.
Outcome Run(const ParserLimits& limits, size_t slots, std::string_view stream, Splitter* split) {
  RequestParser parser(&limits);
  Buffer in;
  std::vector<Header> header_slots(slots);
  Request req;
  Outcome out;
  size_t pos = 0;
  while (pos < stream.size()) {
    size_t n = split ? split->Next(stream.size() - pos) : stream.size() - pos;
    in.Append(stream.substr(pos, n));
    pos += n;
    while (true) {
      RequestParser::Event ev = parser.Parse(in);
      if (ev == RequestParser::Event::kNeedMore) {
        // The session's bookkeeping while it waits: 100 Continue once.
        Check(!parser.in_body() || parser.in_message(), "in_body outside a message");
        if (parser.wants_continue()) {
          Check(parser.in_message(), "100-continue outside a message");
          parser.continue_sent();
          Check(!parser.wants_continue(), "100-continue asked twice");
        }
        break;
      }
      if (ev == RequestParser::Event::kError) {
        out.error = parser.error_status();
        break;
      }
      req.params.Clear();
      if (!parser.Build(in, header_slots, req)) {
        out.error = parser.error_status();
        break;
      }
      out.requests.push_back(Record(req, in, limits, slots));
      parser.Consume(in);
    }
    if (out.error != 0) {
      switch (out.error) {
        case 400:
        case 413:
        case 414:
        case 417:
        case 431:
        case 501:
        case 505:
          break;
        default:
          Check(false, "unexpected error status", std::to_string(out.error));
      }
      out.message = parser.error_message();
      Check(!out.message.empty(), "error without a message");
      return out;
    }
  }
  out.in_message = parser.in_message();
  return out;
}

bool IsLimitStatus(int status) { return status == 413 || status == 414 || status == 431; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t pick = data[0];
  ParserLimits limits;
  limits.max_header_bytes = 32 + (pick & 0x0F) * 64;      // 32 .. 992
  limits.max_url_bytes = 1 + ((pick >> 4) & 0x03) * 100;  // 1 .. 301
  limits.max_body_bytes = (pick >> 6) * 40;               // 0 .. 120
  limits.max_headers = 1 + (data[1] & 0x0F);              // 1 .. 16
  const size_t slots = 1 + (data[2] & 0x0F);              // 1 .. 16
  Splitter split(data[1] | (uint32_t{data[2]} << 8));
  std::string_view stream(reinterpret_cast<const char*>(data) + 3, size - 3);

  Outcome pieces = Run(limits, slots, stream, &split);
  Outcome whole = Run(limits, slots, stream, nullptr);

  // The requests before a failure must match whatever the split. A failure
  // itself may be found at a different point (a limit crossed while bytes
  // trickle in, or a bad byte seen first when they come at once), but then
  // both runs must fail.
  const std::string both = "pieces: " + std::to_string(pieces.requests.size()) +
                           " requests, error " + std::to_string(pieces.error) + " " +
                           pieces.message + "; whole: " + std::to_string(whole.requests.size()) +
                           " requests, error " + std::to_string(whole.error) + " " + whole.message;
  size_t common = std::min(pieces.requests.size(), whole.requests.size());
  for (size_t i = 0; i < common; ++i)
    Check(pieces.requests[i] == whole.requests[i], "split changed a request", whole.requests[i]);
  if ((pieces.error != 0) != (whole.error != 0))
    Check(false, "split changed whether the stream fails", both);
  if (pieces.error == 0) {
    Check(pieces.requests.size() == whole.requests.size(), "split changed the request count", both);
    Check(pieces.in_message == whole.in_message, "split changed the final state", both);
  } else if (!IsLimitStatus(pieces.error) && !IsLimitStatus(whole.error)) {
    Check(pieces.requests.size() == whole.requests.size(), "split changed the request count", both);
    Check(pieces.error == whole.error, "split changed the error status", both);
  }
  return 0;
}
