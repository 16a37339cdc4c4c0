// JWT access tokens (RFC 7519 / RFC 7515 compact form), signed one of two
// ways, chosen once per deployment:
//
//  - Hs256Codec: HMAC-SHA256 with a shared secret (--jwt-secret-file). Any
//    service that checks these tokens must hold the secret, and so could
//    mint them.
//  - EdDsaCodec (auth/eddsa.h): Ed25519 signatures (RFC 8037) with keys from
//    a key directory; anyone can verify them from the published JWK Set.
//
// Each codec pins the header's alg to its own (no "none", no other
// algorithm, so no key confusion), checks iss, aud when an audience is
// configured, and exp/iat/nbf with a small leeway for clock skew. The token
// version claim ("ver") is returned for the caller to compare with the
// user's current one (a password change or a revocation bumps it).
// Codecs are immutable and thread-safe after construction.
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
  // Not a claim: when the key that signed the token stops verifying (a
  // retired EdDSA key's window ends); CheckTimes refuses the token from
  // then on, so a cached verification cannot outlive the key.
  int64_t key_expires = INT64_MAX;
};

// What every codec signs into and checks in each token.
struct JwtSettings {
  std::string issuer = "keel";  // iss
  // aud: when set, every token carries it and Verify requires it (as the
  // string, or as one member of an array). Empty: not signed, and a token's
  // aud is ignored like any claim we do not use.
  std::string audience;
  int64_t ttl_seconds = 900;
  int64_t leeway_seconds = 30;
};

// The interface the server uses; see Hs256Codec and EdDsaCodec.
class TokenCodec {
 public:
  virtual ~TokenCodec();
  TokenCodec(const TokenCodec&) = delete;
  TokenCodec& operator=(const TokenCodec&) = delete;

  const JwtSettings& settings() const { return settings_; }
  int64_t ttl_seconds() const { return settings_.ttl_seconds; }
  // A number no other codec made in this process has: verified-token caches
  // key on it, so a token verified by one codec (or by a key set since
  // reloaded) is never taken as verified by another.
  uint64_t id() const { return id_; }
  // "HS256" or "EdDSA": the only alg this codec accepts.
  virtual std::string_view alg() const = 0;

  // A token for `sub` issued at `now`: iat = nbf = now, exp = now + ttl.
  virtual std::string Sign(uint64_t sub, std::string_view role, uint64_t ver,
                           int64_t now) const = 0;
  // Unauthenticated with a short reason when the token is malformed,
  // tampered with, of another alg, key, issuer or audience, expired or not
  // yet valid. `out` is untouched on failure.
  virtual core::Status Verify(std::string_view token, int64_t now, Claims* out) const = 0;
  // The time checks alone (exp, nbf, iat with the leeway, and key_expires),
  // for callers that cache verified tokens and must still let them expire.
  core::Status CheckTimes(const Claims& claims, int64_t now) const;

 protected:
  explicit TokenCodec(JwtSettings settings);
  // The payload JSON every codec signs (sub, iat, nbf, exp, iss, [aud],
  // role, ver), appended to `out`.
  void WriteClaims(uint64_t sub, std::string_view role, uint64_t ver, int64_t now,
                   std::string& out) const;
  // Decodes and checks the payload of a token whose signature has passed:
  // every claim present once, issuer, audience, times.
  core::Status CheckPayload(std::string_view payload_b64, int64_t now, Claims* out) const;

 private:
  JwtSettings settings_;
  uint64_t id_;
};

// HS256 with a shared secret: the format keel has always issued, unchanged
// (header {"alg":"HS256","typ":"JWT"}, no kid).
class Hs256Codec final : public TokenCodec {
 public:
  // `key` is the HMAC key (at least 32 bytes).
  Hs256Codec(std::string key, JwtSettings settings);
  // Shorthand for the tests and benchmarks.
  Hs256Codec(std::string key, std::string issuer, int64_t ttl_seconds = 900,
             int64_t leeway_seconds = 30);
  ~Hs256Codec() override;  // wipes the keyed state

  std::string_view alg() const override { return "HS256"; }
  std::string Sign(uint64_t sub, std::string_view role, uint64_t ver, int64_t now) const override;
  core::Status Verify(std::string_view token, int64_t now, Claims* out) const override;

 private:
  // libsodium's HMAC-SHA256 state after absorbing the key (its inner and
  // outer pads), computed once so each token costs two SHA-256 blocks
  // fewer. Opaque here to keep libsodium out of this header; zeroed on
  // destruction.
  alignas(16) unsigned char keyed_state_[256];
};

}  // namespace keel::auth
