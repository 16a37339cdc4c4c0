// Failed-login limits per account and per client address
// (--login-max-failures-account, --login-max-failures-address,
// --login-window): 429 with Retry-After once a limit is reached. Each test
// has its own server, since the limits are server-wide state.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

// A 429 in the house format whose Retry-After is whole seconds in
// [1, max_seconds]; the seconds are stored in *seconds if given.
::testing::AssertionResult IsLoginLimited(const HttpResponse& r, int max_seconds,
                                          int* seconds = nullptr) {
  auto base = IsHouseError(r, 429);
  if (!base) return base;
  auto retry = r.Header("Retry-After");
  if (!retry || retry->empty() || retry->find_first_not_of("0123456789") != std::string::npos) {
    return ::testing::AssertionFailure()
           << "Retry-After is '" << retry.value_or("<none>") << "', not delta-seconds";
  }
  int s = std::atoi(retry->c_str());
  if (s < 1 || s > max_seconds) {
    return ::testing::AssertionFailure()
           << "Retry-After " << s << " not in [1, " << max_seconds << "]";
  }
  if (seconds) *seconds = s;
  return ::testing::AssertionSuccess();
}

TEST(LoginLimits, AccountIsLockedAfterMaxFailures) {
  TestServer server(ServerOptions{.args = CheapHashArgs({"--login-max-failures-account", "3"})});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto ada = api.NewAccount("Ada");
  auto bob = api.NewAccount("Bob");
  ASSERT_TRUE(ada && bob);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(IsHouseError(api.Login(ada->email, "not-the-password"), 401)) << i;
  }
  // Even the right password waits now.
  EXPECT_TRUE(IsLoginLimited(api.Login(ada->email, ada->password), 900));
  // The email's case does not open a second counter.
  std::string upper = ada->email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(IsLoginLimited(api.Login(upper, ada->password), 900));
  // Another account from the same address is not affected.
  EXPECT_EQ(api.Login(bob->email, bob->password).status, 200);
  // Nor are tokens the locked account already holds.
  EXPECT_EQ(api.GetAs(ada->access_token, "/api/users/me").status, 200);
}

TEST(LoginLimits, SuccessClearsTheAccountsFailures) {
  TestServer server(ServerOptions{.args = CheapHashArgs({"--login-max-failures-account", "3"})});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto ada = api.NewAccount("Ada");
  ASSERT_TRUE(ada);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    EXPECT_EQ(api.Login(ada->email, "not-the-password").status, 401);
    EXPECT_EQ(api.Login(ada->email, "not-the-password").status, 401);
    EXPECT_EQ(api.Login(ada->email, ada->password).status, 200);
  }
}

TEST(LoginLimits, AddressIsLimitedAcrossAccounts) {
  TestServer server(ServerOptions{.args = CheapHashArgs({"--login-max-failures-address", "5"})});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(IsHouseError(api.Login(UniqueEmail("unknown"), "not-the-password"), 401)) << i;
  }
  EXPECT_TRUE(IsLoginLimited(api.Login(UniqueEmail("unknown"), "not-the-password"), 900));
}

// The per-address limit counts the connection's address; a client cannot
// step around it with forwarding headers.
TEST(LoginLimits, ForwardingHeadersDoNotChangeTheAddress) {
  TestServer server(ServerOptions{.args = CheapHashArgs({"--login-max-failures-address", "3"})});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  HttpResponse last;
  for (int i = 0; i < 4; ++i) {
    std::string ip = "198.51.100." + std::to_string(i + 1);
    last = api.Send(JsonRequest(
        "POST", "/api/auth/login",
        Obj({Str("email", UniqueEmail("unknown")), Str("password", "not-the-password")}),
        {"X-Forwarded-For: " + ip, "X-Real-IP: " + ip, "Forwarded: for=" + ip}));
  }
  EXPECT_TRUE(IsLoginLimited(last, 900));
}

TEST(LoginLimits, LimitEndsWithTheWindow) {
  TestServer server(ServerOptions{
      .args = CheapHashArgs({"--login-max-failures-account", "2", "--login-window", "1"})});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto ada = api.NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_EQ(api.Login(ada->email, "not-the-password").status, 401);
  EXPECT_EQ(api.Login(ada->email, "not-the-password").status, 401);
  int wait = 0;
  ASSERT_TRUE(IsLoginLimited(api.Login(ada->email, ada->password), 2, &wait));
  // Retry-After says when; after it, the right password works.
  std::this_thread::sleep_for(std::chrono::seconds(wait) + milliseconds(300));
  EXPECT_EQ(api.Login(ada->email, ada->password).status, 200);
}

TEST(LoginLimits, OptionsAreValidated) {
  for (std::string_view option : {"--login-max-failures-account", "--login-max-failures-address",
                                  "--login-window", "--access-token-ttl", "--refresh-token-ttl",
                                  "--max-hash-queue", "--argon2-ops", "--argon2-mem-kib"}) {
    SCOPED_TRACE(option);
    RunResult r = RunKeel({std::string(option), "abc", "--port", "0"});
    EXPECT_TRUE(r.status.exited && r.status.code != 0) << r.status;
    EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace keel::integration
