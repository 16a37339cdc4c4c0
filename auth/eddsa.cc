#include "auth/eddsa.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "auth/jwt_parts.h"
#include "auth/sodium_init.h"
#include "auth/tokens.h"
#include "core/json_writer.h"

namespace keel::auth {

namespace {

using core::Status;

static_assert(crypto_sign_SEEDBYTES == kEd25519SeedBytes);
static_assert(crypto_sign_PUBLICKEYBYTES == kEd25519PublicKeyBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == 64);

// The longest a JWKS may be cached, whatever the token lifetime: a key
// added or deleted by hand (a compromise) reaches every cache within the
// hour.
constexpr int64_t kMaxJwksAge = 3600;

}  // namespace

bool IsValidKid(std::string_view kid) {
  if (kid.empty() || kid.size() > kMaxKidBytes) return false;
  for (char c : kid) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// --- Ed25519Key --------------------------------------------------------------

core::Result<Ed25519Key> Ed25519Key::FromSeed(std::string kid, std::string_view seed,
                                              int64_t retired_at) {
  EnsureSodium();
  if (!IsValidKid(kid)) {
    return Status::InvalidArgument("bad key id '" + kid + "': use 1-64 of A-Z a-z 0-9 - _");
  }
  if (seed.size() != kEd25519SeedBytes) {
    return Status::InvalidArgument("key '" + kid + "': an Ed25519 seed is 32 bytes, not " +
                                   std::to_string(seed.size()));
  }
  Ed25519Key key;
  key.kid_ = std::move(kid);
  key.retired_at_ = retired_at;
  crypto_sign_seed_keypair(key.public_.data(), key.secret_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return key;
}

Ed25519Key::~Ed25519Key() { sodium_memzero(secret_.data(), secret_.size()); }

std::string Ed25519Key::PublicKeyBase64() const {
  return Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(public_.data()), public_.size()));
}

// --- EdDsaCodec --------------------------------------------------------------

core::Result<std::unique_ptr<EdDsaCodec>> EdDsaCodec::Create(std::vector<Ed25519Key> keys,
                                                             JwtSettings settings) {
  std::sort(keys.begin(), keys.end(),
            [](const Ed25519Key& a, const Ed25519Key& b) { return a.kid() < b.kid(); });
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].kid() == keys[i - 1].kid()) {
      return Status::InvalidArgument("two keys share the id '" + keys[i].kid() + "'");
    }
  }
  // The newest key signs: kids made by keel start with their UTC creation
  // time, so the greatest kid is the newest, and every node of a cluster
  // that holds the same files picks the same one.
  size_t signer = keys.size();
  for (size_t i = keys.size(); i-- > 0;) {
    if (!keys[i].retired()) {
      signer = i;
      break;
    }
  }
  if (signer == keys.size()) {
    return Status::FailedPrecondition(keys.empty() ? "no signing key"
                                                   : "every key is retired: no key may sign");
  }
  return std::unique_ptr<EdDsaCodec>(new EdDsaCodec(std::move(keys), signer, std::move(settings)));
}

EdDsaCodec::EdDsaCodec(std::vector<Ed25519Key> keys, size_t signer, JwtSettings settings)
    : TokenCodec(std::move(settings)), keys_(std::move(keys)), signer_(signer) {
  std::string header;
  core::JsonWriter w(header);
  w.BeginObject();
  w.Key("alg");
  w.String("EdDSA");
  w.Key("typ");
  w.String("JWT");
  w.Key("kid");
  w.String(keys_[signer_].kid());
  w.EndObject();
  header_b64_ = Base64UrlEncode(header);
}

int64_t EdDsaCodec::VerifiesUntil(const Ed25519Key& key) const {
  if (!key.retired()) return std::numeric_limits<int64_t>::max();
  return key.retired_at() + settings().ttl_seconds + settings().leeway_seconds;
}

const Ed25519Key* EdDsaCodec::FindKey(std::string_view kid, int64_t now) const {
  // A handful of keys at most: a linear scan beats anything cleverer.
  for (const Ed25519Key& key : keys_) {
    if (key.kid() == kid) return now < VerifiesUntil(key) ? &key : nullptr;
  }
  return nullptr;
}

std::string EdDsaCodec::Sign(uint64_t sub, std::string_view role, uint64_t ver, int64_t now) const {
  std::string claims;
  WriteClaims(sub, role, ver, now, claims);
  std::string token = header_b64_;
  token += '.';
  token += Base64UrlEncode(claims);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), keys_[signer_].secret_.data());
  token += '.';
  token += Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
  return token;
}

Status EdDsaCodec::Verify(std::string_view token, int64_t now, Claims* out) const {
  internal::TokenParts parts;
  if (!internal::SplitToken(token, &parts)) return internal::Malformed();
  internal::Scratch& s = internal::ThreadScratch();
  // The header first: any alg but EdDSA is refused before anything else is
  // looked at, so an HS256 token "signed" with our public key as its secret
  // never reaches an HMAC (there is none here).
  if (Status st = internal::CheckHeader(s, parts.header_b64, "EdDSA", &s.kid); !st.ok()) {
    return st;
  }
  const Ed25519Key* key = FindKey(s.kid, now);
  if (key == nullptr) return Status::Unauthenticated("unknown key");
  // The signature before the claims: nothing an attacker wrote in the
  // payload reaches the JSON parser unless one of our keys signed it.
  if (parts.signature_b64.empty() || !Base64UrlDecodeTo(parts.signature_b64, s.signature)) {
    return internal::Malformed();
  }
  if (s.signature.size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(
          reinterpret_cast<const unsigned char*>(s.signature.data()),
          reinterpret_cast<const unsigned char*>(parts.signing_input.data()),
          parts.signing_input.size(), key->public_.data()) != 0) {
    return Status::Unauthenticated("bad signature");
  }
  Claims claims;
  if (Status st = CheckPayload(parts.payload_b64, now, &claims); !st.ok()) return st;
  // A retired key's token can outlive the key's window only if another node
  // signed it after the retirement (before its SIGHUP); it ends with the key.
  claims.key_expires = VerifiesUntil(*key);
  *out = std::move(claims);
  return Status::Ok();
}

std::string EdDsaCodec::JwksJson(int64_t now) const {
  std::string out;
  core::JsonWriter w(out);
  w.BeginObject();
  w.Key("keys");
  w.BeginArray();
  for (const Ed25519Key& key : keys_) {
    if (now >= VerifiesUntil(key)) continue;
    w.BeginObject();
    w.Key("kty");
    w.String("OKP");
    w.Key("crv");
    w.String("Ed25519");
    w.Key("kid");
    w.String(key.kid());
    w.Key("use");
    w.String("sig");
    w.Key("alg");
    w.String("EdDSA");
    w.Key("x");
    w.String(key.PublicKeyBase64());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

int64_t EdDsaCodec::JwksMaxAge(int64_t now) const {
  // A cached set must not outlive a token lifetime: a new key signs at once
  // (a verifier with an older copy refetches on the unknown kid, or waits
  // out the cache), so the cache bounds how long that can take. An hour
  // caps it when tokens live longer. And a retired key leaves the set at a
  // known moment; no cache should keep it past that.
  int64_t age = std::min<int64_t>(settings().ttl_seconds, kMaxJwksAge);
  for (const Ed25519Key& key : keys_) {
    const int64_t until = VerifiesUntil(key);
    if (key.retired() && until > now) age = std::min(age, until - now);
  }
  return std::max<int64_t>(age, 1);
}

}  // namespace keel::auth
