// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written out for the
// tests, which must not depend on keel's own crypto: they sign JWTs with a
// known key (--jwt-secret-file) to probe the server's claim checks. Pure
// functions, any thread. Not constant-time; test use only.
#pragma once

#include <string>
#include <string_view>

namespace keel::integration {

// The 32-byte digest of `data`.
std::string Sha256(std::string_view data);
// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace keel::integration
