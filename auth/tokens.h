// Random tokens and their stored form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keel::auth {

// RFC 4648 section 5, without padding.
std::string Base64UrlEncode(std::string_view bytes);
// Strict: rejects padding, characters outside the alphabet, and lengths
// that cannot be unpadded base64.
core::Result<std::string> Base64UrlDecode(std::string_view text);
// The same check, decoding into `out` (replaced, its capacity reused, so a
// caller that keeps one string per thread does not allocate). On false,
// `out` holds unspecified bytes.
bool Base64UrlDecodeTo(std::string_view text, std::string& out);

// `n` bytes from the OS CSPRNG (randombytes_buf).
std::string RandomBytes(size_t n);
// A refresh token: 32 random bytes, base64url (43 characters).
std::string NewRefreshToken();
// What is stored for a refresh token: its 32-byte BLAKE2b hash. A leaked
// database does not reveal usable tokens.
std::string HashToken(std::string_view token);

}  // namespace keel::auth
