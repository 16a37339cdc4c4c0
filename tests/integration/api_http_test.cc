// The users and auth endpoints as HTTP: answers that wait for a password
// hash or a commit must still come back in request order on a pipelined
// connection, a client leaving mid-hash must not hurt the server, shutdown
// finishes a request in flight, and wrong methods get 405 with Allow.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

std::string SignUpRequest(std::string_view email) {
  return JsonRequest(
      "POST", "/api/users",
      Obj({Str("email", email), Str("name", "Ada"), Str("password", "correct horse")}));
}

class ApiHttp : public SharedServerTest<ApiHttp> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }

 protected:
  static Api api() { return Api(*server_); }
};

TEST_F(ApiHttp, PipelinedRequestsAnswerInOrder) {
  std::vector<std::string> emails;
  for (int i = 0; i < 4; ++i) emails.push_back(UniqueEmail("pipe"));
  // Deferred answers (hash, commit) mixed with immediate ones.
  std::string batch =
      SignUpRequest(emails[0]) + Get("/healthz") + SignUpRequest(emails[1]) +
      SignUpRequest(emails[0]) +  // duplicate: 409 after the commit of #1
      JsonRequest("POST", "/api/auth/login",
                  Obj({Str("email", emails[1]), Str("password", "correct horse")})) +
      Get("/api/users/me") + SignUpRequest(emails[2]) + SignUpRequest(emails[3]);
  Connection c = server_->Connect(milliseconds(10000));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(batch));
  struct Want {
    int status;
    std::string email;  // checked when not empty
  };
  const Want kWant[] = {{201, emails[0]}, {200, ""}, {201, emails[1]}, {409, ""},
                        {200, ""},        {401, ""}, {201, emails[2]}, {201, emails[3]}};
  for (const Want& want : kWant) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, want.status) << r->body;
    if (!want.email.empty()) {
      EXPECT_EQ(JsonString(r->body, "email"), want.email) << r->body;
    }
  }
}

TEST_F(ApiHttp, WrongMethodIs405WithAllow) {
  struct Case {
    std::string method, path;
    std::vector<std::string> allowed;
  };
  const Case kCases[] = {
      {"DELETE", "/api/users", {"GET", "POST"}},
      {"POST", "/api/users/me", {"GET"}},
      {"GET", "/api/auth/login", {"POST"}},
      {"GET", "/api/auth/refresh", {"POST"}},
      {"DELETE", "/api/auth/logout", {"POST"}},
      {"POST", "/api/users/1", {"GET", "PUT", "PATCH", "DELETE"}},
      {"GET", "/api/users/1/password", {"PUT"}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.method + " " + c.path);
    HttpResponse r = api().Send(Request(c.method, c.path));
    EXPECT_TRUE(IsHouseError(r, 405));
    for (const std::string& m : c.allowed) {
      EXPECT_TRUE(HeaderHasToken(r.Header("Allow"), m)) << r.Header("Allow").value_or("<none>");
    }
  }
}

TEST_F(ApiHttp, HeadOfTheUserListKeepsItsHeaders) {
  auto admin = api().Admin();
  ASSERT_TRUE(admin);
  ASSERT_EQ(api().SignUp(UniqueEmail(), "Ada", "correct horse").status, 201);
  HttpResponse get = api().GetAs(admin->access_token, "/api/users?limit=1");
  ASSERT_EQ(get.status, 200);
  Connection c = server_->Connect();
  ASSERT_TRUE(c.SendAll(Request("HEAD", "/api/users?limit=1", {Bearer(admin->access_token)})));
  auto head = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head) << c.error();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Link"), get.Header("Link"));
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get.body.size()));
}

// At the default (slow) hash cost, clients vanish while their hashes run.
// The answers then have nowhere to go; the server must drop them and stay
// healthy.
TEST(ApiHttpSlowHash, ClientsLeavingMidHashDoNotHurt) {
  TestServer server(ServerOptions{.args = {"--threads", "1"}});
  ASSERT_TRUE(server.ok()) << server.error();
  std::string email = UniqueEmail("gone");
  {
    Connection first = server.Connect();
    ASSERT_TRUE(first.SendAll(SignUpRequest(email)));
    ASSERT_TRUE(first.ReadResponse());
  }
  for (int i = 0; i < 6; ++i) {
    Connection c = server.Connect();
    ASSERT_TRUE(c.ok());
    std::string request = i % 2 ? SignUpRequest(UniqueEmail("gone"))
                                : JsonRequest("POST", "/api/auth/login",
                                              Obj({Str("email", email), Str("password", "x")}));
    ASSERT_TRUE(c.SendAll(request));
    std::this_thread::sleep_for(milliseconds(5));
    c.Close(/*reset=*/i % 3 == 0);
  }
  // Let the hashes finish and their answers be dropped.
  Api api(server);
  auto tokens = api.LoginTokens(email, "correct horse");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(api.GetAs(tokens->access_token, "/api/users/me").status, 200);
  EXPECT_FALSE(server.WaitExit(milliseconds(0))) << "the server died";
}

// SIGTERM finishes requests in flight: a sign-up whose hash is running
// still gets its 201, and the user is there after a restart.
TEST(ApiHttpSlowHash, SigtermFinishesASignUpInFlight) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string email = UniqueEmail("drain");
  {
    TestServer server(ServerOptions{.data_dir = dir.path()});
    ASSERT_TRUE(server.ok()) << server.error();
    Connection c = server.Connect(milliseconds(10000));
    ASSERT_TRUE(c.SendAll(SignUpRequest(email)));
    std::this_thread::sleep_for(milliseconds(20));  // the server has read it
    kill(server.pid(), SIGTERM);
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << c.error();
    EXPECT_EQ(r->status, 201) << r->body;
    auto st = server.WaitExit(milliseconds(10000));
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->exited && st->code == 0) << *st;
  }
  TestServer server(ServerOptions{.args = CheapHashArgs(), .data_dir = dir.path()});
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(Api(server).Login(email, "correct horse").status, 200);
}

}  // namespace
}  // namespace keel::integration
