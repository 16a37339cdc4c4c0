// GET /api/users: admin only, id order, ?limit= and ?after= paging with
// Link headers (see docs/api.md, Paging).
#include <gtest/gtest.h>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

// One server holding the admin and kSignUps users, made once for the suite;
// the tests here only read.
class ListUsers : public SharedServerTest<ListUsers> {
 public:
  static ServerOptions Options() { return {.args = CheapHashArgs(), .env = AdminEnv()}; }
  static constexpr int kSignUps = 54;
  static constexpr int kTotal = kSignUps + 1;  // and the admin

 protected:
  static Api api() { return Api(*server_); }

  void SetUp() override {
    SharedServerTest::SetUp();
    if (admin_token_.empty()) {
      for (int i = 0; i < kSignUps; ++i) {
        HttpResponse r = api().SignUp(UniqueEmail("list"), "Lister", "correct horse");
        ASSERT_EQ(r.status, 201) << r.body;
      }
      auto admin = api().Admin();
      ASSERT_TRUE(admin);
      admin_token_ = admin->access_token;
    }
  }
  static void TearDownTestSuite() {
    admin_token_.clear();
    SharedServerTest::TearDownTestSuite();
  }

  // The ids in a page's array body.
  static std::vector<int64_t> Ids(const HttpResponse& r) {
    std::vector<int64_t> ids;
    auto body = ParseBody(r);
    if (!body || !body->is_array()) {
      ADD_FAILURE() << "not an array: " << r.body;
      return ids;
    }
    for (const JsonValue& u : body->items()) {
      EXPECT_TRUE(IsUserJson(u));
      ids.push_back(u.GetInt("id").value_or(0));
    }
    return ids;
  }

  static inline std::string admin_token_;
};

TEST_F(ListUsers, IsForAdminsOnly) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_TRUE(IsHouseError(api().GetAs(ada->access_token, "/api/users"), 403));
  HttpResponse anon = api().GetAs("", "/api/users");
  EXPECT_TRUE(IsHouseError(anon, 401));
  ASSERT_EQ(api().DeleteAs(ada->access_token, "/api/users/" + std::to_string(ada->id)).status, 204);
}

TEST_F(ListUsers, AllUsersInIdOrderWithoutLink) {
  HttpResponse r = api().GetAs(admin_token_, "/api/users?limit=1000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  std::string lower = r.body;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("password"), std::string::npos);
  EXPECT_EQ(lower.find("hash"), std::string::npos);
  std::vector<int64_t> ids = Ids(r);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTotal));
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
  EXPECT_FALSE(r.Header("Link")) << *r.Header("Link");
}

TEST_F(ListUsers, DefaultLimitIs50) {
  HttpResponse r = api().GetAs(admin_token_, "/api/users");
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<int64_t> first = Ids(r);
  EXPECT_EQ(first.size(), 50u);
  auto next = NextLink(r);
  ASSERT_TRUE(next) << "Link: " << r.Header("Link").value_or("<none>");
  HttpResponse rest = api().GetAs(admin_token_, *next);
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(Ids(rest).size(), static_cast<size_t>(kTotal - 50));
  EXPECT_FALSE(rest.Header("Link"));
}

TEST_F(ListUsers, LinkHeadersWalkEveryPage) {
  HttpResponse all = api().GetAs(admin_token_, "/api/users?limit=1000");
  ASSERT_EQ(all.status, 200);
  std::vector<int64_t> want = Ids(all);

  std::vector<int64_t> got;
  std::string path = "/api/users?limit=2";
  for (int page = 0; page < kTotal; ++page) {
    SCOPED_TRACE(path);
    HttpResponse r = api().GetAs(admin_token_, path);
    ASSERT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids = Ids(r);
    ASSERT_FALSE(ids.empty());
    ASSERT_LE(ids.size(), 2u);
    got.insert(got.end(), ids.begin(), ids.end());
    if (got.size() == want.size()) {
      EXPECT_FALSE(r.Header("Link")) << "last page has Link: " << *r.Header("Link");
      break;
    }
    EXPECT_EQ(ids.size(), 2u);
    EXPECT_EQ(r.Header("Link"),
              "</api/users?limit=2&after=" + std::to_string(ids.back()) + ">; rel=\"next\"");
    auto next = NextLink(r);
    ASSERT_TRUE(next);
    path = *next;
  }
  EXPECT_EQ(got, want);
}

TEST_F(ListUsers, NoLinkWhenTheLastPageIsFull) {
  static_assert(kTotal % 5 == 0, "the last page of 5 must be full");
  auto users = api().ListAll(admin_token_, 5);
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), static_cast<size_t>(kTotal));
}

TEST_F(ListUsers, AfterIsAnExclusiveCursor) {
  HttpResponse all = api().GetAs(admin_token_, "/api/users?limit=1000");
  std::vector<int64_t> ids = Ids(all);
  ASSERT_GT(ids.size(), 14u);
  HttpResponse r =
      api().GetAs(admin_token_, "/api/users?after=" + std::to_string(ids[9]) + "&limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(r), std::vector<int64_t>(ids.begin() + 10, ids.begin() + 13));

  HttpResponse past = api().GetAs(admin_token_, "/api/users?after=" + std::to_string(ids.back()));
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_EQ(past.body, "[]");
  EXPECT_FALSE(past.Header("Link"));
}

TEST_F(ListUsers, BadLimitOrCursorIs400) {
  for (std::string_view query : {"limit=0", "limit=1001", "limit=abc", "limit=-1",
                                 "limit=", "limit=2x", "after=abc", "after=-5"}) {
    SCOPED_TRACE(query);
    EXPECT_TRUE(IsHouseError(api().GetAs(admin_token_, "/api/users?" + std::string(query)), 400));
  }
  HttpResponse max = api().GetAs(admin_token_, "/api/users?limit=1000");
  EXPECT_EQ(max.status, 200);
}

}  // namespace
}  // namespace keel::integration
