#include "http/router.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "http/response.h"

namespace keel::http {
namespace {

using Kind = Router::Match::Kind;

// Builds a router whose handlers record a tag, so a test can tell which
// route a Find picked by running the returned handler.
class RouterTest : public ::testing::Test {
 protected:
  void Add(Method m, std::string_view pattern, std::string tag) {
    router_.Add(m, pattern, [this, tag](Request&, Response&) { ran_ = tag; });
  }

  // Runs the matched handler and returns its tag; "" if nothing matched.
  std::string Run(const Router::Match& match) {
    ran_.clear();
    if (match.handler == nullptr) return "";
    Request req;
    Response resp;
    (*match.handler)(req, resp);
    return ran_;
  }

  // The tag of the handler Find picks, or "<404>" / "<405>".
  std::string Tag(Method m, std::string_view path) {
    Router::Match match = router_.Find(m, path, params_);
    switch (match.kind) {
      case Kind::kFound:
        return Run(match);
      case Kind::kNotFound:
        return "<404>";
      case Kind::kMethodNotAllowed:
        return "<405>";
    }
    return "<?>";
  }

  Router router_;
  PathParams params_;
  std::string ran_;
};

TEST_F(RouterTest, FindsStaticRoutes) {
  Add(Method::kGet, "/healthz", "health");
  Add(Method::kGet, "/api/users", "list");
  Add(Method::kPost, "/api/users", "create");
  Add(Method::kGet, "/", "root");

  EXPECT_EQ(Tag(Method::kGet, "/healthz"), "health");
  EXPECT_EQ(Tag(Method::kGet, "/api/users"), "list");
  EXPECT_EQ(Tag(Method::kPost, "/api/users"), "create");
  EXPECT_EQ(Tag(Method::kGet, "/"), "root");
  EXPECT_EQ(params_.size(), 0u);
}

TEST_F(RouterTest, UnknownPathsAreNotFound) {
  Add(Method::kGet, "/api/users", "list");

  for (std::string_view path : {"/api", "/api/user", "/api/users/x", "/api/usersx", "/", "",
                                "api/users", "*", "/API/users"}) {
    Router::Match match = router_.Find(Method::kGet, path, params_);
    EXPECT_EQ(match.kind, Kind::kNotFound) << path;
    EXPECT_EQ(match.handler, nullptr) << path;
    EXPECT_EQ(match.allow, "") << path;
    EXPECT_EQ(router_.AllowFor(path), "") << path;
  }
}

TEST_F(RouterTest, CapturesParams) {
  Add(Method::kPut, "/api/users/{id}/password", "password");
  std::string path = "/api/users/42/password";

  Router::Match match = router_.Find(Method::kPut, path, params_);
  ASSERT_EQ(match.kind, Kind::kFound);
  EXPECT_EQ(Run(match), "password");
  ASSERT_EQ(params_.size(), 1u);
  EXPECT_EQ(params_[0].name, "id");
  EXPECT_EQ(params_.Get("id"), "42");
  // The value is a view into the path, not a copy.
  EXPECT_EQ(params_.Get("id").data(), path.data() + 11);
}

TEST_F(RouterTest, ParamsAreRawAndNotDecoded) {
  Add(Method::kGet, "/files/{name}", "file");

  EXPECT_EQ(Tag(Method::kGet, "/files/a%2Fb"), "file");
  EXPECT_EQ(params_.Get("name"), "a%2Fb");
  EXPECT_EQ(Tag(Method::kGet, "/files/a/b"), "<404>");
}

TEST_F(RouterTest, LiteralBeatsParamAtSameLevel) {
  Add(Method::kGet, "/api/users/{id}", "by-id");
  Add(Method::kGet, "/api/users/me", "me");

  EXPECT_EQ(Tag(Method::kGet, "/api/users/me"), "me");
  EXPECT_EQ(params_.size(), 0u);
  EXPECT_EQ(Tag(Method::kGet, "/api/users/7"), "by-id");
  EXPECT_EQ(params_.Get("id"), "7");
  EXPECT_EQ(Tag(Method::kGet, "/api/users/mee"), "by-id");
}

TEST_F(RouterTest, FallsBackToParamWhenLiteralBranchDeadEnds) {
  Add(Method::kGet, "/a/me/x", "literal");
  Add(Method::kGet, "/a/{id}/y", "param");

  EXPECT_EQ(Tag(Method::kGet, "/a/me/x"), "literal");
  EXPECT_EQ(Tag(Method::kGet, "/a/me/y"), "param");
  EXPECT_EQ(params_.Get("id"), "me");
  EXPECT_EQ(Tag(Method::kGet, "/a/me"), "<404>");
}

TEST_F(RouterTest, LiteralPathOwnsItsMethods) {
  // The most specific pattern owns the path; a method only the parameter
  // route has is 405 there, with the literal route's Allow.
  Add(Method::kGet, "/api/users/me", "me");
  Add(Method::kDelete, "/api/users/{id}", "delete");

  Router::Match match = router_.Find(Method::kDelete, "/api/users/me", params_);
  EXPECT_EQ(match.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD");
  EXPECT_EQ(Tag(Method::kDelete, "/api/users/5"), "delete");
}

TEST_F(RouterTest, Returns405WithAllow) {
  Add(Method::kDelete, "/api/users/{id}", "delete");
  Add(Method::kPatch, "/api/users/{id}", "patch");
  Add(Method::kGet, "/api/users/{id}", "get");
  Add(Method::kPut, "/api/users/{id}", "put");

  Router::Match match = router_.Find(Method::kPost, "/api/users/3", params_);
  EXPECT_EQ(match.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.allow, "GET, HEAD, PUT, PATCH, DELETE");
  EXPECT_EQ(params_.size(), 0u);

  match = router_.Find(Method::kGet, "/api/users/3", params_);
  EXPECT_EQ(match.kind, Kind::kFound);
  EXPECT_EQ(match.allow, "GET, HEAD, PUT, PATCH, DELETE");
}

TEST_F(RouterTest, AllowStringForSingleMethods) {
  Add(Method::kPost, "/api/auth/login", "login");
  Add(Method::kHead, "/ping", "ping-head");

  EXPECT_EQ(router_.AllowFor("/api/auth/login"), "POST");
  EXPECT_EQ(router_.AllowFor("/ping"), "HEAD");
  EXPECT_EQ(router_.Find(Method::kGet, "/ping", params_).kind, Kind::kMethodNotAllowed);
}

TEST_F(RouterTest, OptionsIsNotListedAndNotRouted) {
  Add(Method::kGet, "/healthz", "health");

  Router::Match match = router_.Find(Method::kOptions, "/healthz", params_);
  EXPECT_EQ(match.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD");
  EXPECT_EQ(router_.AllowFor("/healthz"), "GET, HEAD");
}

TEST_F(RouterTest, UnknownMethodOnKnownPathIs405) {
  Add(Method::kGet, "/healthz", "health");

  Router::Match match = router_.Find(Method::kOther, "/healthz", params_);
  EXPECT_EQ(match.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD");
  EXPECT_EQ(router_.Find(Method::kOther, "/nope", params_).kind, Kind::kNotFound);
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  Add(Method::kGet, "/api/users/{id}", "get");

  EXPECT_EQ(Tag(Method::kHead, "/api/users/9"), "get");
  EXPECT_EQ(params_.Get("id"), "9");
}

TEST_F(RouterTest, ExplicitHeadWinsWhicheverIsAddedFirst) {
  Add(Method::kGet, "/a", "get-a");
  Add(Method::kHead, "/a", "head-a");
  Add(Method::kHead, "/b", "head-b");
  Add(Method::kGet, "/b", "get-b");

  EXPECT_EQ(Tag(Method::kHead, "/a"), "head-a");
  EXPECT_EQ(Tag(Method::kGet, "/a"), "get-a");
  EXPECT_EQ(Tag(Method::kHead, "/b"), "head-b");
  EXPECT_EQ(Tag(Method::kGet, "/b"), "get-b");
  EXPECT_EQ(router_.AllowFor("/a"), "GET, HEAD");
  EXPECT_EQ(router_.AllowFor("/b"), "GET, HEAD");
}

TEST_F(RouterTest, TrailingSlashIsSignificant) {
  Add(Method::kGet, "/healthz", "health");
  Add(Method::kGet, "/dir/", "dir");

  EXPECT_EQ(Tag(Method::kGet, "/healthz/"), "<404>");
  EXPECT_EQ(Tag(Method::kGet, "/dir/"), "dir");
  EXPECT_EQ(Tag(Method::kGet, "/dir"), "<404>");
  EXPECT_EQ(router_.AllowFor("/healthz/"), "");
}

TEST_F(RouterTest, EmptySegmentsNeverMatchParams) {
  Add(Method::kGet, "/api/users/{id}", "get");
  Add(Method::kGet, "/x/{a}/y", "xy");

  EXPECT_EQ(Tag(Method::kGet, "/api/users/"), "<404>");
  EXPECT_EQ(Tag(Method::kGet, "/api//users/1"), "<404>");
  EXPECT_EQ(Tag(Method::kGet, "//api/users/1"), "<404>");
  EXPECT_EQ(Tag(Method::kGet, "/x//y"), "<404>");
  EXPECT_EQ(Tag(Method::kGet, "/x/1/y"), "xy");
}

TEST_F(RouterTest, CapturesManyParams) {
  Add(Method::kGet, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", "eight");
  Add(Method::kGet, "/orgs/{org}/teams/{team}/members/{member}", "member");

  EXPECT_EQ(Tag(Method::kGet, "/1/2/3/4/5/6/7/8"), "eight");
  ASSERT_EQ(params_.size(), PathParams::kMax);
  const char* names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
  for (size_t i = 0; i < PathParams::kMax; ++i) {
    EXPECT_EQ(params_[i].name, names[i]);
    EXPECT_EQ(params_[i].value, std::string(1, static_cast<char>('1' + i)));
  }

  EXPECT_EQ(Tag(Method::kGet, "/orgs/acme/teams/core/members/ann"), "member");
  ASSERT_EQ(params_.size(), 3u);
  EXPECT_EQ(params_.Get("org"), "acme");
  EXPECT_EQ(params_.Get("team"), "core");
  EXPECT_EQ(params_.Get("member"), "ann");
}

TEST_F(RouterTest, ParamNamesComeFromTheMatchedPattern) {
  Add(Method::kGet, "/things/{id}", "get");
  Add(Method::kDelete, "/things/{thing}", "delete");

  EXPECT_EQ(Tag(Method::kGet, "/things/1"), "get");
  EXPECT_EQ(params_.Get("id"), "1");
  EXPECT_EQ(Tag(Method::kDelete, "/things/2"), "delete");
  EXPECT_EQ(params_.Get("thing"), "2");
  EXPECT_EQ(params_.Get("id"), "");
}

TEST_F(RouterTest, FindClearsStaleParams) {
  Add(Method::kGet, "/u/{id}", "get");
  params_.Push("stale", "x");

  EXPECT_EQ(Tag(Method::kGet, "/nope"), "<404>");
  EXPECT_EQ(params_.size(), 0u);
}

TEST_F(RouterTest, RouteAddedLaterAtSameNode) {
  Add(Method::kGet, "/api/users/{id}", "get");
  Add(Method::kGet, "/api/users/me", "me");
  EXPECT_EQ(router_.AllowFor("/api/users/1"), "GET, HEAD");
  EXPECT_EQ(router_.AllowFor("/api/users/me"), "GET, HEAD");

  // New methods and new siblings after the first lookups.
  Add(Method::kDelete, "/api/users/{id}", "delete");
  Add(Method::kPost, "/api/users/{id}", "post");
  Add(Method::kPatch, "/api/users/me", "patch-me");
  Add(Method::kGet, "/api/users/{id}/sessions", "sessions");
  Add(Method::kGet, "/api/users", "list");

  EXPECT_EQ(router_.AllowFor("/api/users/1"), "GET, HEAD, POST, DELETE");
  EXPECT_EQ(router_.AllowFor("/api/users/me"), "GET, HEAD, PATCH");
  EXPECT_EQ(Tag(Method::kGet, "/api/users/1"), "get");
  EXPECT_EQ(Tag(Method::kDelete, "/api/users/1"), "delete");
  EXPECT_EQ(Tag(Method::kPost, "/api/users/1"), "post");
  EXPECT_EQ(Tag(Method::kPatch, "/api/users/me"), "patch-me");
  EXPECT_EQ(Tag(Method::kGet, "/api/users/me"), "me");
  EXPECT_EQ(Tag(Method::kGet, "/api/users/me/sessions"), "sessions");
  EXPECT_EQ(params_.Get("id"), "me");
  EXPECT_EQ(Tag(Method::kGet, "/api/users"), "list");
}

TEST_F(RouterTest, HandlersSurviveMove) {
  Add(Method::kGet, "/a/{x}", "a");
  const Router::Handler* before = router_.Find(Method::kGet, "/a/1", params_).handler;

  Router moved = std::move(router_);
  Router::Match match = moved.Find(Method::kGet, "/a/1", params_);
  EXPECT_EQ(match.handler, before);
  EXPECT_EQ(Run(match), "a");
  EXPECT_EQ(match.allow, "GET, HEAD");
}

TEST_F(RouterTest, RoutesListsEveryRegistrationInOrder) {
  EXPECT_TRUE(router_.Routes().empty());
  Add(Method::kGet, "/api/users/{id}", "get");
  Add(Method::kPost, "/api/users", "create");
  Add(Method::kHead, "/healthz", "head");
  Add(Method::kDelete, "/api/users/{id}", "delete");

  std::vector<Router::RouteInfo> routes = router_.Routes();
  ASSERT_EQ(routes.size(), 4u);  // GET's implicit HEAD is not a registration
  EXPECT_EQ(routes[0].method, Method::kGet);
  EXPECT_EQ(routes[0].pattern, "/api/users/{id}");
  EXPECT_EQ(routes[1].method, Method::kPost);
  EXPECT_EQ(routes[1].pattern, "/api/users");
  EXPECT_EQ(routes[2].method, Method::kHead);
  EXPECT_EQ(routes[2].pattern, "/healthz");
  EXPECT_EQ(routes[3].method, Method::kDelete);
  EXPECT_EQ(routes[3].pattern, "/api/users/{id}");
}

using RouterDeathTest = RouterTest;

TEST_F(RouterDeathTest, DuplicateRouteAborts) {
  Add(Method::kGet, "/api/users/{id}", "get");
  Add(Method::kHead, "/api/users/{id}", "head");
  EXPECT_DEATH(Add(Method::kGet, "/api/users/{id}", "again"), "already added");
  EXPECT_DEATH(Add(Method::kGet, "/api/users/{other}", "renamed"), "already added");
  EXPECT_DEATH(Add(Method::kHead, "/api/users/{id}", "again"), "already added");
}

TEST_F(RouterDeathTest, BadPatternsAbort) {
  EXPECT_DEATH(Add(Method::kGet, "api", "x"), "start with '/'");
  EXPECT_DEATH(Add(Method::kGet, "", "x"), "start with '/'");
  EXPECT_DEATH(Add(Method::kGet, "/a/{}", "x"), "whole");
  EXPECT_DEATH(Add(Method::kGet, "/a/{id}.json", "x"), "whole");
  EXPECT_DEATH(Add(Method::kGet, "/a/id}", "x"), "whole");
  EXPECT_DEATH(Add(Method::kGet, "/a/{i{d}", "x"), "braces");
  EXPECT_DEATH(Add(Method::kGet, "/{id}/{id}", "x"), "twice");
  EXPECT_DEATH(Add(Method::kGet, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", "x"), "too many");
  EXPECT_DEATH(Add(Method::kOptions, "/a", "x"), "OPTIONS");
  EXPECT_DEATH(Add(Method::kOther, "/a", "x"), "unknown method");
}

}  // namespace
}  // namespace keel::http

namespace keel::http {
namespace {

// The route template comes back with every match that found a pattern, so
// metrics and the access log can say "/api/users/{id}" instead of the path.
TEST(RouterRoute, MatchNamesThePatternAndItsId) {
  Router r;
  r.Add(Method::kGet, "/api/users/{id}", [](Request&, Response&) {});
  r.Add(Method::kPatch, "/api/users/{other}", [](Request&, Response&) {});  // same pattern
  r.Add(Method::kGet, "/api/users/me", [](Request&, Response&) {});
  PathParams params;
  EXPECT_EQ(r.route_count(), 3u);  // "unmatched", then two distinct patterns
  Router::Match m = r.Find(Method::kGet, "/api/users/42", params);
  EXPECT_EQ(m.route, "/api/users/{id}");
  EXPECT_EQ(r.route_name(m.route_id), "/api/users/{id}");
  m = r.Find(Method::kPatch, "/api/users/42", params);
  EXPECT_EQ(m.route, "/api/users/{id}");  // the first spelling is kept
  m = r.Find(Method::kDelete, "/api/users/42", params);
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.route, "/api/users/{id}");
  m = r.Find(Method::kGet, "/api/users/me", params);
  EXPECT_EQ(m.route, "/api/users/me");
  EXPECT_NE(m.route_id, 0u);
  m = r.Find(Method::kGet, "/nowhere", params);
  EXPECT_EQ(m.kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(m.route, "unmatched");
  EXPECT_EQ(m.route_id, 0u);
  EXPECT_EQ(r.route_name(0), "unmatched");
  // OPTIONS has no handlers: it resolves to the owner with its Allow list.
  m = r.Find(Method::kOptions, "/api/users/7", params);
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, PATCH");
}

}  // namespace
}  // namespace keel::http
