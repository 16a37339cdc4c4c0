#include "auth/jwt.h"

#include <sodium.h>

#include <array>
#include <charconv>
#include <cstring>
#include <utility>

#include "auth/sodium_init.h"
#include "auth/tokens.h"
#include "core/json_reader.h"
#include "core/json_writer.h"

namespace keel::auth {

namespace {

using core::Status;

// Longer than any token we sign by far; bounds the work and the per-thread
// buffers an unauthenticated client can make us spend.
constexpr size_t kMaxTokenBytes = 4096;

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

Status Malformed() { return Status::Unauthenticated("malformed token"); }

// Per-thread scratch, so verifying a token allocates nothing once warm:
// Verify runs on worker threads for every authenticated request.
struct Scratch {
  core::JsonReader reader;
  std::string header;
  std::string payload;
  std::string signature;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Reads the JOSE header: alg must be exactly "HS256" (the only key type we
// hold; "none" and algorithm confusion are the classic JWT attacks), typ is
// optional but must be "JWT" when present, and "crit" names extensions we do
// not implement, so it is refused (RFC 7515 4.1.11).
Status CheckHeader(core::JsonReader& reader, std::string_view json) {
  if (!reader.ParseObject(json, false).ok()) return Malformed();
  bool have_alg = false, have_typ = false;
  core::JsonField f;
  while (reader.NextField(f)) {
    if (f.name() == "alg") {
      auto alg = f.GetString();
      if (have_alg || !alg.ok() || alg.value() != "HS256") {
        return Status::Unauthenticated("unsupported alg");
      }
      have_alg = true;
    } else if (f.name() == "typ") {
      auto typ = f.GetString();
      if (have_typ || !typ.ok() || typ.value() != "JWT") return Malformed();
      have_typ = true;
    } else if (f.name() == "crit") {
      return Malformed();
    }
  }
  if (!reader.status().ok()) return Malformed();
  if (!have_alg) return Status::Unauthenticated("unsupported alg");
  return Status::Ok();
}

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
  kBadClaim = 128,
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
// not know (ignored, as RFC 7519 asks), or kBadClaim.
unsigned ReadClaim(const core::JsonField& f, Claims* c) {
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
  return 0;
}

// Every claim we sign is required, each at most once: with a duplicate,
// different parsers could read different values.
Status ReadClaims(core::JsonReader& reader, std::string_view json, Claims* c) {
  if (!reader.ParseObject(json, false).ok()) return Malformed();
  unsigned seen = 0;
  core::JsonField f;
  while (reader.NextField(f)) {
    const unsigned bit = ReadClaim(f, c);
    if (bit == kBadClaim || (seen & bit) != 0) return Malformed();
    seen |= bit;
  }
  if (!reader.status().ok() || seen != kAllClaims) return Malformed();
  return Status::Ok();
}

}  // namespace

JwtCodec::JwtCodec(std::string key, std::string issuer, int64_t ttl_seconds, int64_t leeway_seconds)
    : issuer_(std::move(issuer)), ttl_(ttl_seconds), leeway_(leeway_seconds) {
  EnsureSodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  std::memcpy(keyed_state_, &state, sizeof state);
  sodium_memzero(&state, sizeof state);
  sodium_memzero(key.data(), key.size());
}

JwtCodec::~JwtCodec() { sodium_memzero(keyed_state_, sizeof keyed_state_); }

std::string JwtCodec::Sign(uint64_t sub, std::string_view role, uint64_t ver, int64_t now) const {
  // The header never changes; its encoding is computed once.
  static const std::string kHeader = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");

  std::string claims;
  core::JsonWriter w(claims);
  w.BeginObject();
  w.Key("sub");
  w.String(std::to_string(sub));  // a string, as RFC 7519 defines "sub"
  w.Key("iat");
  w.Int(now);
  w.Key("nbf");
  w.Int(now);
  w.Key("exp");
  w.Int(now + ttl_);
  w.Key("iss");
  w.String(issuer_);
  w.Key("role");
  w.String(role);
  w.Key("ver");
  w.Uint(ver);
  w.EndObject();

  std::string token = kHeader;
  token += '.';
  token += Base64UrlEncode(claims);
  const Mac mac = ComputeMac(keyed_state_, token);
  token += '.';
  token += Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return token;
}

Status JwtCodec::Verify(std::string_view token, int64_t now, Claims* out) const {
  if (token.size() > kMaxTokenBytes) return Malformed();
  // Compact form: exactly three parts, so exactly two dots.
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Malformed();
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Malformed();
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty()) return Malformed();

  Scratch& s = ThreadScratch();
  // The header first: it says how the token claims to be signed, and any
  // alg but HS256 is refused before its signature is even looked at.
  if (!Base64UrlDecodeTo(header_b64, s.header)) return Malformed();
  if (Status st = CheckHeader(s.reader, s.header); !st.ok()) return st;

  // The signature before the claims: nothing an attacker wrote in the
  // payload reaches the JSON parser unless it carries our MAC.
  if (signature_b64.empty() || !Base64UrlDecodeTo(signature_b64, s.signature)) {
    return Malformed();
  }
  const Mac expected = ComputeMac(keyed_state_, token.substr(0, dot2));
  if (s.signature.size() != expected.size() ||
      sodium_memcmp(s.signature.data(), expected.data(), expected.size()) != 0) {
    return Status::Unauthenticated("bad signature");
  }

  if (!Base64UrlDecodeTo(payload_b64, s.payload)) return Malformed();
  Claims claims;
  if (Status st = ReadClaims(s.reader, s.payload, &claims); !st.ok()) return st;

  if (claims.iss != issuer_) return Status::Unauthenticated("wrong issuer");
  if (Status st = CheckTimes(claims, now); !st.ok()) return st;
  *out = std::move(claims);
  return Status::Ok();
}

Status JwtCodec::CheckTimes(const Claims& claims, int64_t now) const {
  if (claims.exp <= now - leeway_) return Status::Unauthenticated("token expired");
  if (claims.nbf > now + leeway_ || claims.iat > now + leeway_) {
    return Status::Unauthenticated("token not yet valid");
  }
  return Status::Ok();
}

}  // namespace keel::auth
