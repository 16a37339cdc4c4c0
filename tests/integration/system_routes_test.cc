// The system routes (/healthz, /readyz, bench endpoints), the common headers
// and the house error format, against the real binary.
#include <gtest/gtest.h>

#include "test_server.h"

namespace keel::integration {
namespace {

const char kJson[] = "application/json; charset=utf-8";

// Read-only tests share one server with default options.
class SystemRoutes : public SharedServerTest<SystemRoutes> {
 protected:
  static std::optional<HttpResponse> Fetch(std::string_view request, bool head = false) {
    std::string error;
    auto r = server_->RoundTrip(request, head, &error);
    EXPECT_TRUE(r) << error;
    return r;
  }
};

TEST_F(SystemRoutes, HealthzIsOk) {
  auto r = Fetch(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, "HTTP/1.1");
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->Header("Content-Type"), kJson);
  EXPECT_TRUE(HasCommonHeaders(*r));
}

TEST_F(SystemRoutes, ReadyzIsReady) {
  auto r = Fetch(Get("/readyz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ready"})");
  EXPECT_EQ(r->Header("Content-Type"), kJson);
  EXPECT_TRUE(HasCommonHeaders(*r));
}

TEST_F(SystemRoutes, QueryStringDoesNotChangeTheRoute) {
  auto r = Fetch(Get("/healthz?verbose=1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
}

TEST_F(SystemRoutes, HeadHasTheGetHeadersAndNoBody) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/healthz")));
  auto get = c.ReadResponse();
  ASSERT_TRUE(get) << c.error();
  ASSERT_TRUE(c.SendAll(Request("HEAD", "/healthz")));
  auto head = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head) << c.error();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get->body.size()));
  EXPECT_EQ(head->Header("Content-Type"), get->Header("Content-Type"));
  EXPECT_TRUE(HasCommonHeaders(*head, /*head_request=*/true));
  // Had the HEAD answer carried body bytes, they would now be read as the
  // start of this response and fail to parse.
  ASSERT_TRUE(c.SendAll(Get("/readyz")));
  auto next = c.ReadResponse();
  ASSERT_TRUE(next) << c.error();
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, R"({"status":"ready"})");
}

TEST_F(SystemRoutes, UnknownPathIs404HouseError) {
  auto r = Fetch(Get("/nope"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 404));
}

TEST_F(SystemRoutes, HeadOfUnknownPathIs404WithoutBody) {
  Connection c = server_->Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Request("HEAD", "/nope") + Get("/healthz")));
  auto head = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head) << c.error();
  EXPECT_EQ(head->status, 404);
  EXPECT_TRUE(HasCommonHeaders(*head, /*head_request=*/true));
  auto next = c.ReadResponse();
  ASSERT_TRUE(next) << c.error();
  EXPECT_EQ(next->status, 200);
}

TEST_F(SystemRoutes, WrongMethodIs405WithAllow) {
  for (const char* method : {"POST", "DELETE", "PUT"}) {
    SCOPED_TRACE(method);
    auto r = Fetch(Request(method, "/healthz", {}, ""));
    ASSERT_TRUE(r);
    EXPECT_TRUE(IsHouseError(*r, 405));
    auto allow = r->Header("Allow");
    EXPECT_TRUE(HeaderHasToken(allow, "GET")) << allow.value_or("<no Allow>");
    EXPECT_TRUE(HeaderHasToken(allow, "HEAD")) << allow.value_or("<no Allow>");
    EXPECT_FALSE(HeaderHasToken(allow, method)) << allow.value_or("<no Allow>");
  }
}

TEST_F(SystemRoutes, ReadyzWrongMethodIs405) {
  auto r = Fetch(Request("POST", "/readyz", {}, ""));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 405));
  EXPECT_TRUE(HeaderHasToken(r->Header("Allow"), "GET"));
}

TEST_F(SystemRoutes, OptionsWithoutCorsIs204WithAllow) {
  auto r = Fetch(Request("OPTIONS", "/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  auto allow = r->Header("Allow");
  EXPECT_TRUE(HeaderHasToken(allow, "GET")) << allow.value_or("<no Allow>");
  EXPECT_TRUE(HeaderHasToken(allow, "HEAD")) << allow.value_or("<no Allow>");
  EXPECT_FALSE(r->Header("Access-Control-Allow-Origin"));
  EXPECT_TRUE(HasCommonHeaders(*r));
}

TEST_F(SystemRoutes, BenchEndpointsAreOffByDefault) {
  for (const char* path : {"/plaintext", "/json"}) {
    SCOPED_TRACE(path);
    auto r = Fetch(Get(path));
    ASSERT_TRUE(r);
    EXPECT_TRUE(IsHouseError(*r, 404));
  }
}

TEST(BenchEndpoints, ServePlaintextAndJson) {
  TestServer server({"--bench-endpoints"});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll(Get("/plaintext") + Get("/json")));

  auto text = c.ReadResponse();
  ASSERT_TRUE(text) << c.error();
  EXPECT_EQ(text->status, 200);
  EXPECT_EQ(text->body, "Hello, World!");
  EXPECT_EQ(text->Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(HasCommonHeaders(*text));

  auto json = c.ReadResponse();
  ASSERT_TRUE(json) << c.error();
  EXPECT_EQ(json->status, 200);
  EXPECT_EQ(json->body, R"({"message":"Hello, World!"})");
  auto ct = json->Header("Content-Type");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->rfind("application/json", 0), 0u) << *ct;
  EXPECT_TRUE(HasCommonHeaders(*json));
}

}  // namespace
}  // namespace keel::integration
