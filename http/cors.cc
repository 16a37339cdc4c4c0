#include "http/cors.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "core/ascii.h"

namespace keel::http {
namespace {

constexpr std::string_view kVaryOrigin = "Vary: Origin\r\n";

std::string Line(std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + value.size() + 4);
  line.append(name).append(": ").append(value).append("\r\n");
  return line;
}

using core::EqualsIgnoreCase;
using core::ForEachListElement;
using core::TrimOws;

bool ListHas(std::string_view list, std::string_view item, bool ignore_case) {
  bool found = false;
  ForEachListElement(list, [&](std::string_view element) {
    found = ignore_case ? EqualsIgnoreCase(element, item) : element == item;
    return !found;
  });
  return found;
}

bool IsLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 scheme, restricted to lower case because browsers serialize it so.
bool IsLowerScheme(std::string_view s) {
  if (s.empty() || !IsLowerAlpha(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsLowerAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.';
  });
}

// A host as a browser serializes it: lower-case (IDNs as punycode) or a
// bracketed, lower-case IPv6 literal.
bool IsSerializedHost(std::string_view h) {
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
    // An IPv6 literal, as a browser writes it: lower-case hex that
    // inet_pton reads.
    std::string literal(h.substr(1, h.size() - 2));
    in6_addr addr;
    return std::all_of(literal.begin(), literal.end(),
                       [](char c) {
                         return IsDigit(c) || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
                       }) &&
           inet_pton(AF_INET6, literal.c_str(), &addr) == 1;
  }
  return !h.empty() && std::all_of(h.begin(), h.end(), [](char c) {
    return IsLowerAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_';
  });
}

bool IsPort(std::string_view p) {
  if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), IsDigit)) return false;
  if (p.size() > 1 && p[0] == '0') return false;  // browsers drop leading zeros
  uint32_t value = 0;
  for (char c : p) value = value * 10 + static_cast<uint32_t>(c - '0');
  return value <= 65535;
}

core::Status BadOrigin(std::string_view origin, std::string_view why) {
  std::string msg = "bad --cors-origin \"";
  msg.append(origin).append("\": ").append(why);
  return core::Status::InvalidArgument(msg);
}

}  // namespace

core::Status CorsPolicy::ValidateOrigin(std::string_view origin) {
  if (origin == "*") return BadOrigin(origin, "wildcards are not supported; list each origin");
  // Sandboxed iframes, file: pages and redirects all send "null": allowing
  // it would allow them all.
  if (origin == "null") return BadOrigin(origin, "the opaque origin is refused");
  size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return BadOrigin(origin, "expected scheme://host[:port]");
  if (!IsLowerScheme(origin.substr(0, sep))) {
    return BadOrigin(origin, "the scheme must be lower-case letters, digits, '+', '-' or '.'");
  }
  std::string_view authority = origin.substr(sep + 3);
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    return BadOrigin(origin, "an origin has no path, query or trailing slash");
  }
  // The port separator is the last ':' outside an IPv6 literal's brackets.
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) != std::string_view::npos) {
    colon = std::string_view::npos;
  }
  if (!IsSerializedHost(authority.substr(0, colon))) {
    return BadOrigin(origin, "the host must be lower case (punycode for IDNs) or [ipv6]");
  }
  if (colon == std::string_view::npos) return core::Status::Ok();
  std::string_view port = authority.substr(colon + 1);
  if (!IsPort(port)) {
    return BadOrigin(origin, "the port must be 0 to 65535, no leading zeros");
  }
  std::string_view scheme = origin.substr(0, sep);
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
    return BadOrigin(origin, "browsers omit the default port; drop it");
  }
  return core::Status::Ok();
}

bool CorsPolicy::IsPreflight(Method method, std::string_view origin,
                             std::string_view access_control_request_method) {
  return method == Method::kOptions && !origin.empty() && !access_control_request_method.empty();
}

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins, int max_age_seconds) {
  std::sort(allowed_origins.begin(), allowed_origins.end());
  allowed_origins.erase(std::unique(allowed_origins.begin(), allowed_origins.end()),
                        allowed_origins.end());
  const std::string max_age = std::to_string(std::max(0, max_age_seconds));
  // Both blocks are built here, once, so a request only looks one up.
  for (std::string& origin : allowed_origins) {
    if (!ValidateOrigin(origin).ok()) continue;
    const std::string allow_origin = Line("Access-Control-Allow-Origin", origin);
    Entry e;
    e.response_block = allow_origin + Line("Access-Control-Expose-Headers", kExposeHeaders);
    e.response_block.append(kVaryOrigin);
    e.preflight_block = allow_origin + Line("Access-Control-Allow-Methods", kAllowMethods) +
                        Line("Access-Control-Allow-Headers", kAllowHeaders) +
                        Line("Access-Control-Max-Age", max_age);
    e.preflight_block.append(kVaryOrigin);
    e.origin = std::move(origin);
    entries_.push_back(std::move(e));
  }
}

const CorsPolicy::Entry* CorsPolicy::Find(std::string_view origin) const {
  // A handful of origins at most: a binary search over a sorted vector needs
  // no hash of the header and keeps the table in one block.
  auto it = std::lower_bound(entries_.begin(), entries_.end(), origin,
                             [](const Entry& e, std::string_view o) { return e.origin < o; });
  return (it != entries_.end() && it->origin == origin) ? &*it : nullptr;
}

std::string_view CorsPolicy::ResponseHeaders(std::string_view origin) const {
  if (!enabled()) return {};
  // Vary even when the origin is absent or unknown: a shared cache must not
  // hand this answer (without Allow-Origin) to a listed origin, or the reverse.
  const Entry* e = origin.empty() ? nullptr : Find(origin);
  return e != nullptr ? std::string_view(e->response_block) : kVaryOrigin;
}

bool CorsPolicy::Preflight(std::string_view origin, std::string_view request_method,
                           std::string_view request_headers, std::string_view& block) const {
  block = {};
  const Entry* e = origin.empty() ? nullptr : Find(origin);
  if (e == nullptr) return false;
  if (request_method.empty() || !ListHas(kAllowMethods, request_method, /*ignore_case=*/false)) {
    return false;
  }
  bool headers_ok = ForEachListElement(request_headers, [](std::string_view name) {
    return ListHas(kAllowHeaders, name, /*ignore_case=*/true);
  });
  if (!headers_ok) return false;
  block = e->preflight_block;
  return true;
}

}  // namespace keel::http
