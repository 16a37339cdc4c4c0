// Input that RFC 9110/9112 or RFC 8259 allow, or that is ambiguous, as the
// outside compliance suite sent it: empty header values are served, the
// absolute form is routed, a missing Host is refused without waiting for the
// announced body, and repeated keys or credentials are refused.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

class AmbiguousInput : public SharedServerTest<AmbiguousInput> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }

 protected:
  static Api api() { return Api(*server_); }
};

TEST_F(AmbiguousInput, EmptyHeaderValuesAreServed) {
  for (std::string last : {"X-Empty:", "X-Empty: ", "X-Empty:\t", "X-Empty: \t "}) {
    auto r = server_->RoundTrip("GET /healthz HTTP/1.1\r\nHost: h\r\n" + last + "\r\n\r\n");
    ASSERT_TRUE(r) << last;
    EXPECT_EQ(r->status, 200) << testing::PrintToString(last) << " " << r->body;
  }
  auto r = server_->RoundTrip("GET /healthz HTTP/1.1\r\nX-A:\r\nHost: h\r\nX-B: \r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AmbiguousInput, MissingHostIsAnsweredBeforeTheAnnouncedBody) {
  Connection c = server_->Connect(std::chrono::milliseconds(2000));
  ASSERT_TRUE(c.ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.SendAll("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseErrorNaming(*r, 400, "Host"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST_F(AmbiguousInput, DuplicateHostIsAnsweredBeforeTheAnnouncedBody) {
  Connection c = server_->Connect(std::chrono::milliseconds(2000));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll("POST /api/users HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 9\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseErrorNaming(*r, 400, "Host"));
}

TEST_F(AmbiguousInput, AbsoluteFormTargetIsRouted) {
  auto r = server_->RoundTrip("GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"status":"ok"})");
}

TEST_F(AmbiguousInput, DuplicateJsonKeysAre400) {
  std::string email = UniqueEmail("dup");
  HttpResponse r = api().Send(JsonRequest(
      "POST", "/api/users",
      R"({"email":")" + email + R"(","name":"A","password":"long-password-1","email":"b@x.io"})"));
  EXPECT_TRUE(IsHouseErrorNaming(r, 400, "duplicate key: email")) << r.body;
  r = api().Send(JsonRequest("POST", "/api/auth/login",
                             R"({"email":"a@x.io","password":"x","password":"y"})"));
  EXPECT_TRUE(IsHouseErrorNaming(r, 400, "duplicate key: password")) << r.body;
  r = api().Send(JsonRequest("POST", "/api/auth/refresh",
                             R"({"refresh_token":"a","refresh_token":"b"})"));
  EXPECT_TRUE(IsHouseErrorNaming(r, 400, "duplicate key")) << r.body;
  // Nothing was created by the refused sign-up.
  r = api().Send(JsonRequest("POST", "/api/auth/login",
                             Obj({Str("email", email), Str("password", "long-password-1")})));
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST_F(AmbiguousInput, RepeatedAuthorizationIs400) {
  auto account = api().NewAccount();
  ASSERT_TRUE(account);
  HttpResponse r = api().Send(Get("/api/users/me", {Bearer(account->access_token),
                                                     Bearer(account->access_token)}));
  EXPECT_TRUE(IsHouseErrorNaming(r, 400, "Authorization")) << r.body;
}

TEST_F(AmbiguousInput, RepeatedContentTypeIs400) {
  HttpResponse r = api().Send(JsonRequest("POST", "/api/auth/login",
                                          R"({"email":"a@x.io","password":"long-password"})",
                                          {"Content-Type: text/plain"}));
  EXPECT_TRUE(IsHouseErrorNaming(r, 400, "Content-Type")) << r.body;
}

}  // namespace
}  // namespace keel::integration
