// The server's checks of access-token claims, probed with tokens the test
// signs itself: the server reads its HMAC key from --jwt-secret-file, so a
// test can make a correctly signed token that is expired, not yet valid,
// from another issuer, of a stale token version, or with an odd header.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>

#include "api_client.h"
#include "hmac_sha256.h"
#include "test_server.h"

namespace keel::integration {
namespace {

// 40 bytes; the file adds a newline, which is not part of the key.
constexpr char kKey[] = "integration-test-jwt-key-0123456789abcde";

// Claims as (name, JSON text) pairs, in token order.
using Claims = std::vector<std::pair<std::string, std::string>>;

std::string KeyFile() {
  static TempDir dir;
  static const std::string path = [] {
    std::string p = dir.path() + "/jwt.key";
    std::ofstream(p) << kKey << "\n";
    return p;
  }();
  return path;
}

std::optional<Claims> ClaimsOf(std::string_view token) {
  auto v = JwtPart(token, 1);
  if (!v || !v->is_object()) return std::nullopt;
  Claims c;
  for (const auto& [k, m] : v->members()) {
    c.emplace_back(k, m.is_string() ? JsonQuote(m.text()) : m.text());
  }
  return c;
}

void Set(Claims& c, std::string_view name, std::string raw) {
  for (auto& [k, v] : c) {
    if (k == name) {
      v = std::move(raw);
      return;
    }
  }
  c.emplace_back(std::string(name), std::move(raw));
}

void Erase(Claims& c, std::string_view name) {
  std::erase_if(c, [&](const auto& kv) { return kv.first == name; });
}

std::string SignToken(const Claims& claims,
                      std::string_view header = R"({"alg":"HS256","typ":"JWT"})") {
  std::string payload = "{";
  for (const auto& [k, v] : claims) {
    if (payload.size() > 1) payload += ",";
    payload += JsonQuote(k) + ":" + v;
  }
  payload += "}";
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(HmacSha256(kKey, input));
}

// Fresh times around now, keeping everything else.
Claims Renewed(Claims c) {
  int64_t now = std::time(nullptr);
  Set(c, "iat", std::to_string(now));
  Set(c, "nbf", std::to_string(now));
  Set(c, "exp", std::to_string(now + 600));
  return c;
}

class JwtClaims : public SharedServerTest<JwtClaims> {
 public:
  static ServerOptions Options() {
    return {.args = CheapHashArgs({"--jwt-secret-file", KeyFile()}), .env = AdminEnv()};
  }

 protected:
  static Api api() { return Api(*server_); }
  static int MeStatus(const std::string& token) {
    HttpResponse r = api().GetAs(token, "/api/users/me");
    if (r.status == 401) {
      EXPECT_EQ(r.Header("WWW-Authenticate").value_or("").rfind("Bearer", 0), 0u);
    }
    return r.status;
  }
};

// The control: if this fails, the other tests here prove nothing.
TEST_F(JwtClaims, ATokenSignedWithTheFileKeyIsAccepted) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(MeStatus(SignToken(*claims)), 200);
  EXPECT_EQ(MeStatus(SignToken(Renewed(*claims))), 200);
}

TEST_F(JwtClaims, ExpiredIs401) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  int64_t now = std::time(nullptr);
  Set(*claims, "iat", std::to_string(now - 7200));
  Set(*claims, "nbf", std::to_string(now - 7200));
  Set(*claims, "exp", std::to_string(now - 3600));
  EXPECT_EQ(MeStatus(SignToken(*claims)), 401);
}

TEST_F(JwtClaims, NotYetValidIs401) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  int64_t now = std::time(nullptr);
  Set(*claims, "iat", std::to_string(now + 3600));
  Set(*claims, "nbf", std::to_string(now + 3600));
  Set(*claims, "exp", std::to_string(now + 7200));
  EXPECT_EQ(MeStatus(SignToken(*claims)), 401);
}

TEST_F(JwtClaims, AnotherIssuerIs401) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  Set(*claims, "iss", JsonQuote("someone-else"));
  EXPECT_EQ(MeStatus(SignToken(Renewed(*claims))), 401);
}

TEST_F(JwtClaims, MissingSubjectOrExpiryIs401) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  for (std::string_view name : {"sub", "exp"}) {
    SCOPED_TRACE(name);
    Claims c = Renewed(*claims);
    Erase(c, name);
    EXPECT_EQ(MeStatus(SignToken(c)), 401);
  }
}

TEST_F(JwtClaims, UnknownOrMalformedSubjectIs401) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  for (std::string raw : {JsonQuote("999999"), JsonQuote("0"), JsonQuote("-1"), JsonQuote("abc"),
                          JsonQuote(""), std::string("null")}) {
    SCOPED_TRACE(raw);
    Claims c = Renewed(*claims);
    Set(c, "sub", raw);
    EXPECT_EQ(MeStatus(SignToken(c)), 401);
  }
}

TEST_F(JwtClaims, AlgMustBeExactlyHs256) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(claims);
  // Each is signed correctly with HMAC-SHA256; only the header differs.
  for (std::string_view header :
       {R"({"alg":"hs256","typ":"JWT"})", R"({"alg":"HS384","typ":"JWT"})",
        R"({"alg":"none","typ":"JWT"})", R"({"typ":"JWT"})", R"({"alg":"HS256 "})", R"(["HS256"])",
        "not json"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(MeStatus(SignToken(*claims, header)), 401);
  }
  EXPECT_EQ(MeStatus(SignToken(*claims, R"({"alg":"HS256"})")), 200);
}

// A password change bumps the token version: even a correctly signed,
// unexpired token of the old version is refused, while the new version's
// tokens work.
TEST_F(JwtClaims, OldTokenVersionIs401AfterAPasswordChange) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto old_claims = ClaimsOf(ada->access_token);
  ASSERT_TRUE(old_claims);
  HttpResponse r = api().SendJsonAs(
      ada->access_token, "PUT", "/api/users/" + std::to_string(ada->id) + "/password",
      Obj({Str("current_password", ada->password), Str("new_password", "brand-new-password")}));
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(MeStatus(SignToken(Renewed(*old_claims))), 401);
  auto tokens = api().LoginTokens(ada->email, "brand-new-password");
  ASSERT_TRUE(tokens);
  auto new_claims = ClaimsOf(tokens->access_token);
  ASSERT_TRUE(new_claims);
  EXPECT_EQ(MeStatus(SignToken(Renewed(*new_claims))), 200);
}

TEST(JwtSecretFile, ShortKeyIsRefusedAtStart) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string path = dir.path() + "/short.key";
  std::ofstream(path) << std::string(31, 'k') << "\n";  // 31 bytes after the newline goes
  RunResult r =
      RunKeel({"--port", "0", "--data-dir", dir.path() + "/data", "--jwt-secret-file", path});
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << r.status;
  EXPECT_FALSE(r.err.empty());
}

}  // namespace
}  // namespace keel::integration
