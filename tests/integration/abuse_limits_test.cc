// What the outside security review found: parallel password guesses past
// the failed-login limit, sign-up floods starving logins, unbounded login
// input, sessions that slide forever, a last admin who can remove itself,
// and common passwords.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

using namespace std::chrono_literals;

// Runs `fn(i)` on `n` threads at once and waits for all.
template <typename Fn>
void InParallel(int n, Fn fn) {
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      fn(i);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
}

TEST(AbuseLimits, HundredParallelGuessesEvaluateAtMostTheAccountLimit) {
  RaiseFdLimit();
  TestServer server(CheapHashArgs({"--login-max-failures-account", "10",
                                   "--login-max-failures-address", "0", "--max-hash-queue",
                                   "512"}));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto account = api.NewAccount();
  ASSERT_TRUE(account);
  std::atomic<int> unauthorized{0}, limited{0}, other{0};
  InParallel(100, [&](int) {
    HttpResponse r = api.Login(account->email, "wrong-password-123");
    if (r.status == 401) {
      ++unauthorized;
    } else if (r.status == 429 && r.Header("Retry-After")) {
      ++limited;
    } else {
      ++other;
    }
  });
  EXPECT_LE(unauthorized.load(), 10);
  EXPECT_GE(limited.load(), 90);
  EXPECT_EQ(other.load(), 0);
  // The right password, after the burst, is refused too: the account is
  // locked for the window.
  HttpResponse r = api.Login(account->email, account->password);
  EXPECT_EQ(r.status, 429) << r.body;
}

TEST(AbuseLimits, OversizedLoginEmailIs401WithoutBeingKept) {
  TestServer server(CheapHashArgs({"--login-max-failures-account", "1"}));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  std::string huge(300, 'a');
  huge += "@example.com";
  // Were it counted, the second attempt would be 429.
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = api.Login(huge, "some-password-1");
    EXPECT_EQ(r.status, 401) << r.body;
  }
}

TEST(AbuseLimits, SignUpsArePerAddressRateLimited) {
  TestServer server(
      ServerOptions{.args = {"--argon2-ops", "1", "--argon2-mem-kib", "64", "--signup-rate", "3"}});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  int created = 0, limited = 0;
  for (int i = 0; i < 10; ++i) {
    HttpResponse r = api.SignUp(UniqueEmail("flood"), "F", "long-password-1");
    if (r.status == 201) ++created;
    if (r.status == 429) {
      ++limited;
      EXPECT_TRUE(r.Header("Retry-After")) << r.body;
    }
  }
  EXPECT_EQ(created, 6);  // the burst: twice the per-minute rate
  EXPECT_EQ(limited, 4);
}

// Sign-ups may not take the hash slots logins need: with the sign-up rate
// limit off and 16 clients signing up non-stop, logins still succeed.
TEST(AbuseLimits, LoginSucceedsDuringASignUpFlood) {
  RaiseFdLimit();
  TestServer server(ServerOptions{.args = {"--argon2-ops", "1", "--argon2-mem-kib", "4096",
                                           "--signup-rate", "0", "--max-hash-queue", "8",
                                           "--threads", "1"}});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto account = api.NewAccount();
  ASSERT_TRUE(account);
  std::atomic<bool> stop{false};
  std::atomic<int> signups_busy{0};
  std::vector<std::thread> flood;
  for (int i = 0; i < 16; ++i) {
    flood.emplace_back([&] {
      while (!stop.load()) {
        HttpResponse r = api.SignUp(UniqueEmail("flood"), "F", "long-password-1");
        if (r.status == 503) ++signups_busy;
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  int ok = 0;
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = api.Login(account->email, account->password);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status == 200) ++ok;
  }
  stop = true;
  for (auto& t : flood) t.join();
  EXPECT_EQ(ok, 5);
  // The flood did fill what sign-ups may use.
  EXPECT_GT(signups_busy.load(), 0);
}

TEST(AbuseLimits, RefreshNeverExtendsASessionPastItsMaximumAge) {
  TestServer server(CheapHashArgs({"--session-max-age", "2"}));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto account = api.NewAccount();
  ASSERT_TRUE(account);
  HttpResponse r = api.Refresh(account->refresh_token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto token = JsonString(r.body, "refresh_token");
  ASSERT_TRUE(token);
  std::this_thread::sleep_for(2500ms);
  r = api.Refresh(*token);
  EXPECT_TRUE(IsHouseErrorNaming(r, 401, "maximum age")) << r.body;
  // A new login starts a new session.
  EXPECT_TRUE(api.LoginTokens(account->email, account->password));
}

class LastAdmin : public SharedServerTest<LastAdmin> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }
};

TEST_F(LastAdmin, CannotDemoteOrDeleteItselfUntilAnotherAdminExists) {
  Api api(*server_);
  auto admin = api.Admin();
  ASSERT_TRUE(admin);
  std::string self = "/api/users/" + std::to_string(admin->id);
  HttpResponse r = api.SendJsonAs(admin->access_token, "PATCH", self, R"({"role":"user"})", {},
                                  "application/merge-patch+json");
  EXPECT_TRUE(IsHouseErrorNaming(r, 409, "last admin")) << r.body;
  r = api.DeleteAs(admin->access_token, self);
  EXPECT_TRUE(IsHouseErrorNaming(r, 409, "last admin")) << r.body;
  // Still an admin.
  r = api.GetAs(admin->access_token, "/api/users/me");
  EXPECT_NE(r.body.find(R"("role":"admin")"), std::string::npos) << r.body;

  auto other = api.NewAccount();
  ASSERT_TRUE(other);
  std::string other_path = "/api/users/" + std::to_string(other->id);
  r = api.SendJsonAs(admin->access_token, "PATCH", other_path, R"({"role":"admin"})", {},
                     "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  r = api.SendJsonAs(admin->access_token, "PATCH", self, R"({"role":"user"})", {},
                     "application/merge-patch+json");
  EXPECT_EQ(r.status, 200) << r.body;
  // Now `other` is the last admin.
  r = api.DeleteAs(other->access_token, other_path);
  EXPECT_TRUE(IsHouseErrorNaming(r, 409, "last admin")) << r.body;
}

TEST_F(LastAdmin, CommonPasswordsAreRefused) {
  Api api(*server_);
  for (const char* weak : {"password", "12345678", "Password", "qwertyuiop", "iloveyou"}) {
    HttpResponse r = api.SignUp(UniqueEmail("weak"), "W", weak);
    EXPECT_TRUE(IsHouseErrorNaming(r, 400, "common")) << weak << ": " << r.body;
  }
  auto account = api.NewAccount();
  ASSERT_TRUE(account);
  HttpResponse r = api.SendJsonAs(
      account->access_token, "PUT", "/api/users/" + std::to_string(account->id) + "/password",
      Obj({Str("current_password", account->password), Str("new_password", "football")}));
  EXPECT_TRUE(IsHouseErrorNaming(r, 400, "common")) << r.body;
}

}  // namespace
}  // namespace keel::integration
