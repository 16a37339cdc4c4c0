// PUT, PATCH and DELETE /api/users/{id} and PUT /api/users/{id}/password,
// against the real binary (see docs/api.md, Users).
#include <gtest/gtest.h>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

constexpr char kMergePatch[] = "application/merge-patch+json";

// One shared server with an admin; every test makes its own users.
class UpdateUser : public SharedServerTest<UpdateUser> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }

 protected:
  static Api api() { return Api(*server_); }
  static std::string Path(const Account& a) { return "/api/users/" + std::to_string(a.id); }
  static HttpResponse Put(const Account& as, const Account& target, std::string_view body,
                          std::vector<std::string> extra = {}) {
    return api().SendJsonAs(as.access_token, "PUT", Path(target), body, std::move(extra));
  }
  static HttpResponse Patch(const Account& as, const Account& target, std::string_view body,
                            std::vector<std::string> extra = {},
                            std::string_view content_type = kMergePatch) {
    return api().SendJsonAs(as.access_token, "PATCH", Path(target), body, std::move(extra),
                            content_type);
  }
  static HttpResponse SetPassword(const Account& as, const Account& target, std::string_view body) {
    return api().SendJsonAs(as.access_token, "PUT", Path(target) + "/password", body);
  }
  // The user as its owner sees it now.
  static std::optional<JsonValue> Fetch(const Account& a) {
    HttpResponse r = api().GetAs(a.access_token, Path(a));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? ParseBody(r) : std::nullopt;
  }
};

// --- PUT ----------------------------------------------------------------

TEST_F(UpdateUser, PutReplacesEmailAndNameWithANewETag) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  std::string email = UniqueEmail("lovelace");
  HttpResponse r = Put(*ada, *ada, Obj({Str("email", email), Str("name", "Ada Lovelace")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(IsUserBody(r));
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetInt("id"), ada->id);
  EXPECT_EQ(user->GetString("email"), email);
  EXPECT_EQ(user->GetString("name"), "Ada Lovelace");
  EXPECT_EQ(user->GetString("role"), "user");
  auto etag = r.Header("ETag");
  ASSERT_TRUE(etag);
  EXPECT_NE(*etag, ada->etag);

  HttpResponse get = api().GetAs(ada->access_token, Path(*ada));
  EXPECT_EQ(get.body, r.body);
  EXPECT_EQ(get.Header("ETag"), etag);
  // The new email signs in; the old one is free.
  EXPECT_EQ(api().Login(email, ada->password).status, 200);
  EXPECT_EQ(api().Login(ada->email, ada->password).status, 401);
}

TEST_F(UpdateUser, PutNeedsEmailAndName) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_TRUE(IsHouseErrorNaming(Put(*ada, *ada, Obj({Str("name", "Ada")})), 400, "email"));
  EXPECT_TRUE(IsHouseErrorNaming(Put(*ada, *ada, Obj({Str("email", UniqueEmail())})), 400, "name"));
  EXPECT_TRUE(IsHouseErrorNaming(
      Put(*ada, *ada, Obj({Str("email", "not-an-email"), Str("name", "Ada")})), 400, "email"));
  EXPECT_TRUE(IsHouseErrorNaming(
      Put(*ada, *ada, Obj({Str("email", UniqueEmail()), Str("name", std::string(101, 'n'))})), 400,
      "name"));
  EXPECT_TRUE(IsHouseErrorNaming(
      Put(*ada, *ada, Obj({Str("email", UniqueEmail()), Str("name", "Ada"), Raw("foo", "1")})), 400,
      "foo"));
  auto user = Fetch(*ada);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("email"), ada->email);
}

TEST_F(UpdateUser, PutCannotSetThePassword) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r =
      Put(*ada, *ada,
          Obj({Str("email", ada->email), Str("name", "Ada"), Str("password", "a-new-password")}));
  EXPECT_TRUE(IsHouseError(r, 400));
  EXPECT_EQ(api().Login(ada->email, "a-new-password").status, 401);
}

TEST_F(UpdateUser, PutToATakenEmailIs409) {
  auto ada = api().NewAccount("Ada");
  auto bob = api().NewAccount("Bob");
  ASSERT_TRUE(ada && bob);
  EXPECT_TRUE(
      IsHouseError(Put(*ada, *ada, Obj({Str("email", bob->email), Str("name", "Ada")})), 409));
  std::string upper = bob->email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(IsHouseError(Put(*ada, *ada, Obj({Str("email", upper), Str("name", "Ada")})), 409));
  // Keeping one's own email (in another case) is no conflict.
  std::string own = ada->email;
  for (char& c : own) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Put(*ada, *ada, Obj({Str("email", own), Str("name", "Ada")})).status, 200);
}

TEST_F(UpdateUser, PutOnSomeoneElseIs403AndAdminMay) {
  auto ada = api().NewAccount("Ada");
  auto bob = api().NewAccount("Bob");
  auto admin = api().Admin();
  ASSERT_TRUE(ada && bob && admin);
  EXPECT_TRUE(
      IsHouseError(Put(*ada, *bob, Obj({Str("email", bob->email), Str("name", "Hacked")})), 403));
  auto user = Fetch(*bob);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "Bob");
  HttpResponse r = Put(*admin, *bob, Obj({Str("email", bob->email), Str("name", "Robert")}));
  ASSERT_EQ(r.status, 200) << r.body;
  user = Fetch(*bob);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "Robert");
}

TEST_F(UpdateUser, AdminPutOnAMissingUserIs404) {
  auto admin = api().Admin();
  ASSERT_TRUE(admin);
  HttpResponse r = api().SendJsonAs(admin->access_token, "PUT", "/api/users/999999",
                                    Obj({Str("email", UniqueEmail()), Str("name", "Nobody")}));
  EXPECT_TRUE(IsHouseError(r, 404));
}

TEST_F(UpdateUser, OnlyAnAdminSetsTheRole) {
  auto ada = api().NewAccount("Ada");
  auto admin = api().Admin();
  ASSERT_TRUE(ada && admin);
  std::string body = Obj({Str("email", ada->email), Str("name", "Ada"), Str("role", "admin")});
  EXPECT_TRUE(IsHouseError(Put(*ada, *ada, body), 403));
  auto user = Fetch(*ada);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("role"), "user");

  EXPECT_TRUE(IsHouseErrorNaming(
      Put(*admin, *ada, Obj({Str("email", ada->email), Str("name", "Ada"), Str("role", "root")})),
      400, "role"));
  HttpResponse r = Put(*admin, *ada, body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto promoted = ParseBody(r);
  ASSERT_TRUE(promoted);
  EXPECT_EQ(promoted->GetString("role"), "admin");
  // A fresh login carries the new role: the user list is open to it.
  auto tokens = api().LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(api().GetAs(tokens->access_token, "/api/users?limit=1").status, 200);
}

TEST_F(UpdateUser, PutHonoursIfMatch) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  ASSERT_FALSE(ada->etag.empty());
  HttpResponse first = Put(*ada, *ada, Obj({Str("email", ada->email), Str("name", "First")}),
                           {"If-Match: " + ada->etag});
  ASSERT_EQ(first.status, 200) << first.body;
  // ada->etag is now stale.
  HttpResponse stale = Put(*ada, *ada, Obj({Str("email", ada->email), Str("name", "Second")}),
                           {"If-Match: " + ada->etag});
  EXPECT_TRUE(IsHouseError(stale, 412));
  auto user = Fetch(*ada);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "First");
  auto current = first.Header("ETag");
  ASSERT_TRUE(current);
  EXPECT_EQ(Put(*ada, *ada, Obj({Str("email", ada->email), Str("name", "Third")}),
                {"If-Match: " + *current})
                .status,
            200);
}

// --- PATCH --------------------------------------------------------------

TEST_F(UpdateUser, PatchChangesOnlyTheGivenMember) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = Patch(*ada, *ada, Obj({Str("name", "New")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(IsUserBody(r));
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "New");
  EXPECT_EQ(user->GetString("email"), ada->email);
  EXPECT_EQ(user->GetString("role"), "user");
  auto etag = r.Header("ETag");
  ASSERT_TRUE(etag);
  EXPECT_NE(*etag, ada->etag);

  std::string email = UniqueEmail("patched");
  r = Patch(*ada, *ada, Obj({Str("email", email)}), {}, "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("email"), email);
  EXPECT_EQ(user->GetString("name"), "New");
}

TEST_F(UpdateUser, PatchCannotRemoveARequiredMember) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_TRUE(IsHouseErrorNaming(Patch(*ada, *ada, Obj({Raw("name", "null")})), 400, "name"));
  EXPECT_TRUE(IsHouseErrorNaming(Patch(*ada, *ada, Obj({Raw("email", "null")})), 400, "email"));
  EXPECT_TRUE(IsHouseErrorNaming(Patch(*ada, *ada, Obj({Str("name", "")})), 400, "name"));
  EXPECT_TRUE(IsHouseErrorNaming(Patch(*ada, *ada, Obj({Raw("bar", "1")})), 400, "bar"));
  EXPECT_TRUE(IsHouseError(Patch(*ada, *ada, "[]"), 400));
  auto user = Fetch(*ada);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "Ada");
}

TEST_F(UpdateUser, PatchNeedsAJsonContentType) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_TRUE(IsHouseError(Patch(*ada, *ada, Obj({Str("name", "New")}), {}, "text/plain"), 415));
}

TEST_F(UpdateUser, PatchHonoursIfMatch) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse ok = Patch(*ada, *ada, Obj({Str("name", "One")}), {"If-Match: " + ada->etag});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(
      IsHouseError(Patch(*ada, *ada, Obj({Str("name", "Two")}), {"If-Match: " + ada->etag}), 412));
  auto user = Fetch(*ada);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("name"), "One");
}

TEST_F(UpdateUser, PatchRoleIsForAdmins) {
  auto ada = api().NewAccount("Ada");
  auto admin = api().Admin();
  ASSERT_TRUE(ada && admin);
  EXPECT_TRUE(IsHouseError(Patch(*ada, *ada, Obj({Str("role", "admin")})), 403));
  HttpResponse r = Patch(*admin, *ada, Obj({Str("role", "admin")}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->GetString("role"), "admin");
  EXPECT_EQ(user->GetString("name"), "Ada");
}

// --- DELETE -------------------------------------------------------------

TEST_F(UpdateUser, DeleteSelfEndsEverything) {
  auto ada = api().NewAccount("Ada");
  auto admin = api().Admin();
  ASSERT_TRUE(ada && admin);
  HttpResponse r = api().DeleteAs(ada->access_token, Path(*ada));
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_TRUE(IsHouseError(api().GetAs(admin->access_token, Path(*ada)), 404));
  HttpResponse me = api().GetAs(ada->access_token, "/api/users/me");
  EXPECT_TRUE(IsHouseError(me, 401));
  EXPECT_TRUE(IsHouseError(api().Refresh(ada->refresh_token), 401));
  EXPECT_TRUE(IsHouseError(api().Login(ada->email, ada->password), 401));
}

TEST_F(UpdateUser, DeletedEmailCanSignUpAgainWithANewId) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  ASSERT_EQ(api().DeleteAs(ada->access_token, Path(*ada)).status, 204);
  HttpResponse r = api().SignUp(ada->email, "Ada again", ada->password);
  ASSERT_EQ(r.status, 201) << r.body;
  auto user = ParseBody(r);
  ASSERT_TRUE(user);
  EXPECT_GT(user->GetInt("id").value_or(0), ada->id);
}

TEST_F(UpdateUser, DeleteSomeoneElseIs403AndAdminMay) {
  auto ada = api().NewAccount("Ada");
  auto bob = api().NewAccount("Bob");
  auto admin = api().Admin();
  ASSERT_TRUE(ada && bob && admin);
  EXPECT_TRUE(IsHouseError(api().DeleteAs(ada->access_token, Path(*bob)), 403));
  EXPECT_EQ(api().GetAs(bob->access_token, "/api/users/me").status, 200);
  EXPECT_EQ(api().DeleteAs(admin->access_token, Path(*bob)).status, 204);
  EXPECT_TRUE(IsHouseError(api().GetAs(admin->access_token, Path(*bob)), 404));
  EXPECT_TRUE(IsHouseError(api().GetAs(bob->access_token, "/api/users/me"), 401));
  EXPECT_TRUE(IsHouseError(api().DeleteAs(admin->access_token, Path(*bob)), 404));
}

// --- Password -----------------------------------------------------------

TEST_F(UpdateUser, PasswordChangeEndsOldTokens) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  // A second session, from another login, must end too.
  auto other = api().LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(other);
  HttpResponse r = SetPassword(
      *ada, *ada,
      Obj({Str("current_password", ada->password), Str("new_password", "brand-new-password")}));
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_TRUE(IsHouseError(api().GetAs(ada->access_token, "/api/users/me"), 401));
  EXPECT_TRUE(IsHouseError(api().GetAs(other->access_token, "/api/users/me"), 401));
  EXPECT_TRUE(IsHouseError(api().Refresh(ada->refresh_token), 401));
  EXPECT_TRUE(IsHouseError(api().Refresh(other->refresh_token), 401));
  EXPECT_TRUE(IsHouseError(api().Login(ada->email, ada->password), 401));
  auto fresh = api().LoginTokens(ada->email, "brand-new-password");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(api().GetAs(fresh->access_token, "/api/users/me").status, 200);
}

TEST_F(UpdateUser, WrongCurrentPasswordIs401AndChangesNothing) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = SetPassword(*ada, *ada,
                               Obj({Str("current_password", "not-the-password"),
                                    Str("new_password", "brand-new-password")}));
  EXPECT_TRUE(IsHouseError(r, 401));
  EXPECT_EQ(api().GetAs(ada->access_token, "/api/users/me").status, 200);
  EXPECT_EQ(api().Login(ada->email, ada->password).status, 200);
  EXPECT_EQ(api().Login(ada->email, "brand-new-password").status, 401);
}

TEST_F(UpdateUser, SelfNeedsTheCurrentPassword) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  HttpResponse r = SetPassword(*ada, *ada, Obj({Str("new_password", "brand-new-password")}));
  EXPECT_GE(r.status, 400) << r.body;
  EXPECT_LT(r.status, 500) << r.body;
  EXPECT_EQ(api().Login(ada->email, ada->password).status, 200);
}

TEST_F(UpdateUser, NewPasswordIsValidated) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_TRUE(IsHouseErrorNaming(
      SetPassword(*ada, *ada,
                  Obj({Str("current_password", ada->password), Str("new_password", "short")})),
      400, "password"));
  EXPECT_TRUE(IsHouseErrorNaming(SetPassword(*ada, *ada,
                                             Obj({Str("current_password", ada->password),
                                                  Str("new_password", std::string(1025, 'p'))})),
                                 400, "password"));
  EXPECT_EQ(api().Login(ada->email, ada->password).status, 200);
}

TEST_F(UpdateUser, AdminSetsAnotherUsersPassword) {
  auto bob = api().NewAccount("Bob");
  auto admin = api().Admin();
  ASSERT_TRUE(bob && admin);
  HttpResponse r = SetPassword(*admin, *bob, Obj({Str("new_password", "set-by-the-admin")}));
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(IsHouseError(api().GetAs(bob->access_token, "/api/users/me"), 401));
  EXPECT_TRUE(IsHouseError(api().Refresh(bob->refresh_token), 401));
  EXPECT_EQ(api().Login(bob->email, bob->password).status, 401);
  EXPECT_EQ(api().Login(bob->email, "set-by-the-admin").status, 200);
  // The admin's own session is untouched.
  EXPECT_EQ(api().GetAs(admin->access_token, "/api/users/me").status, 200);
}

TEST_F(UpdateUser, SomeoneElsesPasswordIs403) {
  auto ada = api().NewAccount("Ada");
  auto bob = api().NewAccount("Bob");
  ASSERT_TRUE(ada && bob);
  HttpResponse r = SetPassword(
      *ada, *bob,
      Obj({Str("current_password", bob->password), Str("new_password", "stolen-password")}));
  EXPECT_TRUE(IsHouseError(r, 403));
  EXPECT_EQ(api().Login(bob->email, bob->password).status, 200);
}

}  // namespace
}  // namespace keel::integration
