// Private to auth/: the parts of JWT handling both codecs share (splitting
// the compact form, the header check, per-thread scratch). See auth/jwt.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/json_reader.h"
#include "core/status.h"

namespace keel::auth::internal {

// Longer than any token we sign by far; bounds the work and the per-thread
// buffers an unauthenticated client can make us spend.
inline constexpr size_t kMaxTokenBytes = 4096;

// Views into one token.
struct TokenParts {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;
  std::string_view signing_input;  // header_b64 '.' payload_b64
};

// Compact form: exactly three parts (two dots), a non-empty header, payload
// and signature, and at most kMaxTokenBytes. False otherwise.
bool SplitToken(std::string_view token, TokenParts* parts);

// Per-thread scratch, so verifying a token allocates nothing once warm:
// Verify runs on worker threads for every authenticated request.
struct Scratch {
  core::JsonReader reader;
  std::string header;
  std::string payload;
  std::string signature;
  std::string kid;
};
Scratch& ThreadScratch();

core::Status Malformed();

// Decodes and reads the JOSE header. alg must be exactly `alg` ("none" and
// algorithm confusion are the classic JWT attacks), typ is optional but must
// be "JWT" when present, and "crit" names extensions we do not implement,
// so it is refused (RFC 7515 4.1.11). With `kid` set, the header must carry
// one string kid, copied there; without, a kid is ignored.
core::Status CheckHeader(Scratch& s, std::string_view header_b64, std::string_view alg,
                         std::string* kid);

}  // namespace keel::auth::internal
