#include "auth/eddsa.h"

// The EdDSA codec gets every forged and malformed form the HS256 tests
// (jwt_test.cc) try, plus what only a key set has: kids, retirement, the
// JWK Set. Forged tokens are signed here with libsodium directly, with a
// seed the test knows, so that only the check under test can reject them.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <string_view>
#include <vector>

#include "auth/tokens.h"

namespace keel::auth {
namespace {

using core::Status;

constexpr int64_t kNow = 1700000000;
constexpr int64_t kTtl = 900;
constexpr int64_t kLeeway = 30;
const std::string kSeed(32, 'A');
const std::string kOtherSeed(32, 'B');
constexpr std::string_view kKid = "20231114T221320Z-abcdef";
constexpr std::string_view kOlderKid = "20230101T000000Z-older0";
constexpr std::string_view kHeader =
    R"({"alg":"EdDSA","typ":"JWT","kid":"20231114T221320Z-abcdef"})";

Ed25519Key Key(std::string_view kid = kKid, const std::string& seed = kSeed,
               int64_t retired_at = 0) {
  return Ed25519Key::FromSeed(std::string(kid), seed, retired_at).value();
}

JwtSettings Settings(std::string audience = "") {
  return JwtSettings{.issuer = "keel",
                     .audience = std::move(audience),
                     .ttl_seconds = kTtl,
                     .leeway_seconds = kLeeway};
}

std::unique_ptr<EdDsaCodec> Codec(std::vector<Ed25519Key> keys, JwtSettings settings = Settings()) {
  auto r = EdDsaCodec::Create(std::move(keys), std::move(settings));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::unique_ptr<EdDsaCodec> Codec() { return Codec({Key()}); }

std::string Signature(const std::string& seed, std::string_view message) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  return std::string(reinterpret_cast<const char*>(sig), sizeof sig);
}

// A token with this header and payload, correctly signed with `seed`.
std::string Forge(std::string_view header_json, std::string_view payload_json,
                  const std::string& seed = kSeed) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  return input + "." + Base64UrlEncode(Signature(seed, input));
}

std::string ClaimsJson(std::string_view sub = R"("42")", int64_t iat = kNow, int64_t nbf = kNow,
                       int64_t exp = kNow + kTtl, std::string_view extra = "") {
  return std::string(R"({"sub":)") + std::string(sub) + R"(,"iat":)" + std::to_string(iat) +
         R"(,"nbf":)" + std::to_string(nbf) + R"(,"exp":)" + std::to_string(exp) +
         R"(,"iss":"keel","role":"user","ver":3)" + std::string(extra) + "}";
}

std::string Reason(std::string_view token, int64_t now, const TokenCodec& codec) {
  Claims claims;
  Status s = codec.Verify(token, now, &claims);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), Status::Code::kUnauthenticated) << s.message();
  return s.message();
}

std::string Reason(std::string_view token, int64_t now = kNow) {
  return Reason(token, now, *Codec());
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

std::string Sign(uint64_t sub = 42, int64_t now = kNow) {
  return Codec()->Sign(sub, "user", 1, now);
}

TEST(EdDsa, RoundTrips) {
  const auto codec = Codec();
  const std::string token = codec->Sign(42, "admin", 7, kNow);
  Claims c;
  Status s = codec->Verify(token, kNow, &c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.sub, 42u);
  EXPECT_EQ(c.iat, kNow);
  EXPECT_EQ(c.nbf, kNow);
  EXPECT_EQ(c.exp, kNow + kTtl);
  EXPECT_EQ(c.iss, "keel");
  EXPECT_EQ(c.role, "admin");
  EXPECT_EQ(c.ver, 7u);
  EXPECT_EQ(codec->alg(), "EdDSA");
}

TEST(EdDsa, WritesTheHeaderWithTheKidAndAStandardSignature) {
  const Parts p = Split(Sign());
  EXPECT_EQ(Base64UrlDecode(p.header).value(), kHeader);
  // A plain Ed25519 signature of header.payload, as any RFC 8037 verifier
  // checks it.
  const std::string sig = Base64UrlDecode(p.signature).value();
  ASSERT_EQ(sig.size(), 64u);
  const std::string input = p.header + "." + p.payload;
  const Ed25519Key our_key = Key();
  const auto& pk = our_key.public_key();
  EXPECT_EQ(crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                        reinterpret_cast<const unsigned char*>(input.data()),
                                        input.size(), pk.data()),
            0);
}

// RFC 8032 section 7.1, TEST 1: the public key derived from its secret key.
TEST(EdDsa, DerivesThePublicKeyAsRfc8032) {
  std::string seed;
  const char* hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  for (int i = 0; i < 64; i += 2)
    seed += static_cast<char>(std::stoi(std::string(hex + i, 2), nullptr, 16));
  const Ed25519Key key = Key(kKid, seed);
  std::string expected;
  const char* pk = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  for (int i = 0; i < 64; i += 2)
    expected += static_cast<char>(std::stoi(std::string(pk + i, 2), nullptr, 16));
  EXPECT_EQ(key.PublicKeyBase64(), Base64UrlEncode(expected));
}

TEST(EdDsa, RejectsATamperedSignature) {
  Parts p = Split(Sign());
  p.signature[0] = p.signature[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Reason(Join(p)), "bad signature");
}

TEST(EdDsa, RejectsATamperedPayload) {
  Parts p = Split(Sign());
  std::string payload = Base64UrlDecode(p.payload).value();
  payload.replace(payload.find("user"), 4, "root");
  p.payload = Base64UrlEncode(payload);
  EXPECT_EQ(Reason(Join(p)), "bad signature");
}

TEST(EdDsa, RejectsATruncatedOrExtendedSignature) {
  Parts p = Split(Sign());
  Parts shorter = p;
  shorter.signature.resize(84);  // 63 bytes
  EXPECT_EQ(Reason(Join(shorter)), "bad signature");
  Parts longer = p;
  longer.signature += "AAAA";
  EXPECT_EQ(Reason(Join(longer)), "bad signature");
}

// S + L is the same signature to a lax verifier (malleability); libsodium
// requires S < L.
TEST(EdDsa, RejectsANonCanonicalSignature) {
  Parts p = Split(Sign());
  std::string sig = Base64UrlDecode(p.signature).value();
  const unsigned char kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    const unsigned sum = static_cast<unsigned char>(sig[32 + i]) + kL[i] + carry;
    sig[32 + i] = static_cast<char>(sum & 0xff);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0u);
  p.signature = Base64UrlEncode(sig);
  EXPECT_EQ(Reason(Join(p)), "bad signature");
}

TEST(EdDsa, RejectsAlgNoneWithoutSignature) {
  const std::string token =
      Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(ClaimsJson()) + ".";
  EXPECT_EQ(Reason(token), "unsupported alg");
}

TEST(EdDsa, RejectsAlgNoneWithSignature) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"none","kid":"20231114T221320Z-abcdef"})", ClaimsJson())),
            "unsupported alg");
}

TEST(EdDsa, RejectsOtherAlgs) {
  for (std::string_view alg : {"HS256", "ES256", "RS256", "Ed25519", "eddsa", "EdDSA ", "EDDSA"}) {
    const std::string header =
        R"({"alg":")" + std::string(alg) + R"(","kid":"20231114T221320Z-abcdef"})";
    EXPECT_EQ(Reason(Forge(header, ClaimsJson())), "unsupported alg") << alg;
  }
  EXPECT_EQ(Reason(Forge(R"({"alg":256,"kid":"20231114T221320Z-abcdef"})", ClaimsJson())),
            "unsupported alg");
}

// The classic confusion: HS256 with the verifier's public key as the HMAC
// secret. Refused by alg before any key is used; and an HMAC under the
// EdDSA alg is just a bad signature.
TEST(EdDsa, RejectsHs256KeyConfusion) {
  const Ed25519Key our_key = Key();
  const auto& pk = our_key.public_key();
  const std::string secret(reinterpret_cast<const char*>(pk.data()), pk.size());
  for (const std::string& key : {secret, Key().PublicKeyBase64()}) {
    for (std::string_view header :
         {std::string_view(R"({"alg":"HS256","typ":"JWT","kid":"20231114T221320Z-abcdef"})"),
          kHeader}) {
      std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(ClaimsJson());
      unsigned char mac[crypto_auth_hmacsha256_BYTES];
      crypto_auth_hmacsha256_state st;
      crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()),
                                  key.size());
      crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                    input.size());
      crypto_auth_hmacsha256_final(&st, mac);
      const std::string token =
          input + "." +
          Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
      EXPECT_EQ(Reason(token), header == kHeader ? "bad signature" : "unsupported alg");
    }
  }
}

TEST(EdDsa, RejectsAMissingOrRepeatedAlg) {
  EXPECT_EQ(Reason(Forge(R"({"kid":"20231114T221320Z-abcdef"})", ClaimsJson())), "unsupported alg");
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","alg":"none","kid":"20231114T221320Z-abcdef"})",
                         ClaimsJson())),
            "unsupported alg");
}

TEST(EdDsa, RequiresOneStringKidOfAKnownKey) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","typ":"JWT"})", ClaimsJson())), "malformed token");
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","kid":7})", ClaimsJson())), "malformed token");
  EXPECT_EQ(
      Reason(Forge(R"({"alg":"EdDSA","kid":"20231114T221320Z-abcdef","kid":"x"})", ClaimsJson())),
      "malformed token");
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","kid":"20231114T221320Z-abcdeg"})", ClaimsJson())),
            "unknown key");
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","kid":""})", ClaimsJson())), "unknown key");
}

// Signed by one key, claiming another's kid.
TEST(EdDsa, RejectsAKidSwap) {
  const auto codec = Codec({Key(), Key(kOlderKid, kOtherSeed)});
  const std::string forged =
      Forge(R"({"alg":"EdDSA","kid":"20230101T000000Z-older0"})", ClaimsJson(), kSeed);
  EXPECT_EQ(Reason(forged, kNow, *codec), "bad signature");
  EXPECT_EQ(
      Reason(Forge(R"({"alg":"EdDSA","kid":"20230101T000000Z-older0"})", ClaimsJson(), kOtherSeed),
             kNow, *codec),
      "ok");
}

TEST(EdDsa, AcceptsAHeaderWithoutTyp) {
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","kid":"20231114T221320Z-abcdef"})", ClaimsJson())),
            "ok");
}

TEST(EdDsa, RejectsOtherTypAndCrit) {
  EXPECT_EQ(
      Reason(Forge(R"({"alg":"EdDSA","typ":"JWS","kid":"20231114T221320Z-abcdef"})", ClaimsJson())),
      "malformed token");
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA","crit":["exp"],"kid":"20231114T221320Z-abcdef"})",
                         ClaimsJson())),
            "malformed token");
}

TEST(EdDsa, RejectsANonJsonHeader) {
  EXPECT_EQ(Reason(Forge("not json", ClaimsJson())), "malformed token");
  EXPECT_EQ(Reason(Forge(R"(["EdDSA"])", ClaimsJson())), "malformed token");
  EXPECT_EQ(Reason(Forge(R"({"alg":"EdDSA")", ClaimsJson())), "malformed token");
}

TEST(EdDsa, RejectsANonJsonPayload) {
  EXPECT_EQ(Reason(Forge(kHeader, "not json")), "malformed token");
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson() + "x")), "malformed token");
}

TEST(EdDsa, RejectsExpiredTokensAfterTheLeeway) {
  const std::string token = Sign();
  EXPECT_EQ(Reason(token, kNow + kTtl + kLeeway - 1), "ok");
  EXPECT_EQ(Reason(token, kNow + kTtl + kLeeway), "token expired");
}

TEST(EdDsa, RejectsTokensNotYetValidBeyondTheLeeway) {
  EXPECT_EQ(Reason(Sign(42, kNow + kLeeway), kNow), "ok");
  EXPECT_EQ(Reason(Sign(42, kNow + kLeeway + 1), kNow), "token not yet valid");
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow, kNow + 100))), "token not yet valid");
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow + 100, kNow))), "token not yet valid");
}

// Same kid, another private key: what a token re-signed by an attacker
// who knows our kid looks like.
TEST(EdDsa, RejectsAnotherKeyUnderOurKid) {
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(), kOtherSeed)), "bad signature");
  EXPECT_EQ(Reason(Codec({Key(kKid, kOtherSeed)})->Sign(42, "user", 1, kNow)), "bad signature");
}

TEST(EdDsa, RejectsAnotherIssuer) {
  JwtSettings other = Settings();
  other.issuer = "someone-else";
  EXPECT_EQ(Reason(Codec({Key()}, other)->Sign(42, "user", 1, kNow)), "wrong issuer");
}

TEST(EdDsa, ChecksTheAudienceWhenOneIsSet) {
  const auto api = Codec({Key()}, Settings("api"));
  const std::string token = api->Sign(42, "user", 1, kNow);
  EXPECT_NE(Base64UrlDecode(Split(token).payload).value().find(R"("aud":"api")"),
            std::string::npos);
  EXPECT_EQ(Reason(token, kNow, *api), "ok");
  // Without an audience set, aud is not written, and one present is ignored.
  EXPECT_EQ(Base64UrlDecode(Split(Sign()).payload).value().find("aud"), std::string::npos);
  EXPECT_EQ(Reason(token, kNow, *Codec()), "ok");
  // With one set, it is required, exactly, as a string, once.
  EXPECT_EQ(Reason(Sign(), kNow, *api), "wrong audience");
  EXPECT_EQ(Reason(Codec({Key()}, Settings("other"))->Sign(42, "user", 1, kNow), kNow, *api),
            "wrong audience");
  EXPECT_EQ(
      Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl, R"(,"aud":["api"])")),
             kNow, *api),
      "wrong audience");
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl,
                                             R"(,"aud":"api","aud":"api")")),
                   kNow, *api),
            "malformed token");
}

TEST(EdDsa, RejectsPaddedBase64) {
  Parts p = Split(Sign());
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

TEST(EdDsa, RejectsTheStandardBase64Alphabet) {
  for (uint64_t sub = 1; sub < 200; ++sub) {
    Parts p = Split(Sign(sub));
    const size_t at = p.signature.find_first_of("-_");
    if (at == std::string::npos) continue;
    p.signature[at] = p.signature[at] == '-' ? '+' : '/';
    EXPECT_EQ(Reason(Join(p)), "malformed token");
    return;
  }
  FAIL() << "no signature with '-' or '_' found";
}

TEST(EdDsa, RejectsTheWrongNumberOfParts) {
  const std::string token = Sign();
  const Parts p = Split(token);
  EXPECT_EQ(Reason(token + "."), "malformed token");
  EXPECT_EQ(Reason(token + ".AAAA"), "malformed token");
  EXPECT_EQ(Reason("." + token), "malformed token");
  EXPECT_EQ(Reason(p.header + "." + p.payload), "malformed token");
  EXPECT_EQ(Reason(p.header), "malformed token");
  EXPECT_EQ(Reason(""), "malformed token");
  EXPECT_EQ(Reason(".."), "malformed token");
}

TEST(EdDsa, RejectsEmptyParts) {
  const Parts p = Split(Sign());
  EXPECT_EQ(Reason("." + p.payload + "." + p.signature), "malformed token");
  EXPECT_EQ(Reason(p.header + ".." + p.signature), "malformed token");
  EXPECT_EQ(Reason(p.header + "." + p.payload + "."), "malformed token");
}

TEST(EdDsa, RejectsOversizedTokens) {
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl,
                                             R"(,"pad":")" + std::string(5000, 'x') + "\""))),
            "malformed token");
}

TEST(EdDsa, RequiresSubToBeAPositiveDecimalString) {
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(R"("42")"))), "ok");
  for (std::string_view sub : {R"(42)", R"("abc")", R"("0")", R"("-1")", R"("007")", R"("")",
                               R"("18446744073709551616")", R"(null)"}) {
    EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(sub))), "malformed token") << sub;
  }
}

TEST(EdDsa, RequiresEveryClaim) {
  for (std::string_view drop :
       {R"("sub":"42",)", R"("iat":1700000000,)", R"("nbf":1700000000,)", R"("exp":1700000900,)",
        R"("iss":"keel",)", R"("role":"user",)", R"(,"ver":3)"}) {
    std::string claims = ClaimsJson();
    const size_t at = claims.find(drop);
    ASSERT_NE(at, std::string::npos) << drop;
    claims.erase(at, drop.size());
    EXPECT_EQ(Reason(Forge(kHeader, claims)), "malformed token") << claims;
  }
}

TEST(EdDsa, RejectsRepeatedClaimsAndWrongTypes) {
  EXPECT_EQ(
      Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl, R"(,"sub":"43")"))),
      "malformed token");
  EXPECT_EQ(Reason(Forge(kHeader, R"({"sub":"42","iat":1700000000,"nbf":1700000000,)"
                                  R"("exp":"1700000900","iss":"keel","role":"user","ver":3})")),
            "malformed token");
  EXPECT_EQ(Reason(Forge(kHeader, R"({"sub":"42","iat":1700000000,"nbf":1700000000,)"
                                  R"("exp":1700000900,"iss":"keel","role":"user","ver":-1})")),
            "malformed token");
}

TEST(EdDsa, IgnoresUnknownClaims) {
  EXPECT_EQ(Reason(Forge(kHeader, ClaimsJson(R"("42")", kNow, kNow, kNow + kTtl, R"(,"jti":"x")"))),
            "ok");
}

TEST(EdDsa, LeavesTheOutputUntouchedOnFailure) {
  Claims c;
  c.sub = 99;
  EXPECT_FALSE(Codec()->Verify(Forge(kHeader, ClaimsJson(R"("0")")), kNow, &c).ok());
  EXPECT_EQ(c.sub, 99u);
}

// --- Key sets ----------------------------------------------------------------

TEST(EdDsaKeys, TheNewestKeySignsAndEveryKeyVerifies) {
  const auto both = Codec({Key(kOlderKid, kOtherSeed), Key()});
  EXPECT_EQ(both->signing_kid(), kKid);
  const std::string old_token = Codec({Key(kOlderKid, kOtherSeed)})->Sign(42, "user", 1, kNow);
  EXPECT_EQ(Reason(old_token, kNow, *both), "ok");
  EXPECT_EQ(Reason(both->Sign(42, "user", 1, kNow), kNow, *both), "ok");
  // Once the old key is gone from the set, its tokens are unknown.
  EXPECT_EQ(Reason(old_token, kNow, *Codec()), "unknown key");
}

TEST(EdDsaKeys, ARetiredKeyStopsSigningAndVerifiesUntilItsTokensExpire) {
  const int64_t retired = kNow + 100;
  const auto set = Codec({Key(kOlderKid, kOtherSeed), Key(kKid, kSeed, retired)});
  EXPECT_EQ(set->signing_kid(), kOlderKid);  // the newest that is not retired
  // The last token the retired key can have signed, just before retiring.
  const std::string last = Codec()->Sign(42, "user", 1, retired);
  const int64_t until = retired + kTtl + kLeeway;
  EXPECT_EQ(set->VerifiesUntil(set->keys()[1]), until);
  EXPECT_EQ(Reason(last, until - 1, *set), "ok");
  EXPECT_EQ(Reason(last, until, *set), "unknown key");
  // The same token with the key active: expired, at the same moment, so the
  // key is dropped exactly when it no longer matters.
  EXPECT_EQ(Reason(last, until, *Codec()), "token expired");
}

// Signed by a node that had not reloaded yet, after the retirement: its exp
// lies past the key's window, but the token ends with the key, also for a
// caller that cached the verification and only rechecks the times.
TEST(EdDsaKeys, ATokenEndsWithItsRetiredKey) {
  const int64_t retired = kNow;
  const auto set = Codec({Key(kOlderKid, kOtherSeed), Key(kKid, kSeed, retired)});
  const std::string late = Codec()->Sign(42, "user", 1, retired + 600);
  const int64_t until = retired + kTtl + kLeeway;
  Claims c;
  ASSERT_TRUE(set->Verify(late, until - 1, &c).ok());
  EXPECT_EQ(c.key_expires, until);
  EXPECT_TRUE(set->CheckTimes(c, until - 1).ok());
  EXPECT_EQ(set->CheckTimes(c, until).message(), "unknown key");
  EXPECT_EQ(Reason(late, until, *set), "unknown key");
  // An active key's tokens are not bounded by it.
  ASSERT_TRUE(Codec()->Verify(late, until, &c).ok());
  EXPECT_EQ(c.key_expires, INT64_MAX);
}

TEST(EdDsaKeys, RefusesASetWithNoKeyThatMaySign) {
  auto none = EdDsaCodec::Create({}, Settings());
  ASSERT_FALSE(none.ok());
  auto retired = EdDsaCodec::Create({Key(kKid, kSeed, kNow)}, Settings());
  ASSERT_FALSE(retired.ok());
  EXPECT_EQ(retired.status().code(), Status::Code::kFailedPrecondition);
  auto twins = EdDsaCodec::Create({Key(), Key(kKid, kOtherSeed)}, Settings());
  ASSERT_FALSE(twins.ok());
  EXPECT_NE(twins.status().message().find(kKid), std::string::npos);
}

TEST(EdDsaKeys, RefusesBadKidsAndSeeds) {
  EXPECT_FALSE(Ed25519Key::FromSeed("", kSeed).ok());
  EXPECT_FALSE(Ed25519Key::FromSeed("a/b", kSeed).ok());
  EXPECT_FALSE(Ed25519Key::FromSeed("a\"b", kSeed).ok());
  EXPECT_FALSE(Ed25519Key::FromSeed(std::string(65, 'a'), kSeed).ok());
  EXPECT_TRUE(Ed25519Key::FromSeed(std::string(64, 'a'), kSeed).ok());
  EXPECT_FALSE(Ed25519Key::FromSeed("k", std::string(31, 's')).ok());
  EXPECT_FALSE(Ed25519Key::FromSeed("k", std::string(33, 's')).ok());
}

TEST(EdDsaKeys, JwksListsTheKeysThatVerify) {
  const int64_t retired = kNow - kTtl - kLeeway;  // its window ends now
  const auto set = Codec({Key("20220101T000000Z-gone00", kOtherSeed, retired),
                          Key(kOlderKid, kOtherSeed, kNow - 10), Key()});
  const std::string jwks = set->JwksJson(kNow);
  EXPECT_EQ(jwks, R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"20230101T000000Z-older0",)"
                  R"("use":"sig","alg":"EdDSA","x":")" +
                      Key(kOlderKid, kOtherSeed).PublicKeyBase64() +
                      R"("},{"kty":"OKP","crv":"Ed25519","kid":"20231114T221320Z-abcdef",)"
                      R"("use":"sig","alg":"EdDSA","x":")" +
                      Key().PublicKeyBase64() + R"("}]})");
  EXPECT_EQ(Key().PublicKeyBase64().size(), 43u);
}

TEST(EdDsaKeys, JwksMaxAgeFollowsTheRotationSchedule) {
  // No retired key: one token lifetime, capped at an hour.
  EXPECT_EQ(Codec()->JwksMaxAge(kNow), kTtl);
  JwtSettings day = Settings();
  day.ttl_seconds = 86400;
  EXPECT_EQ(Codec({Key()}, day)->JwksMaxAge(kNow), 3600);
  // A retired key leaving the set sooner shortens it.
  const auto set = Codec({Key(kOlderKid, kOtherSeed, kNow - kTtl), Key()});
  EXPECT_EQ(set->JwksMaxAge(kNow), kLeeway);
  EXPECT_EQ(set->JwksMaxAge(kNow + kLeeway - 1), 1);
  EXPECT_EQ(set->JwksMaxAge(kNow + kLeeway), kTtl);  // gone: back to normal
}

}  // namespace
}  // namespace keel::auth
