// One parsed HTTP request.
//
// Every string_view points into the connection's input buffer (or, for a
// chunked body, into the parser's body_scratch, where its pieces are joined;
// a Content-Length body stays in the input buffer however many reads it
// took). The
// views are valid only while the handler runs; a handler that answers later
// (Response::Defer) must copy what it needs first. Loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/ascii.h"
#include "http/method.h"
#include "http/worker_state.h"

namespace keel::core {
class JsonReader;
}

namespace keel::http {

struct Header {
  std::string_view name;
  std::string_view value;
};

struct PathParam {
  std::string_view name;
  std::string_view value;
};

// Path parameters captured by the router ("/api/users/{id}" -> id).
class PathParams {
 public:
  static constexpr size_t kMax = 8;
  bool Push(std::string_view name, std::string_view value) {
    if (size_ == kMax) return false;
    items_[size_++] = {name, value};
    return true;
  }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  std::string_view Get(std::string_view name) const {
    for (size_t i = 0; i < size_; ++i)
      if (items_[i].name == name) return items_[i].value;
    return {};
  }
  const PathParam& operator[](size_t i) const { return items_[i]; }

 private:
  std::array<PathParam, kMax> items_{};
  size_t size_ = 0;
};

struct Request {
  Method method = Method::kOther;
  std::string_view method_name;
  std::string_view target;    // raw request-target: path and query
  std::string_view path;      // target up to '?'
  std::string_view query;     // after '?', without it; empty if none
  uint8_t version_minor = 1;  // HTTP/1.<minor>
  bool keep_alive = true;
  std::span<const Header> headers;
  std::string_view body;
  // True when at least 64 readable bytes follow body.data() + body.size(),
  // so simdjson can parse the body in place without a padded copy.
  bool body_padded = false;
  // Client address as raw network-order bytes (4 for IPv4, 16 for IPv6):
  // a compact key for per-client limits. FormatAddress turns it into text
  // for logs; it is not formatted per request because most never need it.
  std::string_view remote_key;
  PathParams params;
  // The handling worker's JSON reader for bodies and its protocol state
  // (http/worker_state.h); set once per worker, valid while it runs.
  core::JsonReader* json = nullptr;
  WorkerState* worker_state = nullptr;

  // First header with this name, compared case-insensitively; empty if none.
  std::string_view Find(std::string_view name) const;
  bool Has(std::string_view name) const;
};

// Writes a raw address (Request::remote_key) as text ("127.0.0.1", "::1")
// into `out`, which needs 46 bytes, and returns the text.
std::string_view FormatAddress(std::string_view raw, char* out);

// ASCII case-insensitive equality, for header names and tokens.
using core::EqualsIgnoreCase;

}  // namespace keel::http
