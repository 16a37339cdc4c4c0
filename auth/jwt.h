// JWT access tokens: HS256 only (RFC 7519 / RFC 7515 compact form).
//
// Signing and verifying use libsodium's HMAC-SHA256; the signature check is
// constant-time (crypto_auth_hmacsha256_verify). Verification pins the
// header's alg to exactly "HS256" (no "none", no other algorithm), checks
// iss, and exp/iat/nbf with a small leeway for clock skew. The token
// version claim ("ver") is returned for the caller to compare with the
// user's current one (a password change or a revocation bumps it).
// Thread-safe after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keel::auth {

struct Claims {
  uint64_t sub = 0;  // user id
  int64_t iat = 0;
  int64_t nbf = 0;
  int64_t exp = 0;
  std::string iss;
  std::string role;
  uint64_t ver = 0;  // token version
};

class JwtCodec {
 public:
  // `key` is the HMAC key (at least 32 bytes).
  JwtCodec(std::string key, std::string issuer, int64_t ttl_seconds = 900,
           int64_t leeway_seconds = 30);
  ~JwtCodec();  // wipes the keyed state
  JwtCodec(const JwtCodec&) = delete;
  JwtCodec& operator=(const JwtCodec&) = delete;

  int64_t ttl_seconds() const { return ttl_; }
  // A token for `sub` issued at `now`: iat = nbf = now, exp = now + ttl.
  std::string Sign(uint64_t sub, std::string_view role, uint64_t ver, int64_t now) const;
  // Unauthenticated with a short reason when the token is malformed,
  // tampered with, of another alg or issuer, expired or not yet valid.
  core::Status Verify(std::string_view token, int64_t now, Claims* out) const;
  // The time checks alone (exp, nbf, iat with the leeway), for callers that
  // cache verified tokens and must still let them expire.
  core::Status CheckTimes(const Claims& claims, int64_t now) const;

 private:
  // libsodium's HMAC-SHA256 state after absorbing the key (its inner and
  // outer pads), computed once so each token costs two SHA-256 blocks
  // fewer. Opaque here to keep libsodium out of this header; zeroed on
  // destruction.
  alignas(16) unsigned char keyed_state_[256];
  std::string issuer_;
  int64_t ttl_;
  int64_t leeway_;
};

}  // namespace keel::auth
