// CORS for the origins named with --cors-origin (no wildcard, no "null").
//
// A CorsPolicy is built once at startup and is immutable afterwards, so any
// thread may call its const methods concurrently. Every string_view it
// returns points into the policy and stays valid as long as the policy does;
// nothing is allocated per request.
//
// Origins are compared byte for byte with the Origin request header, as the
// RFC 6454 serialization a browser sends: lower-case scheme and host, no
// default port, no path, no trailing slash ("https://app.example.com",
// "http://localhost:3000"). ValidateOrigin tells the config parser whether a
// --cors-origin value can ever match, so a typo fails at startup instead of
// silently disabling CORS for that origin.
//
// What goes out (each line ends with CRLF, ready for Response::Context's
// extra_block):
//   - policy disabled (no origins): nothing, on any response;
//   - enabled, Origin absent or not listed: "Vary: Origin";
//   - enabled, Origin listed: Access-Control-Allow-Origin: <origin>,
//     Access-Control-Expose-Headers, Vary: Origin;
//   - allowed preflight: Allow-Origin, Allow-Methods, Allow-Headers, Max-Age,
//     Vary: Origin.
// No Access-Control-Allow-Credentials: Keel's tokens travel in the
// Authorization header and JSON bodies, never in cookies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/method.h"

namespace keel::http {

class CorsPolicy {
 public:
  // Origins failing ValidateOrigin are skipped (the config parser should have
  // rejected them already: this keeps CR/LF out of header blocks whatever the
  // caller does); duplicates count once. A negative max_age is treated as 0.
  explicit CorsPolicy(std::vector<std::string> allowed_origins, int max_age_seconds = 600);

  // OK if `origin` is a serialized origin a browser could send; otherwise an
  // InvalidArgument naming the problem ("*" and "null" are refused on purpose).
  static core::Status ValidateOrigin(std::string_view origin);

  // True for an OPTIONS request carrying both Origin and
  // Access-Control-Request-Method (empty view = header absent).
  static bool IsPreflight(Method method, std::string_view origin,
                          std::string_view access_control_request_method);

  // At least one origin is configured.
  bool enabled() const { return !entries_.empty(); }

  // The header block for any non-preflight response to a request whose
  // Origin header is `origin` (empty = no Origin header). Empty if disabled.
  std::string_view ResponseHeaders(std::string_view origin) const;

  // Decides a preflight. `request_method` is Access-Control-Request-Method
  // (case-sensitive, as method tokens are); `request_headers` is
  // Access-Control-Request-Headers (may be empty): a comma-separated list,
  // names compared case-insensitively, optional whitespace around each,
  // empty elements ignored. Allowed when the origin is listed, the method is
  // one of kAllowMethods and every requested header is in kAllowHeaders; then
  // `block` is the preflight header block and true is returned. Otherwise
  // `block` is empty and false is returned: the caller answers without
  // Access-Control-Allow-* headers (e.g. 204 with ResponseHeaders(origin)),
  // which makes the browser refuse the actual request.
  bool Preflight(std::string_view origin, std::string_view request_method,
                 std::string_view request_headers, std::string_view& block) const;

  static constexpr std::string_view kAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
  static constexpr std::string_view kAllowHeaders =
      "Authorization, Content-Type, If-Match, If-None-Match";
  static constexpr std::string_view kExposeHeaders = "ETag, Location, Link, Retry-After";

 private:
  struct Entry {
    std::string origin;
    std::string response_block;
    std::string preflight_block;
  };

  // nullptr when `origin` is not listed.
  const Entry* Find(std::string_view origin) const;

  std::vector<Entry> entries_;  // sorted by origin, unique
};

}  // namespace keel::http
