// POST /api/auth/login, /refresh, /logout and the bearer-token check on
// protected endpoints, against the real binary (see docs/api.md,
// Authentication).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <set>
#include <thread>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

// Shared server with a cheap hash and an admin; each test has its own users.
class Auth : public SharedServerTest<Auth> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }

 protected:
  static Api api() { return Api(*server_); }

  // A 401 that asks for a bearer token.
  static ::testing::AssertionResult IsBearerChallenge(const HttpResponse& r) {
    auto base = IsHouseError(r, 401);
    if (!base) return base;
    auto challenge = r.Header("WWW-Authenticate");
    if (!challenge || challenge->rfind("Bearer", 0) != 0) {
      return ::testing::AssertionFailure()
             << "WWW-Authenticate is '" << challenge.value_or("<none>") << "'";
    }
    return ::testing::AssertionSuccess();
  }
};

TEST_F(Auth, LoginAnswersATokenPair) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = api().Login(ada->email, ada->password);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  auto body = ParseBody(r);
  ASSERT_TRUE(body && body->is_object());
  EXPECT_EQ(body->members().size(), 4u) << r.body;
  EXPECT_EQ(body->GetString("token_type"), "Bearer");
  EXPECT_EQ(body->GetInt("expires_in"), 900);
  auto access = body->GetString("access_token");
  auto refresh = body->GetString("refresh_token");
  ASSERT_TRUE(access && refresh) << r.body;
  EXPECT_FALSE(refresh->empty());
  EXPECT_NE(*access, *refresh);
  EXPECT_NE(*refresh, ada->refresh_token) << "two logins, one refresh token";
  EXPECT_EQ(api().GetAs(*access, "/api/users/me").status, 200);
}

// EdDSA by default (HS256 only with --jwt-secret-file: jwt_claims_test.cc).
TEST_F(Auth, AccessTokenIsAnEdDsaJwtWithTheClaims) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto header = JwtPart(ada->access_token, 0);
  auto claims = JwtPart(ada->access_token, 1);
  ASSERT_TRUE(header && claims) << ada->access_token;
  EXPECT_EQ(header->GetString("alg"), "EdDSA");
  EXPECT_TRUE(header->GetString("kid").has_value());
  const JsonValue* sub = claims->Find("sub");
  ASSERT_NE(sub, nullptr);
  // RFC 7519 makes sub a string; accept a number too, but it must be the id.
  std::string sub_text = sub->text();
  EXPECT_TRUE(sub->is_string() || sub->is_number());
  EXPECT_EQ(sub_text, std::to_string(ada->id));
  auto iat = claims->GetInt("iat");
  auto exp = claims->GetInt("exp");
  ASSERT_TRUE(iat && exp);
  EXPECT_EQ(*exp - *iat, 900);
  EXPECT_GT(*iat, 1700000000);  // 2023: a real clock, in seconds
  EXPECT_TRUE(claims->GetString("iss").has_value());
  EXPECT_EQ(claims->GetString("role"), "user");
}

TEST_F(Auth, WrongPasswordAndUnknownEmailAnswerAlike) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse wrong = api().Login(ada->email, "not-the-password");
  HttpResponse unknown = api().Login(UniqueEmail("nobody"), "not-the-password");
  ASSERT_TRUE(IsHouseError(wrong, 401));
  ASSERT_TRUE(IsHouseError(unknown, 401));
  EXPECT_EQ(JsonString(wrong.body, "message"), JsonString(unknown.body, "message"));
  std::set<std::string> wrong_headers, unknown_headers;
  for (const auto& h : wrong.headers) wrong_headers.insert(h.first);
  for (const auto& h : unknown.headers) unknown_headers.insert(h.first);
  EXPECT_EQ(wrong_headers, unknown_headers);
}

TEST_F(Auth, LoginBodyMustBeJson) {
  EXPECT_TRUE(IsHouseError(api().Send(JsonRequest("POST", "/api/auth/login", "{")), 400));
  EXPECT_TRUE(IsHouseError(api().Send(JsonRequest("POST", "/api/auth/login", "[]")), 400));
  EXPECT_TRUE(IsHouseError(
      api().Send(JsonRequest("POST", "/api/auth/login",
                             Obj({Str("email", "a@example.com"), Str("password", "12345678")}), {},
                             "text/plain")),
      415));
}

TEST_F(Auth, ProtectedEndpointsNeedABearerToken) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  std::string self = "/api/users/" + std::to_string(ada->id);
  std::string user_body = Obj({Str("email", ada->email), Str("name", "Ada")});
  const std::string kRequests[] = {
      Get("/api/users/me"),
      Get(self),
      Get("/api/users"),
      JsonRequest("PUT", self, user_body),
      JsonRequest("PATCH", self, Obj({Str("name", "X")}), {}, "application/merge-patch+json"),
      Request("DELETE", self),
      JsonRequest("PUT", self + "/password",
                  Obj({Str("current_password", ada->password), Str("new_password", "xxxxxxxxxx")})),
  };
  for (const std::string& request : kRequests) {
    SCOPED_TRACE(request);
    EXPECT_TRUE(IsBearerChallenge(api().Send(request)));
  }
  // Nothing was changed by any of them.
  EXPECT_EQ(api().GetAs(ada->access_token, "/api/users/me").status, 200);
  EXPECT_EQ(api().Login(ada->email, ada->password).status, 200);
}

TEST_F(Auth, MalformedAuthorizationIs401) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string kHeaders[] = {
      "Authorization: Bearer garbage",
      "Authorization: Bearer ",
      "Authorization: Bearer a.b.c",
      "Authorization: Basic YWRhOnB3",
      "Authorization: " + ada->access_token,  // no scheme
      "Authorization: Bearer " + ada->access_token + "x",
      "Authorization: Bearer " + ada->access_token + ".x",
  };
  for (const std::string& h : kHeaders) {
    SCOPED_TRACE(h);
    EXPECT_TRUE(IsBearerChallenge(api().Send(Get("/api/users/me", {h}))));
  }
}

// A token whose payload is rewritten to say "admin" keeps the user's
// signature and must not pass; neither may an unsigned or re-signed one.
TEST_F(Auth, TamperedTokensAreRejected) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string& t = ada->access_token;
  size_t dot1 = t.find('.'), dot2 = t.rfind('.');
  ASSERT_NE(dot1, std::string::npos);
  ASSERT_NE(dot1, dot2);
  std::string header = t.substr(0, dot1);
  std::string payload = t.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string signature = t.substr(dot2 + 1);

  std::string claims;
  ASSERT_TRUE(Base64UrlDecode(payload, &claims));
  size_t role = claims.find(R"("role":"user")");
  ASSERT_NE(role, std::string::npos) << claims;
  std::string admin_claims = claims;
  admin_claims.replace(role, 13, R"("role":"admin")");
  std::string admin_payload = Base64UrlEncode(admin_claims);
  std::string none_header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string hs512_header = Base64UrlEncode(R"({"alg":"HS512","typ":"JWT"})");
  std::string flipped = signature;  // one character changed, still base64url
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';

  const std::string kTokens[] = {
      header + "." + admin_payload + "." + signature,
      none_header + "." + admin_payload + ".",
      none_header + "." + payload + ".",
      none_header + "." + payload + "." + signature,
      hs512_header + "." + payload + "." + signature,
      header + "." + payload + "." + flipped,
      header + "." + payload + ".",
      header + "." + payload,
  };
  for (const std::string& token : kTokens) {
    SCOPED_TRACE(token);
    EXPECT_TRUE(IsBearerChallenge(api().GetAs(token, "/api/users/me")));
    EXPECT_TRUE(IsBearerChallenge(api().GetAs(token, "/api/users")));
  }
  EXPECT_EQ(api().GetAs(t, "/api/users/me").status, 200);
}

TEST_F(Auth, TokensFromAnotherServerAreRejected) {
  // Another server makes its own random key in its own data dir.
  TestServer other(ServerOptions{.args = CheapHashArgs(), .env = AdminEnv()});
  ASSERT_TRUE(other.ok()) << other.error();
  auto foreign = Api(other).Admin();
  ASSERT_TRUE(foreign);
  auto admin = api().Admin();
  ASSERT_TRUE(admin);
  ASSERT_EQ(foreign->id, admin->id) << "the test wants the same subject on both servers";
  EXPECT_TRUE(IsBearerChallenge(api().GetAs(foreign->access_token, "/api/users/me")));
  EXPECT_TRUE(IsHouseError(api().Refresh(foreign->refresh_token), 401));
}

TEST_F(Auth, RefreshRotatesThePair) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = api().Refresh(ada->refresh_token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseBody(r);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->GetString("token_type"), "Bearer");
  EXPECT_EQ(body->GetInt("expires_in"), 900);
  auto access = body->GetString("access_token");
  auto refresh = body->GetString("refresh_token");
  ASSERT_TRUE(access && refresh) << r.body;
  EXPECT_NE(*refresh, ada->refresh_token);
  EXPECT_EQ(api().GetAs(*access, "/api/users/me").status, 200);
  // The new one rotates again.
  HttpResponse again = api().Refresh(*refresh);
  EXPECT_EQ(again.status, 200) << again.body;
}

TEST_F(Auth, ReusingARefreshTokenEndsTheFamily) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto other = api().LoginTokens(ada->email, ada->password);  // a second family
  ASSERT_TRUE(other);
  HttpResponse r = api().Refresh(ada->refresh_token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseBody(r);
  ASSERT_TRUE(body);
  auto rotated = body->GetString("refresh_token");
  ASSERT_TRUE(rotated);

  EXPECT_TRUE(IsHouseError(api().Refresh(ada->refresh_token), 401));  // reuse
  EXPECT_TRUE(IsHouseError(api().Refresh(*rotated), 401));            // family ended
  // The other login is another family and lives on.
  EXPECT_EQ(api().Refresh(other->refresh_token).status, 200);
}

// Ten clients present one refresh token at once: one rotation wins; the
// others present a used token, which ends the family, the winner's new
// token included.
TEST_F(Auth, ConcurrentRefreshesWithOneTokenRotateOnce) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  constexpr int kClients = 10;
  std::string request =
      JsonRequest("POST", "/api/auth/refresh", Obj({Str("refresh_token", ada->refresh_token)}));
  std::vector<Connection> conns;
  for (int i = 0; i < kClients; ++i) {
    conns.push_back(server_->Connect());
    ASSERT_TRUE(conns.back().ok());
  }
  std::atomic<int> ready{0};
  std::vector<std::optional<HttpResponse>> answers(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kClients) std::this_thread::yield();
      if (conns[i].SendAll(request)) answers[i] = conns[i].ReadResponse();
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0, refused = 0;
  std::string winner;
  for (const auto& a : answers) {
    ASSERT_TRUE(a);
    if (a->status == 200) {
      ++ok;
      winner = JsonString(a->body, "refresh_token").value_or("");
    } else {
      refused += IsHouseError(*a, 401) ? 1 : 0;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(refused, kClients - 1);
  ASSERT_FALSE(winner.empty());
  EXPECT_TRUE(IsHouseError(api().Refresh(winner), 401));
}

TEST_F(Auth, LoginEmailIsCaseInsensitive) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  std::string upper = ada->email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  HttpResponse r = api().Login(upper, ada->password);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseBody(r);
  ASSERT_TRUE(body);
  HttpResponse me = api().GetAs(body->GetString("access_token").value_or(""), "/api/users/me");
  EXPECT_EQ(JsonString(me.body, "email"), ada->email) << "the email as given at sign-up";
}

TEST_F(Auth, RefreshRejectsUnknownTokens) {
  EXPECT_TRUE(IsHouseError(api().Refresh("garbage"), 401));
  EXPECT_TRUE(IsHouseError(api().Refresh(std::string(43, 'A')), 401));
  for (std::string_view body : {R"({"refresh_token":""})", "{}"}) {
    SCOPED_TRACE(body);
    HttpResponse r = api().Send(JsonRequest("POST", "/api/auth/refresh", body));
    EXPECT_TRUE(r.status == 400 || r.status == 401) << r.status;
    EXPECT_TRUE(IsHouseError(r, r.status));
  }
  // An access token is not a refresh token.
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_TRUE(IsHouseError(api().Refresh(ada->access_token), 401));
}

TEST_F(Auth, LogoutEndsThatRefreshToken) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto other = api().LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(other);
  HttpResponse r = api().Logout(ada->refresh_token);
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_TRUE(IsHouseError(api().Refresh(ada->refresh_token), 401));
  EXPECT_EQ(api().Refresh(other->refresh_token).status, 200);
}

TEST_F(Auth, AccessTokenTtlIsAnOption) {
  TestServer server(ServerOptions{.args = CheapHashArgs({"--access-token-ttl", "60"})});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  std::string email = UniqueEmail();
  ASSERT_EQ(api.SignUp(email, "Ada", "correct horse").status, 201);
  HttpResponse r = api.Login(email, "correct horse");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseBody(r);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->GetInt("expires_in"), 60);
  auto claims = JwtPart(body->GetString("access_token").value_or(""), 1);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->GetInt("exp").value_or(0) - claims->GetInt("iat").value_or(0), 60);
}

// The one test at libsodium's INTERACTIVE cost (no --argon2-* options).
TEST(AuthDefaultCost, SignUpAndLogin) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  std::string email = UniqueEmail();
  HttpResponse r = api.SignUp(email, "Ada", "correct horse");
  ASSERT_EQ(r.status, 201) << r.body;
  auto tokens = api.LoginTokens(email, "correct horse");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(api.GetAs(tokens->access_token, "/api/users/me").status, 200);
  EXPECT_TRUE(IsHouseError(api.Login(email, "wrong horse"), 401));
}

// Past --max-hash-queue hash jobs in flight on a worker, a request needing a
// hash is refused at once. One worker, a queue of one, the default (slow)
// cost and ten sign-ups sent together: the first occupies the queue.
TEST(AuthHashQueue, FullQueueIs503WithRetryAfter) {
  TestServer server(ServerOptions{.args = {"--threads", "1", "--max-hash-queue", "1"}});
  ASSERT_TRUE(server.ok()) << server.error();
  constexpr int kClients = 10;
  std::vector<Connection> conns;
  for (int i = 0; i < kClients; ++i) {
    conns.push_back(server.Connect(milliseconds(20000)));
    ASSERT_TRUE(conns.back().ok());
  }
  for (int i = 0; i < kClients; ++i) {
    std::string body = Obj(
        {Str("email", UniqueEmail("queue")), Str("name", "Q"), Str("password", "correct horse")});
    ASSERT_TRUE(conns[i].SendAll(JsonRequest("POST", "/api/users", body)));
  }
  int created = 0, refused = 0;
  for (int i = 0; i < kClients; ++i) {
    auto r = conns[i].ReadResponse();
    ASSERT_TRUE(r) << conns[i].error();
    if (r->status == 201) {
      ++created;
    } else {
      ++refused;
      EXPECT_TRUE(IsHouseError(*r, 503));
      auto retry = r->Header("Retry-After");
      ASSERT_TRUE(retry);
      EXPECT_GE(std::atoi(retry->c_str()), 1) << *retry;
    }
  }
  EXPECT_GE(created, 1);
  EXPECT_GE(refused, 1);
}

}  // namespace
}  // namespace keel::integration
