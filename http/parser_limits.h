// The request limits the parser enforces (docs/api.md, "Limits").
#pragma once

#include <cstddef>

namespace keel::http {

struct ParserLimits {
  size_t max_header_bytes = 16384;  // request line + headers: 431 past it
  size_t max_url_bytes = 8192;      // request target: 414 past it
  size_t max_body_bytes = 1048576;  // 413 past it
  size_t max_headers = 100;         // header fields: 431 past it
};

}  // namespace keel::http
