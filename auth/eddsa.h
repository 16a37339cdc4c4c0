// Ed25519 access tokens (JWS alg "EdDSA", RFC 8037) and the public key set
// (JWK Set, RFC 7517) that lets other services verify them.
//
// A deployment holds a few keys, each named by a key id (kid) that every
// token carries in its header. The newest key that is not retired signs;
// every key verifies, a retired one until every token it can have signed has
// expired (retired_at + ttl + leeway). libsodium does the signing
// (crypto_sign_detached) and the checking (crypto_sign_verify_detached),
// which rejects non-canonical signatures and small-order public keys.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "core/status.h"

namespace keel::auth {

inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kMaxKidBytes = 64;

// Whether `kid` may name a key: 1 to kMaxKidBytes of [A-Za-z0-9_-]. It is a
// file name in the key directory and goes into JSON unescaped, so nothing
// else is allowed.
bool IsValidKid(std::string_view kid);

// One Ed25519 key pair. Copies wipe their secret half when destroyed.
class Ed25519Key {
 public:
  // The key pair derived from a 32-byte seed (what the key file holds).
  // InvalidArgument if the seed is not 32 bytes or the kid is not valid.
  static core::Result<Ed25519Key> FromSeed(std::string kid, std::string_view seed,
                                           int64_t retired_at = 0);
  Ed25519Key(const Ed25519Key&) = default;
  Ed25519Key& operator=(const Ed25519Key&) = default;
  ~Ed25519Key();

  const std::string& kid() const { return kid_; }
  // Seconds since the epoch when it was retired; 0 while it may sign.
  int64_t retired_at() const { return retired_at_; }
  bool retired() const { return retired_at_ != 0; }
  const std::array<unsigned char, kEd25519PublicKeyBytes>& public_key() const { return public_; }
  // The public key as a JWK "x" member: base64url, no padding.
  std::string PublicKeyBase64() const;

 private:
  Ed25519Key() = default;
  friend class EdDsaCodec;

  std::string kid_;
  int64_t retired_at_ = 0;
  std::array<unsigned char, kEd25519PublicKeyBytes> public_{};
  std::array<unsigned char, 64> secret_{};  // libsodium's form: seed || public key
};

class EdDsaCodec final : public TokenCodec {
 public:
  // Takes the deployment's keys. FailedPrecondition if none of them may
  // sign; InvalidArgument if two share a kid.
  static core::Result<std::unique_ptr<EdDsaCodec>> Create(std::vector<Ed25519Key> keys,
                                                          JwtSettings settings);

  std::string_view alg() const override { return "EdDSA"; }
  // Signed with the newest key that is not retired (greatest kid).
  std::string Sign(uint64_t sub, std::string_view role, uint64_t ver, int64_t now) const override;
  core::Status Verify(std::string_view token, int64_t now, Claims* out) const override;

  const std::string& signing_kid() const { return keys_[signer_].kid(); }
  // Every key held, in kid order, including retired keys past their window.
  const std::vector<Ed25519Key>& keys() const { return keys_; }
  // `key` verifies while now < this: forever (INT64_MAX) for an active key,
  // retired_at + ttl + leeway for a retired one, the moment the last token
  // it can have signed stops being accepted anyway.
  int64_t VerifiesUntil(const Ed25519Key& key) const;

  // The JWK Set of the keys that verify at `now`: {"keys":[{"kty":"OKP",
  // "crv":"Ed25519","kid":...,"use":"sig","alg":"EdDSA","x":...},...]}.
  std::string JwksJson(int64_t now) const;
  // How long (seconds, at least 1) a client may cache that set: at most one
  // access-token lifetime and at most an hour, and never past the moment a
  // retired key leaves it.
  int64_t JwksMaxAge(int64_t now) const;

 private:
  EdDsaCodec(std::vector<Ed25519Key> keys, size_t signer, JwtSettings settings);
  // The key named `kid` that verifies at `now`, or nullptr.
  const Ed25519Key* FindKey(std::string_view kid, int64_t now) const;

  std::vector<Ed25519Key> keys_;  // sorted by kid
  size_t signer_;
  std::string header_b64_;  // {"alg":"EdDSA","typ":"JWT","kid":...}, encoded once
};

}  // namespace keel::auth
