// Fuzzes auth::JwtCodec::Verify and the base64url codec (auth/tokens.h).
//
// Input: byte 0 picks the mode, the rest is the payload.
//   0  the payload is a token, verified as a client would send it.
//   1  the payload is "<header JSON>\0<claims JSON>": the target encodes and
//      signs it with the codec's key (libsodium's one-shot HMAC, not the
//      codec's own), so the fuzzer reaches the header and claims checks
//      behind the signature. An accepted token must satisfy what Verify
//      promises, and its claims must survive Sign and Verify again.
//   2  base64url: decoding is strict (what decodes re-encodes to the same
//      text), and encoding any bytes decodes back to them.
//   3  Sign then Verify, with sub, ver, the time and the role taken from
//      the payload: the claims must come back unchanged.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "auth/tokens.h"
#include "core/utf8.h"
#include "tests/fuzz/check.h"

namespace {

using keel::auth::Claims;
using JwtCodec = keel::auth::Hs256Codec;  // the HS256 codec; EdDSA tokens have their own tests
using keel::core::Status;

// 32 bytes, so crypto_auth_hmacsha256 (which wants exactly that) can sign
// with it too.
constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
constexpr std::string_view kIssuer = "keel";
constexpr int64_t kNow = 1700000000;
constexpr int64_t kTtl = 900;
constexpr int64_t kLeeway = 30;

using keel::fuzz::Check;

const JwtCodec& Codec() {
  static const JwtCodec codec(std::string(kKey), std::string(kIssuer), kTtl, kLeeway);
  return codec;
}

uint64_t TakeU64(std::string_view& s) {
  uint64_t v = 0;
  size_t n = s.size() < 8 ? s.size() : 8;
  std::memcpy(&v, s.data(), n);
  s.remove_prefix(n);
  return v;
}

// What Verify promises about a token it accepts at `now`.
void CheckAccepted(const Claims& c, int64_t now, std::string_view token) {
  Check(c.iss == kIssuer, "accepted another issuer", token);
  Check(c.sub != 0, "accepted sub 0", token);
  Check(c.exp > now - kLeeway, "accepted an expired token", token);
  Check(c.nbf <= now + kLeeway && c.iat <= now + kLeeway, "accepted a future token", token);
  Check(Codec().CheckTimes(c, now).ok(), "CheckTimes refuses what Verify accepted", token);
  Check(keel::core::IsValidUtf8(c.role), "role is not UTF-8", token);
}

void CheckError(const Status& s) {
  Check(!s.ok() && !s.message().empty(), "error without a message");
  Check(s.code() == Status::Code::kUnauthenticated, "Verify failed with another code", s.message());
}

// Signs `claims` anew and checks the same claims come back.
void CheckResign(const Claims& c, int64_t now) {
  std::string token = Codec().Sign(c.sub, c.role, c.ver, now);
  Claims again;
  Status s = Codec().Verify(token, now, &again);
  // Verify refuses tokens over 4096 bytes; Sign only ever gets short roles
  // ("user", "admin"), but the fuzzer's can be long.
  if (token.size() > 4096) {
    Check(!s.ok(), "Verify accepted a token over 4096 bytes", token);
    return;
  }
  if (!s.ok()) Check(false, "Verify refused a token Sign made", s.message());
  Check(again.sub == c.sub && again.role == c.role && again.ver == c.ver, "claims changed", token);
  Check(again.iat == now && again.nbf == now && again.exp == now + kTtl, "times changed", token);
  Check(again.iss == kIssuer, "issuer changed", token);
}

void FuzzToken(std::string_view token) {
  Claims c;
  Status s = Codec().Verify(token, kNow, &c);
  if (s.ok()) {
    CheckAccepted(c, kNow, token);
  } else {
    CheckError(s);
  }
}

void FuzzSigned(std::string_view payload) {
  size_t nul = payload.find('\0');
  if (nul == std::string_view::npos) return;
  std::string token = keel::auth::Base64UrlEncode(payload.substr(0, nul));
  token += '.';
  token += keel::auth::Base64UrlEncode(payload.substr(nul + 1));
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                         reinterpret_cast<const unsigned char*>(kKey.data()));
  token += '.';
  token += keel::auth::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
  Claims c;
  Status s = Codec().Verify(token, kNow, &c);
  if (!s.ok()) {
    CheckError(s);
    return;
  }
  CheckAccepted(c, kNow, token);
  CheckResign(c, kNow);
}

void FuzzBase64(std::string_view payload) {
  std::string decoded;
  if (keel::auth::Base64UrlDecodeTo(payload, decoded)) {
    Check(keel::auth::Base64UrlEncode(decoded) == payload, "decoding is not canonical", payload);
    auto r = keel::auth::Base64UrlDecode(payload);
    Check(r.ok() && r.value() == decoded, "Base64UrlDecode disagrees with Base64UrlDecodeTo");
  } else {
    Check(!keel::auth::Base64UrlDecode(payload).ok(),
          "Base64UrlDecode accepts what DecodeTo refuses");
  }
  std::string encoded = keel::auth::Base64UrlEncode(payload);
  Check(encoded.size() == (payload.size() * 4 + 2) / 3, "encoded length");
  Check(
      encoded.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos,
      "encoded text outside the alphabet", encoded);
  Check(keel::auth::Base64UrlDecodeTo(encoded, decoded) && decoded == payload,
        "encode then decode changed the bytes", encoded);
}

void FuzzSignVerify(std::string_view payload) {
  Claims c;
  c.sub = TakeU64(payload);
  c.ver = TakeU64(payload) >> 1;  // the codec never signs a ver past int64
  // A wall clock: 0 .. about 2^40 seconds, so now + ttl cannot overflow.
  const int64_t now = static_cast<int64_t>(TakeU64(payload) >> 24);
  if (c.sub == 0) c.sub = 1;  // user ids start at 1
  c.role = payload;
  if (!keel::core::IsValidUtf8(c.role)) return;  // the writer would replace bytes
  CheckResign(c, now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] & 3) {
    case 0:
      FuzzToken(payload);
      break;
    case 1:
      FuzzSigned(payload);
      break;
    case 2:
      FuzzBase64(payload);
      break;
    default:
      FuzzSignVerify(payload);
      break;
  }
  return 0;
}
