#include "auth/jwt.h"

#include <sodium.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <utility>

#include "auth/jwt_parts.h"
#include "auth/sodium_init.h"
#include "auth/tokens.h"
#include "core/json_reader.h"
#include "core/json_writer.h"

namespace keel::auth {

namespace internal {

bool SplitToken(std::string_view token, TokenParts* parts) {
  if (token.size() > kMaxTokenBytes) return false;
  // Compact form: exactly three parts, so exactly two dots.
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return false;
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return false;
  }
  parts->header_b64 = token.substr(0, dot1);
  parts->payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  parts->signature_b64 = token.substr(dot2 + 1);
  parts->signing_input = token.substr(0, dot2);
  // An empty signature is refused by the codec after the header check, so
  // that "alg":"none" tokens are reported as such.
  return !parts->header_b64.empty() && !parts->payload_b64.empty();
}

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

core::Status Malformed() { return core::Status::Unauthenticated("malformed token"); }

core::Status CheckHeader(Scratch& s, std::string_view header_b64, std::string_view alg,
                         std::string* kid) {
  if (!Base64UrlDecodeTo(header_b64, s.header)) return Malformed();
  core::JsonReader& reader = s.reader;
  if (!reader.ParseObject(s.header, false).ok()) return Malformed();
  bool have_alg = false, have_typ = false, have_kid = false;
  core::JsonField f;
  while (reader.NextField(f)) {
    if (f.name() == "alg") {
      auto value = f.GetString();
      if (have_alg || !value.ok() || value.value() != alg) {
        return core::Status::Unauthenticated("unsupported alg");
      }
      have_alg = true;
    } else if (f.name() == "typ") {
      auto typ = f.GetString();
      if (have_typ || !typ.ok() || typ.value() != "JWT") return Malformed();
      have_typ = true;
    } else if (f.name() == "kid" && kid != nullptr) {
      auto value = f.GetString();
      if (have_kid || !value.ok()) return Malformed();
      kid->assign(value.value());
      have_kid = true;
    } else if (f.name() == "crit") {
      return Malformed();
    }
  }
  if (!reader.status().ok()) return Malformed();
  if (!have_alg) return core::Status::Unauthenticated("unsupported alg");
  if (kid != nullptr && !have_kid) return Malformed();
  return core::Status::Ok();
}

}  // namespace internal

namespace {

using core::Status;
using internal::Malformed;

// "sub" is a user id written as a decimal string: digits only, no sign, no
// leading zero, positive, within uint64.
bool ParseSubject(std::string_view s, uint64_t* out) {
  if (s.empty() || s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

enum ClaimBit : unsigned {
  kSub = 1,
  kIat = 2,
  kNbf = 4,
  kExp = 8,
  kIss = 16,
  kRole = 32,
  kVer = 64,
  kAllClaims = 127,
  kAud = 128,  // required only when an audience is configured
  kBadClaim = 256,
};

unsigned ReadTime(const core::JsonField& f, int64_t* out, unsigned bit) {
  auto v = f.GetInt64();
  if (!v.ok()) return kBadClaim;
  *out = v.value();
  return bit;
}

unsigned ReadText(const core::JsonField& f, std::string* out, unsigned bit) {
  auto v = f.GetString();
  if (!v.ok()) return kBadClaim;
  out->assign(v.value());
  return bit;
}

// Reads one member into *c: returns the claim's bit, 0 for a claim we do
// not know (ignored, as RFC 7519 asks), or kBadClaim. `audience` empty: aud
// is one of the claims we ignore. Otherwise it must be that string (we sign
// a single string, never an array).
unsigned ReadClaim(const core::JsonField& f, std::string_view audience, Claims* c) {
  const std::string_view name = f.name();
  if (name == "sub") {
    auto v = f.GetString();
    return v.ok() && ParseSubject(v.value(), &c->sub) ? kSub : kBadClaim;
  }
  if (name == "iat") return ReadTime(f, &c->iat, kIat);
  if (name == "nbf") return ReadTime(f, &c->nbf, kNbf);
  if (name == "exp") return ReadTime(f, &c->exp, kExp);
  if (name == "iss") return ReadText(f, &c->iss, kIss);
  if (name == "role") return ReadText(f, &c->role, kRole);
  if (name == "ver") {
    // JsonReader reads integers up to int64; we never sign a larger ver.
    auto v = f.GetInt64();
    if (!v.ok() || v.value() < 0) return kBadClaim;
    c->ver = static_cast<uint64_t>(v.value());
    return kVer;
  }
  if (name == "aud" && !audience.empty()) {
    auto v = f.GetString();
    return v.ok() && v.value() == audience ? kAud : kBadClaim;
  }
  return 0;
}

// Every claim we sign is required, each at most once: with a duplicate,
// different parsers could read different values.
Status ReadClaims(core::JsonReader& reader, std::string_view json, std::string_view audience,
                  Claims* c) {
  if (!reader.ParseObject(json, false).ok()) return Malformed();
  unsigned seen = 0;
  core::JsonField f;
  while (reader.NextField(f)) {
    const unsigned bit = ReadClaim(f, audience, c);
    if (bit == kBadClaim) {
      return f.name() == "aud" ? Status::Unauthenticated("wrong audience") : Malformed();
    }
    if ((seen & bit) != 0) return Malformed();
    seen |= bit;
  }
  if (!reader.status().ok() || (seen & kAllClaims) != kAllClaims) return Malformed();
  if (!audience.empty() && (seen & kAud) == 0) return Status::Unauthenticated("wrong audience");
  return Status::Ok();
}

std::atomic<uint64_t> next_codec_id{1};

}  // namespace

// --- TokenCodec ------------------------------------------------------------

TokenCodec::TokenCodec(JwtSettings settings)
    : settings_(std::move(settings)), id_(next_codec_id.fetch_add(1)) {
  EnsureSodium();
}

TokenCodec::~TokenCodec() = default;

void TokenCodec::WriteClaims(uint64_t sub, std::string_view role, uint64_t ver, int64_t now,
                             std::string& out) const {
  core::JsonWriter w(out);
  w.BeginObject();
  w.Key("sub");
  w.String(std::to_string(sub));  // a string, as RFC 7519 defines "sub"
  w.Key("iat");
  w.Int(now);
  w.Key("nbf");
  w.Int(now);
  w.Key("exp");
  w.Int(now + settings_.ttl_seconds);
  w.Key("iss");
  w.String(settings_.issuer);
  if (!settings_.audience.empty()) {
    w.Key("aud");
    w.String(settings_.audience);
  }
  w.Key("role");
  w.String(role);
  w.Key("ver");
  w.Uint(ver);
  w.EndObject();
}

Status TokenCodec::CheckPayload(std::string_view payload_b64, int64_t now, Claims* out) const {
  internal::Scratch& s = internal::ThreadScratch();
  if (!Base64UrlDecodeTo(payload_b64, s.payload)) return Malformed();
  Claims claims;
  if (Status st = ReadClaims(s.reader, s.payload, settings_.audience, &claims); !st.ok()) {
    return st;
  }
  if (claims.iss != settings_.issuer) return Status::Unauthenticated("wrong issuer");
  if (Status st = CheckTimes(claims, now); !st.ok()) return st;
  *out = std::move(claims);
  return Status::Ok();
}

Status TokenCodec::CheckTimes(const Claims& claims, int64_t now) const {
  const int64_t leeway = settings_.leeway_seconds;
  if (now >= claims.key_expires) return Status::Unauthenticated("unknown key");
  if (claims.exp <= now - leeway) return Status::Unauthenticated("token expired");
  if (claims.nbf > now + leeway || claims.iat > now + leeway) {
    return Status::Unauthenticated("token not yet valid");
  }
  return Status::Ok();
}

// --- Hs256Codec ------------------------------------------------------------

namespace {

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

// HMAC-SHA256 through the streaming API, which takes a key of any length
// (crypto_auth_hmacsha256 itself wants exactly 32 bytes).
static_assert(sizeof(crypto_auth_hmacsha256_state) <= 256, "keyed_state_ is too small");

// Continues from a copy of the keyed state: the key itself is not touched.
Mac ComputeMac(const unsigned char* keyed_state, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  std::memcpy(&state, keyed_state, sizeof state);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  Mac mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  // The state holds the key's inner and outer pads.
  sodium_memzero(&state, sizeof(state));
  return mac;
}

}  // namespace

Hs256Codec::Hs256Codec(std::string key, JwtSettings settings) : TokenCodec(std::move(settings)) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  std::memcpy(keyed_state_, &state, sizeof state);
  sodium_memzero(&state, sizeof state);
  sodium_memzero(key.data(), key.size());
}

Hs256Codec::Hs256Codec(std::string key, std::string issuer, int64_t ttl_seconds,
                       int64_t leeway_seconds)
    : Hs256Codec(std::move(key), JwtSettings{.issuer = std::move(issuer),
                                             .audience = {},
                                             .ttl_seconds = ttl_seconds,
                                             .leeway_seconds = leeway_seconds}) {}

Hs256Codec::~Hs256Codec() { sodium_memzero(keyed_state_, sizeof keyed_state_); }

std::string Hs256Codec::Sign(uint64_t sub, std::string_view role, uint64_t ver, int64_t now) const {
  // The header never changes; its encoding is computed once.
  static const std::string kHeader = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  std::string claims;
  WriteClaims(sub, role, ver, now, claims);
  std::string token = kHeader;
  token += '.';
  token += Base64UrlEncode(claims);
  const Mac mac = ComputeMac(keyed_state_, token);
  token += '.';
  token += Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return token;
}

Status Hs256Codec::Verify(std::string_view token, int64_t now, Claims* out) const {
  internal::TokenParts parts;
  if (!internal::SplitToken(token, &parts)) return Malformed();
  internal::Scratch& s = internal::ThreadScratch();
  // The header first: it says how the token claims to be signed, and any
  // alg but HS256 is refused before its signature is even looked at.
  if (Status st = internal::CheckHeader(s, parts.header_b64, "HS256", nullptr); !st.ok()) {
    return st;
  }
  // The signature before the claims: nothing an attacker wrote in the
  // payload reaches the JSON parser unless it carries our MAC.
  if (parts.signature_b64.empty() || !Base64UrlDecodeTo(parts.signature_b64, s.signature)) {
    return Malformed();
  }
  const Mac expected = ComputeMac(keyed_state_, parts.signing_input);
  if (s.signature.size() != expected.size() ||
      sodium_memcmp(s.signature.data(), expected.data(), expected.size()) != 0) {
    return Status::Unauthenticated("bad signature");
  }
  return CheckPayload(parts.payload_b64, now, out);
}

}  // namespace keel::auth
