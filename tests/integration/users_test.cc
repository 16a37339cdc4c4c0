// POST /api/users (sign-up and its validation) and GET /api/users/me and
// /api/users/{id}, against the real binary (see docs/api.md, Users).
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

// Repeats a UTF-8 sequence `n` times.
std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

// Sign-ups on one shared server with a cheap hash. Each test uses its own
// emails, so the tests do not disturb one another.
class SignUp : public SharedServerTest<SignUp> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs()}; }

 protected:
  static Api api() { return Api(*server_); }
  // POST /api/users with a raw body.
  static HttpResponse Post(std::string_view body,
                           std::string_view content_type = "application/json") {
    return api().Send(JsonRequest("POST", "/api/users", body, {}, content_type));
  }
  // A body with every field valid except the ones overridden by the caller.
  static std::string Body(std::string_view email, std::string_view name,
                          std::string_view password) {
    return Obj({Str("email", email), Str("name", name), Str("password", password)});
  }
};

TEST_F(SignUp, Returns201WithTheUserLocationAndETag) {
  std::string email = UniqueEmail("ada");
  HttpResponse r = api().SignUp(email, "Ada", "correct horse");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(IsUserBody(r));
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("email"), email);
  EXPECT_EQ(user->GetString("name"), "Ada");
  EXPECT_EQ(user->GetString("role"), "user");
  auto id = user->GetInt("id");
  ASSERT_TRUE(id);
  EXPECT_GT(*id, 0);
  EXPECT_EQ(r.Header("Location"), "/api/users/" + std::to_string(*id));
  auto etag = r.Header("ETag");
  ASSERT_TRUE(etag);
  EXPECT_TRUE(std::regex_match(*etag, std::regex(R"(^"[0-9]+"$)"))) << *etag;
}

TEST_F(SignUp, AcceptsACharsetParameter) {
  HttpResponse r =
      Post(Body(UniqueEmail(), "Ada", "correct horse"), "application/json; charset=utf-8");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(SignUp, IdsArePositiveAndIncrease) {
  int64_t last = 0;
  for (int i = 0; i < 4; ++i) {
    HttpResponse r = api().SignUp(UniqueEmail(), "Ada", "correct horse");
    ASSERT_EQ(r.status, 201) << r.body;
    auto user = ParseBody(r);
    ASSERT_TRUE(user);
    auto id = user->GetInt("id");
    ASSERT_TRUE(id) << r.body;
    EXPECT_GT(*id, last);
    last = *id;
  }
}

TEST_F(SignUp, MissingOrMalformedEmailIs400NamingEmail) {
  const std::string kBad[] = {
      Obj({Str("name", "Ada"), Str("password", "correct horse")}),
      Body("", "Ada", "correct horse"),
      Body("ada", "Ada", "correct horse"),
      Body("ada@", "Ada", "correct horse"),
      Body("@example.com", "Ada", "correct horse"),
      Body("ada lovelace@example.com", "Ada", "correct horse"),
      Obj({Raw("email", "42"), Str("name", "Ada"), Str("password", "correct horse")}),
      Obj({Raw("email", "null"), Str("name", "Ada"), Str("password", "correct horse")}),
  };
  for (const std::string& body : kBad) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(IsHouseErrorNaming(Post(body), 400, "email"));
  }
}

TEST_F(SignUp, EmailOf254BytesIsAcceptedAnd255IsNot) {
  // 64-byte local part (the RFC 5321 maximum) and labels under 64 bytes.
  std::string local(64, 'a');
  std::string domain =
      std::string(61, 'b') + "." + std::string(61, 'c') + "." + std::string(61, 'd') + ".com";
  std::string email = local + "@" + domain;
  ASSERT_EQ(email.size(), 254u);
  HttpResponse ok = api().SignUp(email, "Ada", "correct horse");
  EXPECT_EQ(ok.status, 201) << ok.body;
  std::string longer = local + "@e" + domain;
  ASSERT_EQ(longer.size(), 255u);
  EXPECT_TRUE(IsHouseErrorNaming(api().SignUp(longer, "Ada", "correct horse"), 400, "email"));
}

TEST_F(SignUp, BadNameIs400NamingName) {
  const std::string kBad[] = {
      Obj({Str("email", UniqueEmail()), Str("password", "correct horse")}),
      Body(UniqueEmail(), "", "correct horse"),
      Body(UniqueEmail(), std::string(101, 'n'), "correct horse"),
      Body(UniqueEmail(), Repeat("\xC3\xA9", 101), "correct horse"),  // 101 x U+00E9
      Obj({Str("email", UniqueEmail()), Raw("name", "7"), Str("password", "correct horse")}),
  };
  for (const std::string& body : kBad) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(IsHouseErrorNaming(Post(body), 400, "name"));
  }
}

TEST_F(SignUp, NameCountsCodePointsNotBytes) {
  const std::string kGood[] = {
      std::string(100, 'n'), Repeat("\xC3\xA9", 100),  // 200 bytes
      Repeat("\xE6\x97\xA5", 100),                     // 300 bytes
      Repeat("\xF0\x9F\x98\x80", 100),                 // 400 bytes, outside the BMP
  };
  for (const std::string& name : kGood) {
    SCOPED_TRACE(name);
    HttpResponse r = api().SignUp(UniqueEmail(), name, "correct horse");
    ASSERT_EQ(r.status, 201) << r.body;
    auto user = ParseBody(r);
    ASSERT_TRUE(user);
    EXPECT_EQ(user->GetString("name"), name);  // JSON escapes or not, the same text
  }
}

TEST_F(SignUp, InvalidUtf8InNameIs400) {
  const std::string kBad[] = {
      "Ada\xFF",
      "Ada\xC3",           // truncated sequence
      "\xC0\xAF",          // overlong '/'
      "\xED\xA0\x80",      // an encoded surrogate
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\x80start",         // stray continuation byte
  };
  for (const std::string& name : kBad) {
    SCOPED_TRACE(::testing::PrintToString(name));
    EXPECT_TRUE(IsHouseError(Post(Body(UniqueEmail(), name, "correct horse")), 400));
  }
}

// Names sent with JSON escapes count as the characters they stand for.
TEST_F(SignUp, JsonEscapesInNamesAreDecoded) {
  struct Case {
    std::string raw;   // the name as JSON text
    std::string want;  // its UTF-8
  };
  std::string hundred_e, hundred_smileys;
  for (int i = 0; i < 100; ++i) {
    hundred_e += "\\u00e9";
    hundred_smileys += "\\ud83d\\ude00";
  }
  const Case kGood[] = {
      {"\"Ad\\u0061\"", "Ada"},
      {"\"\\\"quoted\\\" \\\\ slash\\/\"", "\"quoted\" \\ slash/"},
      {"\"" + hundred_e + "\"", Repeat("\xC3\xA9", 100)},
      {"\"" + hundred_smileys + "\"", Repeat("\xF0\x9F\x98\x80", 100)},
  };
  for (const Case& c : kGood) {
    SCOPED_TRACE(c.raw.substr(0, 40));
    HttpResponse r = Post(
        Obj({Str("email", UniqueEmail()), Raw("name", c.raw), Str("password", "correct horse")}));
    ASSERT_EQ(r.status, 201) << r.body;
    auto user = ParseBody(r);
    ASSERT_TRUE(user);
    EXPECT_EQ(user->GetString("name"), c.want);
  }
  const std::string kBad[] = {
      "\"" + hundred_e + "\\u00e9\"",  // 101 characters
      "\"\\ud800\"",                   // a lone surrogate is not a character
      "\"x\\udc00y\"",
  };
  for (const std::string& raw : kBad) {
    SCOPED_TRACE(raw.substr(0, 40));
    EXPECT_TRUE(IsHouseError(Post(Obj({Str("email", UniqueEmail()), Raw("name", raw),
                                       Str("password", "correct horse")})),
                             400));
  }
}

TEST_F(SignUp, EmailKeepsItsCase) {
  std::string email = UniqueEmail("MixedCase");
  HttpResponse r = api().SignUp(email, "Ada", "correct horse");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(JsonString(r.body, "email"), email);
}

TEST_F(SignUp, PasswordLengthIsCountedInBytes) {
  struct Case {
    std::string password;
    bool ok;
  };
  const Case kCases[] = {
      {"1234567", false},
      {"xkq47zzm", true},
      {Repeat("\xC3\xA9", 3), false},  // 3 characters, 6 bytes
      {Repeat("\xC3\xA9", 4), true},   // 4 characters, 8 bytes
      {std::string(1024, 'p'), true},
      {std::string(1025, 'p'), false},
      {Repeat("\xC3\xA9", 513), false},  // 513 characters, 1026 bytes
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.password.size());
    HttpResponse r = api().SignUp(UniqueEmail(), "Ada", c.password);
    if (c.ok) {
      EXPECT_EQ(r.status, 201) << r.body;
    } else {
      EXPECT_TRUE(IsHouseErrorNaming(r, 400, "password"));
    }
  }
  EXPECT_TRUE(IsHouseErrorNaming(Post(Obj({Str("email", UniqueEmail()), Str("name", "Ada")})), 400,
                                 "password"));
  EXPECT_TRUE(IsHouseErrorNaming(
      Post(Obj({Str("email", UniqueEmail()), Str("name", "Ada"), Raw("password", "12345678")})),
      400, "password"));
}

TEST_F(SignUp, LongPasswordStillLogsIn) {
  std::string email = UniqueEmail();
  std::string password(1024, 'p');
  ASSERT_EQ(api().SignUp(email, "Ada", password).status, 201);
  EXPECT_EQ(api().Login(email, password).status, 200);
  EXPECT_EQ(api().Login(email, std::string(1023, 'p')).status, 401);
}

TEST_F(SignUp, UnknownFieldIs400NamingIt) {
  std::string body = Obj({Str("email", UniqueEmail()), Str("name", "Ada"),
                          Str("password", "correct horse"), Raw("foo", "1")});
  EXPECT_TRUE(IsHouseErrorNaming(Post(body), 400, "foo"));
}

TEST_F(SignUp, CannotChooseItsOwnRole) {
  std::string body = Obj({Str("email", UniqueEmail()), Str("name", "Ada"),
                          Str("password", "correct horse"), Str("role", "admin")});
  HttpResponse r = Post(body);
  if (r.status == 201) {
    auto user = ParseBody(r);
    ASSERT_TRUE(user);
    EXPECT_EQ(user->GetString("role"), "user") << "sign-up made an admin: " << r.body;
  } else {
    EXPECT_GE(r.status, 400) << r.body;
    EXPECT_LT(r.status, 500) << r.body;
  }
}

TEST_F(SignUp, BodyThatIsNotAJsonObjectIs400) {
  const std::string kBad[] = {
      "",
      "[]",
      "\"ada\"",
      "42",
      "null",
      "true",
      "{",
      "{\"email\":",
      "{\"email\":\"a@example.com\",}",
      "{} {}",
      "{'email':'a@example.com'}",
  };
  for (const std::string& body : kBad) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(IsHouseError(Post(body), 400));
  }
}

TEST_F(SignUp, NonJsonContentTypeIs415) {
  std::string body = Body(UniqueEmail(), "Ada", "correct horse");
  for (std::string_view ct : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    SCOPED_TRACE(ct);
    EXPECT_TRUE(IsHouseError(Post(body, ct), 415));
  }
}

TEST_F(SignUp, DuplicateEmailIs409WhateverItsCase) {
  std::string email = UniqueEmail("Grace");  // "Grace-N@example.com"
  ASSERT_EQ(api().SignUp(email, "Grace", "correct horse").status, 201);
  EXPECT_TRUE(IsHouseError(api().SignUp(email, "Other", "correct horse"), 409));
  std::string lower = email, upper = email;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(IsHouseError(api().SignUp(lower, "Other", "correct horse"), 409));
  EXPECT_TRUE(IsHouseError(api().SignUp(upper, "Other", "correct horse"), 409));
}

TEST_F(SignUp, ConcurrentSignUpsWithOneEmailCreateOneUser) {
  constexpr int kClients = 10;
  std::string request =
      JsonRequest("POST", "/api/users", Body(UniqueEmail(), "Ada", "pw-12345678"));
  // Connect everyone first, then send at once, so the requests overlap.
  std::vector<Connection> conns;
  for (int i = 0; i < kClients; ++i) {
    conns.push_back(server_->Connect());
    ASSERT_TRUE(conns.back().ok());
  }
  std::atomic<int> ready{0};
  std::vector<int> status(kClients, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kClients) std::this_thread::yield();
      if (!conns[i].SendAll(request)) return;
      auto r = conns[i].ReadResponse();
      if (r) status[i] = r->status;
    });
  }
  for (auto& t : threads) t.join();
  int created = 0, conflicts = 0;
  for (int s : status) {
    created += s == 201;
    conflicts += s == 409;
  }
  EXPECT_EQ(created, 1) << ::testing::PrintToString(status);
  EXPECT_EQ(conflicts, kClients - 1) << ::testing::PrintToString(status);
}

// Reading users: one shared server with an admin.
class GetUser : public SharedServerTest<GetUser> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }

 protected:
  static Api api() { return Api(*server_); }
};

TEST_F(GetUser, MeIsTheCaller) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = api().GetAs(ada->access_token, "/api/users/me");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(IsUserBody(r));
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetInt("id"), ada->id);
  EXPECT_EQ(user->GetString("email"), ada->email);
  EXPECT_EQ(user->GetString("name"), "Ada");
  EXPECT_EQ(user->GetString("role"), "user");
}

TEST_F(GetUser, SelfByIdHasTheSignUpETag) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = api().GetAs(ada->access_token, "/api/users/" + std::to_string(ada->id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(IsUserBody(r));
  ASSERT_FALSE(ada->etag.empty());
  EXPECT_EQ(r.Header("ETag"), ada->etag);
  HttpResponse me = api().GetAs(ada->access_token, "/api/users/me");
  EXPECT_EQ(me.body, r.body);
}

TEST_F(GetUser, HeadWorksLikeGet) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  std::string path = "/api/users/" + std::to_string(ada->id);
  HttpResponse get = api().GetAs(ada->access_token, path);
  ASSERT_EQ(get.status, 200) << get.body;
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Request("HEAD", path, {Bearer(ada->access_token)}) + Get("/healthz")));
  auto head = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head) << c.error();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_EQ(head->Header("ETag"), get.Header("ETag"));
  auto next = c.ReadResponse();  // would fail to parse had HEAD sent a body
  ASSERT_TRUE(next) << c.error();
  EXPECT_EQ(next->status, 200);
}

TEST_F(GetUser, SomeoneElseIs403) {
  auto ada = api().NewAccount("Ada");
  auto bob = api().NewAccount("Bob");
  ASSERT_TRUE(ada && bob);
  EXPECT_TRUE(
      IsHouseError(api().GetAs(ada->access_token, "/api/users/" + std::to_string(bob->id)), 403));
}

TEST_F(GetUser, AdminSeesAnyoneAnd404ForMissing) {
  auto admin = api().Admin();
  auto bob = api().NewAccount("Bob");
  ASSERT_TRUE(admin && bob);
  HttpResponse r = api().GetAs(admin->access_token, "/api/users/" + std::to_string(bob->id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(IsUserBody(r));
  EXPECT_TRUE(r.Header("ETag"));
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("email"), bob->email);
  EXPECT_TRUE(IsHouseError(api().GetAs(admin->access_token, "/api/users/999999"), 404));
}

TEST_F(GetUser, NonNumericOrOutOfRangeIdIs404Or400) {
  auto admin = api().Admin();
  ASSERT_TRUE(admin);
  for (std::string_view id : {"abc", "0", "-1", "1x", "99999999999999999999999"}) {
    SCOPED_TRACE(id);
    HttpResponse r = api().GetAs(admin->access_token, "/api/users/" + std::string(id));
    EXPECT_TRUE(r.status == 404 || r.status == 400) << r.status << " " << r.body;
    EXPECT_TRUE(IsHouseError(r, r.status));
  }
}

TEST_F(GetUser, FirstAdminComesFromTheEnvironment) {
  auto admin = api().Admin();
  ASSERT_TRUE(admin);
  HttpResponse me = api().GetAs(admin->access_token, "/api/users/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_TRUE(IsUserBody(me));
  auto user = ParseBody(me);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "Administrator");
  EXPECT_EQ(user->GetString("role"), "admin");
  EXPECT_EQ(user->GetString("email"), kAdminEmail);
}

}  // namespace
}  // namespace keel::integration
