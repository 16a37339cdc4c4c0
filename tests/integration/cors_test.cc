// CORS with one allowed origin given by --cors-origin.
#include <gtest/gtest.h>

#include "test_server.h"

namespace keel::integration {
namespace {

const char kAllowed[] = "https://app.example.com";
const char kOther[] = "https://evil.example.net";

class Cors : public SharedServerTest<Cors> {
 public:
  static ServerOptions Options() { return {.args = {"--cors-origin", kAllowed}}; }

 protected:
  static std::string Preflight(std::string_view origin, std::string_view method = "GET") {
    return Request("OPTIONS", "/healthz",
                   {"Origin: " + std::string(origin),
                    "Access-Control-Request-Method: " + std::string(method)});
  }
};

TEST_F(Cors, PreflightFromAllowedOrigin) {
  auto r = server_->RoundTrip(Preflight(kAllowed));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->Header("Access-Control-Allow-Origin"), kAllowed);
  auto methods = r->Header("Access-Control-Allow-Methods");
  EXPECT_TRUE(HeaderHasToken(methods, "GET")) << methods.value_or("<none>");
  auto max_age = r->Header("Access-Control-Max-Age");
  ASSERT_TRUE(max_age);
  EXPECT_GT(std::atoi(max_age->c_str()), 0) << *max_age;
  EXPECT_TRUE(HeaderHasToken(r->Header("Vary"), "Origin"))
      << "Vary: " << r->Header("Vary").value_or("<none>");
  EXPECT_TRUE(HasCommonHeaders(*r));
}

TEST_F(Cors, GetFromAllowedOriginIsAllowed) {
  auto r = server_->RoundTrip(Get("/healthz", {std::string("Origin: ") + kAllowed}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->Header("Access-Control-Allow-Origin"), kAllowed);
  EXPECT_TRUE(HeaderHasToken(r->Header("Vary"), "Origin"))
      << "Vary: " << r->Header("Vary").value_or("<none>");
}

TEST_F(Cors, GetFromUnknownOriginIsNotAllowed) {
  auto r = server_->RoundTrip(Get("/healthz", {std::string("Origin: ") + kOther}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->Header("Access-Control-Allow-Origin"))
      << *r->Header("Access-Control-Allow-Origin");
  EXPECT_TRUE(HeaderHasToken(r->Header("Vary"), "Origin"))
      << "Vary: " << r->Header("Vary").value_or("<none>");
}

TEST_F(Cors, LookalikeOriginIsNotAllowed) {
  // Prefix and suffix matches must not count.
  for (const char* origin :
       {"https://app.example.com.evil.net", "https://app.example.co", "http://app.example.com"}) {
    SCOPED_TRACE(origin);
    auto r = server_->RoundTrip(Get("/healthz", {std::string("Origin: ") + origin}));
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->Header("Access-Control-Allow-Origin"));
  }
}

TEST_F(Cors, PreflightFromUnknownOriginIs403) {
  auto r = server_->RoundTrip(Preflight(kOther));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 403));
  EXPECT_FALSE(r->Header("Access-Control-Allow-Origin"));
}

TEST_F(Cors, RequestWithoutOriginGetsNoCorsHeaders) {
  auto r = server_->RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->Header("Access-Control-Allow-Origin"));
}

TEST(CorsOff, NoOriginIsAllowedWithoutTheOption) {
  TestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/healthz", {std::string("Origin: ") + kAllowed}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->Header("Access-Control-Allow-Origin"));
}

}  // namespace
}  // namespace keel::integration
