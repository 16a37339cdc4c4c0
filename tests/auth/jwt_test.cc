#include "auth/jwt.h"

// The tests forge tokens (other algs, odd claims) with a correct MAC, so
// that only the check under test can reject them; they compute that MAC
// with libsodium, which keel_auth links. SignMatchesAnIndependentlyComputed
// Token pins our MAC to one computed elsewhere (Python's hmac module).
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <string_view>

#include "auth/tokens.h"

namespace keel::auth {
namespace {

using core::Status;

const std::string kKey = "0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1700000000;
constexpr int64_t kTtl = 900;
constexpr int64_t kLeeway = 30;
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

Hs256Codec Codec(std::string key = kKey, std::string issuer = "keel") {
  return Hs256Codec(std::move(key), std::move(issuer), kTtl, kLeeway);
}

std::string Mac(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof(mac));
}

// A token with this header and payload, correctly signed with `key`.
std::string Forge(std::string_view header_json, std::string_view payload_json,
                  std::string_view key = kKey) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  return input + "." + Base64UrlEncode(Mac(key, input));
}

std::string ClaimsJson(std::string_view sub = R"("42")", int64_t iat = kNow, int64_t nbf = kNow,
                       int64_t exp = kNow + kTtl, std::string_view extra = "") {
  return std::string(R"({"sub":)") + std::string(sub) + R"(,"iat":)" + std::to_string(iat) +
         R"(,"nbf":)" + std::to_string(nbf) + R"(,"exp":)" + std::to_string(exp) +
         R"(,"iss":"keel","role":"user","ver":3)" + std::string(extra) + "}";
}

// The reason Verify gives, or "ok".
std::string Reason(std::string_view token, int64_t now = kNow, const Hs256Codec& codec = Codec()) {
  Claims claims;
  Status s = codec.Verify(token, now, &claims);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), Status::Code::kUnauthenticated) << s.message();
  return s.message();
}

struct Parts {
  std::string header, payload, signature;
};

Parts Split(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::string Join(const Parts& p) { return p.header + "." + p.payload + "." + p.signature; }

TEST(Jwt, RoundTrips) {
  const Hs256Codec codec = Codec();
  const std::string token = codec.Sign(42, "admin", 7, kNow);
  Claims c;
  Status s = codec.Verify(token, kNow, &c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.sub, 42u);
  EXPECT_EQ(c.iat, kNow);
  EXPECT_EQ(c.nbf, kNow);
  EXPECT_EQ(c.exp, kNow + kTtl);
  EXPECT_EQ(c.iss, "keel");
  EXPECT_EQ(c.role, "admin");
  EXPECT_EQ(c.ver, 7u);
  EXPECT_EQ(codec.ttl_seconds(), kTtl);
}

TEST(Jwt, RoundTripsLargeIdsAndVersions) {
  const Hs256Codec codec = Codec();
  Claims c;
  ASSERT_TRUE(codec.Verify(codec.Sign(UINT64_MAX, "user", INT64_MAX, kNow), kNow, &c).ok());
  EXPECT_EQ(c.sub, UINT64_MAX);
  EXPECT_EQ(c.ver, static_cast<uint64_t>(INT64_MAX));
}

// Expected token computed with Python's base64 and hmac modules.
TEST(Jwt, SignMatchesAnIndependentlyComputedToken) {
  EXPECT_EQ(Codec().Sign(42, "admin", 7, kNow),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDA5MDAs"
            "ImlzcyI6ImtlZWwiLCJyb2xlIjoiYWRtaW4iLCJ2ZXIiOjd9."
            "vBVOFoE07q_cAuG3blj64LunPbeuVPMdkTrkQ4yiSsM");
}

// HMAC hashes keys longer than the SHA-256 block first; the streaming API
// must do the same. Expected MAC from Python's hmac module.
TEST(Jwt, AcceptsKeysLongerThanOneBlock) {
  std::string key;
  for (int i = 0; i < 100; ++i) key += static_cast<char>(i);
  const std::string token = Codec(key).Sign(42, "admin", 7, kNow);
  EXPECT_EQ(Split(token).signature, "38eQ2aCB801CHhBiZi39vnpIbQoP-RRsZQDhf7sR7-8");
  EXPECT_EQ(Reason(token, kNow, Codec(key)), "ok");
}

TEST(Jwt, WritesTheFixedHeaderAndSubAsAString) {
  const Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  EXPECT_EQ(Base64UrlDecode(p.header).value(), kHs256Header);
  EXPECT_NE(Base64UrlDecode(p.payload).value().find(R"("sub":"42")"), std::string::npos);
}

TEST(Jwt, RejectsATamperedSignature) {
  Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  p.signature[0] = p.signature[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Reason(Join(p)), "bad signature");
}

TEST(Jwt, RejectsATamperedPayload) {
  Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  std::string payload = Base64UrlDecode(p.payload).value();
  payload.replace(payload.find("user"), 4, "root");
  p.payload = Base64UrlEncode(payload);
  EXPECT_EQ(Reason(Join(p)), "bad signature");
}

TEST(Jwt, RejectsATruncatedOrExtendedSignature) {
  Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  Parts shorter = p;
  shorter.signature.resize(40);  // decodes to 30 bytes
  EXPECT_EQ(Reason(Join(shorter)), "bad signature");
  Parts longer = p;
  longer.signature += "AAAA";
  EXPECT_EQ(Reason(Join(longer)), "bad signature");
}

TEST(Jwt, RejectsAlgNoneWithoutSignature) {
  const std::string token =
      Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(ClaimsJson()) + ".";
  EXPECT_EQ(Reason(token), "unsupported alg");
}

TEST(Jwt, RejectsAlgNoneWithSignature) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"none","typ":"JWT"})", ClaimsJson())), "unsupported alg");
}

TEST(Jwt, RejectsOtherAlgs) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS512","typ":"JWT"})", ClaimsJson())), "unsupported alg");
  EXPECT_EQ(Reason(Forge(R"({"alg":"RS256","typ":"JWT"})", ClaimsJson())), "unsupported alg");
  EXPECT_EQ(Reason(Forge(R"({"alg":"hs256","typ":"JWT"})", ClaimsJson())), "unsupported alg");
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS256 ","typ":"JWT"})", ClaimsJson())), "unsupported alg");
  EXPECT_EQ(Reason(Forge(R"({"alg":256,"typ":"JWT"})", ClaimsJson())), "unsupported alg");
}

TEST(Jwt, RejectsAMissingOrRepeatedAlg) {
  EXPECT_EQ(Reason(Forge(R"({"typ":"JWT"})", ClaimsJson())), "unsupported alg");
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS256","alg":"none"})", ClaimsJson())), "unsupported alg");
}

TEST(Jwt, AcceptsAHeaderWithoutTyp) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS256"})", ClaimsJson())), "ok");
}

TEST(Jwt, RejectsOtherTypAndCrit) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS256","typ":"JWS"})", ClaimsJson())), "malformed token");
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS256","crit":["exp"]})", ClaimsJson())), "malformed token");
}

TEST(Jwt, RejectsANonJsonHeader) {
  EXPECT_EQ(Reason(Forge("not json", ClaimsJson())), "malformed token");
  EXPECT_EQ(Reason(Forge(R"(["HS256"])", ClaimsJson())), "malformed token");
  EXPECT_EQ(Reason(Forge(R"({"alg":"HS256")", ClaimsJson())), "malformed token");
}

TEST(Jwt, RejectsANonJsonPayload) {
  EXPECT_EQ(Reason(Forge(kHs256Header, "not json")), "malformed token");
  EXPECT_EQ(Reason(Forge(kHs256Header, ClaimsJson() + "x")), "malformed token");
}

TEST(Jwt, RejectsExpiredTokensAfterTheLeeway) {
  const std::string token = Codec().Sign(42, "user", 1, kNow);
  EXPECT_EQ(Reason(token, kNow + kTtl + kLeeway - 1), "ok");
  EXPECT_EQ(Reason(token, kNow + kTtl + kLeeway), "token expired");
  EXPECT_EQ(Reason(token, kNow + 100000), "token expired");
}

TEST(Jwt, RejectsTokensNotYetValidBeyondTheLeeway) {
  const Hs256Codec codec = Codec();
  EXPECT_EQ(Reason(codec.Sign(42, "user", 1, kNow + kLeeway), kNow), "ok");
  EXPECT_EQ(Reason(codec.Sign(42, "user", 1, kNow + kLeeway + 1), kNow), "token not yet valid");
  // nbf and iat are each checked.
  EXPECT_EQ(Reason(Forge(kHs256Header, ClaimsJson(R"("42")", kNow, kNow + 100))),
            "token not yet valid");
  EXPECT_EQ(Reason(Forge(kHs256Header, ClaimsJson(R"("42")", kNow + 100, kNow))),
            "token not yet valid");
}

TEST(Jwt, RejectsAnotherKey) {
  const std::string token = Codec("another key, also 32 bytes long!").Sign(42, "user", 1, kNow);
  EXPECT_EQ(Reason(token), "bad signature");
}

TEST(Jwt, RejectsAnotherIssuer) {
  const std::string token = Codec(kKey, "someone-else").Sign(42, "user", 1, kNow);
  EXPECT_EQ(Reason(token), "wrong issuer");
}

TEST(Jwt, RejectsPaddedBase64) {
  Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  Parts padded_sig = p;
  padded_sig.signature += "=";
  EXPECT_EQ(Reason(Join(padded_sig)), "malformed token");
  Parts padded_header = p;
  padded_header.header += "==";
  EXPECT_EQ(Reason(Join(padded_header)), "malformed token");
  Parts padded_payload = p;
  padded_payload.payload += "=";
  EXPECT_NE(Reason(Join(padded_payload)), "ok");
}

TEST(Jwt, RejectsTheStandardBase64Alphabet) {
  // The MAC of this token has a '-' or '_' in its base64url form for most
  // keys; force one by searching the encodings of a few tokens.
  for (uint64_t sub = 1; sub < 200; ++sub) {
    Parts p = Split(Codec().Sign(sub, "user", 1, kNow));
    const size_t at = p.signature.find_first_of("-_");
    if (at == std::string::npos) continue;
    p.signature[at] = p.signature[at] == '-' ? '+' : '/';
    EXPECT_EQ(Reason(Join(p)), "malformed token");
    return;
  }
  FAIL() << "no signature with '-' or '_' found";
}

TEST(Jwt, RejectsStandardAlphabetInTheHeader) {
  Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  p.header[3] = '+';
  EXPECT_EQ(Reason(Join(p)), "malformed token");
  p.header[3] = '/';
  EXPECT_EQ(Reason(Join(p)), "malformed token");
}

TEST(Jwt, RejectsTheWrongNumberOfParts) {
  const std::string token = Codec().Sign(42, "user", 1, kNow);
  const Parts p = Split(token);
  EXPECT_EQ(Reason(token + "."), "malformed token");
  EXPECT_EQ(Reason(token + ".AAAA"), "malformed token");
  EXPECT_EQ(Reason("." + token), "malformed token");
  EXPECT_EQ(Reason(p.header + "." + p.payload), "malformed token");
  EXPECT_EQ(Reason(p.header), "malformed token");
  EXPECT_EQ(Reason(""), "malformed token");
  EXPECT_EQ(Reason(".."), "malformed token");
  EXPECT_EQ(Reason("..."), "malformed token");
}

TEST(Jwt, RejectsEmptyParts) {
  const Parts p = Split(Codec().Sign(42, "user", 1, kNow));
  EXPECT_EQ(Reason("." + p.payload + "." + p.signature), "malformed token");
  EXPECT_EQ(Reason(p.header + ".." + p.signature), "malformed token");
  EXPECT_EQ(Reason(p.header + "." + p.payload + "."), "malformed token");
}

TEST(Jwt, RejectsOversizedTokens) {
  const std::string token =
      Forge(kHs256Header, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl,
                                     R"(,"pad":")" + std::string(5000, 'x') + "\""));
  EXPECT_EQ(Reason(token), "malformed token");
}

TEST(Jwt, RequiresSubToBeAPositiveDecimalString) {
  EXPECT_EQ(Reason(Forge(kHs256Header, ClaimsJson(R"("42")"))), "ok");
  for (std::string_view sub :
       {R"(42)", R"("abc")", R"("0")", R"("-1")", R"("+1")", R"("007")", R"("4 2")", R"("")",
        R"("1e3")", R"("18446744073709551616")", R"(null)"}) {
    EXPECT_EQ(Reason(Forge(kHs256Header, ClaimsJson(sub))), "malformed token") << sub;
  }
}

TEST(Jwt, RequiresEveryClaim) {
  for (std::string_view drop :
       {R"("sub":"42",)", R"("iat":1700000000,)", R"("nbf":1700000000,)", R"("exp":1700000900,)",
        R"("iss":"keel",)", R"("role":"user",)", R"(,"ver":3)"}) {
    std::string claims = ClaimsJson();
    const size_t at = claims.find(drop);
    ASSERT_NE(at, std::string::npos) << drop;
    claims.erase(at, drop.size());
    EXPECT_EQ(Reason(Forge(kHs256Header, claims)), "malformed token") << claims;
  }
}

TEST(Jwt, RejectsRepeatedClaimsAndWrongTypes) {
  EXPECT_EQ(
      Reason(Forge(kHs256Header, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl, R"(,"sub":"43")"))),
      "malformed token");
  EXPECT_EQ(
      Reason(Forge(kHs256Header, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl, R"(,"ver":4)"))),
      "malformed token");
  EXPECT_EQ(
      Reason(Forge(kHs256Header, R"({"sub":"42","iat":1700000000,"nbf":1700000000,)"
                                 R"("exp":"1700000900","iss":"keel","role":"user","ver":3})")),
      "malformed token");
  EXPECT_EQ(Reason(Forge(kHs256Header, R"({"sub":"42","iat":1700000000,"nbf":1700000000,)"
                                       R"("exp":1700000900,"iss":"keel","role":"user","ver":-1})")),
            "malformed token");
  EXPECT_EQ(
      Reason(Forge(kHs256Header, R"({"sub":"42","iat":1700000000,"nbf":1700000000,)"
                                 R"("exp":1700000900.5,"iss":"keel","role":"user","ver":3})")),
      "malformed token");
}

TEST(Jwt, IgnoresUnknownClaims) {
  EXPECT_EQ(Reason(Forge(kHs256Header, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl,
                                                  R"(,"jti":"x","aud":["a"])"))),
            "ok");
}

TEST(Jwt, LeavesTheOutputUntouchedOnFailure) {
  Claims c;
  c.sub = 99;
  c.role = "before";
  EXPECT_FALSE(Codec().Verify(Forge(kHs256Header, ClaimsJson(R"("0")")), kNow, &c).ok());
  EXPECT_EQ(c.sub, 99u);
  EXPECT_EQ(c.role, "before");
}

}  // namespace
}  // namespace keel::auth
