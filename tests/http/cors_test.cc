#include "http/cors.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace keel::http {
namespace {

constexpr std::string_view kApp = "https://app.example.com";
constexpr std::string_view kLocal = "http://localhost:3000";

CorsPolicy TwoOrigins() { return CorsPolicy({std::string(kApp), std::string(kLocal)}, 600); }

bool Has(std::string_view block, std::string_view line) {
  return block.find(line) != std::string_view::npos;
}

TEST(CorsPolicy, DisabledAddsNothing) {
  CorsPolicy cors({});
  EXPECT_FALSE(cors.enabled());
  EXPECT_EQ(cors.ResponseHeaders(""), "");
  EXPECT_EQ(cors.ResponseHeaders(kApp), "");
  std::string_view block = "x";
  EXPECT_FALSE(cors.Preflight(kApp, "GET", "", block));
  EXPECT_EQ(block, "");
}

TEST(CorsPolicy, AllowedOriginGetsAllowOriginExposeAndVary) {
  CorsPolicy cors = TwoOrigins();
  EXPECT_TRUE(cors.enabled());
  EXPECT_EQ(cors.ResponseHeaders(kApp),
            "Access-Control-Allow-Origin: https://app.example.com\r\n"
            "Access-Control-Expose-Headers: ETag, Location, Link, Retry-After\r\n"
            "Vary: Origin\r\n");
  EXPECT_TRUE(
      Has(cors.ResponseHeaders(kLocal), "Access-Control-Allow-Origin: http://localhost:3000\r\n"));
}

TEST(CorsPolicy, UnknownOrAbsentOriginGetsOnlyVary) {
  CorsPolicy cors = TwoOrigins();
  EXPECT_EQ(cors.ResponseHeaders(""), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("https://evil.example.com"), "Vary: Origin\r\n");
  // Exact comparison: case, trailing slash, port and scheme all matter.
  EXPECT_EQ(cors.ResponseHeaders("https://APP.example.com"), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("https://app.example.com/"), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("http://app.example.com"), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("https://app.example.com:8443"), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("https://app.example.co"), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("null"), "Vary: Origin\r\n");
}

TEST(CorsPolicy, VaryPresentOnEveryEnabledAnswer) {
  CorsPolicy cors = TwoOrigins();
  for (std::string_view origin : {std::string_view(""), kApp, kLocal, std::string_view("x")}) {
    EXPECT_TRUE(Has(cors.ResponseHeaders(origin), "Vary: Origin\r\n")) << origin;
  }
  std::string_view block;
  ASSERT_TRUE(cors.Preflight(kApp, "DELETE", "", block));
  EXPECT_TRUE(Has(block, "Vary: Origin\r\n"));
}

TEST(CorsPolicy, ResponseHeadersPointIntoThePolicy) {
  CorsPolicy cors = TwoOrigins();
  std::string origin(kApp);  // a copy, as if from the request buffer
  std::string_view a = cors.ResponseHeaders(origin);
  origin.assign("overwritten-request-buffer");
  EXPECT_EQ(cors.ResponseHeaders(kApp).data(), a.data());
  EXPECT_TRUE(Has(a, "https://app.example.com"));
}

TEST(CorsPolicy, InvalidAndDuplicateOriginsAreSkipped) {
  CorsPolicy cors({"*", "null", "https://a.example.com\r\nX-Evil: 1", "https://a.example.com",
                   "https://a.example.com"});
  EXPECT_TRUE(cors.enabled());
  EXPECT_TRUE(Has(cors.ResponseHeaders("https://a.example.com"), "Allow-Origin"));
  EXPECT_EQ(cors.ResponseHeaders("*"), "Vary: Origin\r\n");
  EXPECT_EQ(cors.ResponseHeaders("null"), "Vary: Origin\r\n");
  EXPECT_FALSE(CorsPolicy({"*", "null"}).enabled());
}

TEST(CorsPolicy, PreflightAllowedBlock) {
  CorsPolicy cors({std::string(kApp)}, 1234);
  std::string_view block;
  ASSERT_TRUE(cors.Preflight(kApp, "PUT", "content-type,authorization", block));
  EXPECT_EQ(block,
            "Access-Control-Allow-Origin: https://app.example.com\r\n"
            "Access-Control-Allow-Methods: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n"
            "Access-Control-Allow-Headers: Authorization, Content-Type, If-Match, "
            "If-None-Match\r\n"
            "Access-Control-Max-Age: 1234\r\n"
            "Vary: Origin\r\n");
}

TEST(CorsPolicy, PreflightMaxAgeDefaultAndNegative) {
  std::string_view block;  // points into the policy: keep it alive
  CorsPolicy by_default({std::string(kApp)});
  ASSERT_TRUE(by_default.Preflight(kApp, "GET", "", block));
  EXPECT_TRUE(Has(block, "Access-Control-Max-Age: 600\r\n"));
  CorsPolicy negative({std::string(kApp)}, -5);
  ASSERT_TRUE(negative.Preflight(kApp, "GET", "", block));
  EXPECT_TRUE(Has(block, "Access-Control-Max-Age: 0\r\n"));
}

TEST(CorsPolicy, PreflightEveryListedMethodAllowed) {
  CorsPolicy cors = TwoOrigins();
  std::string_view block;
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    EXPECT_TRUE(cors.Preflight(kApp, m, "", block)) << m;
  }
}

TEST(CorsPolicy, PreflightDeniedByMethod) {
  CorsPolicy cors = TwoOrigins();
  std::string_view block = "x";
  EXPECT_FALSE(cors.Preflight(kApp, "TRACE", "", block));
  EXPECT_EQ(block, "");
  EXPECT_FALSE(cors.Preflight(kApp, "CONNECT", "", block));
  EXPECT_FALSE(cors.Preflight(kApp, "", "", block));
  // Method tokens are case-sensitive, and browsers upper-case only the
  // standard ones: "patch" is not "PATCH".
  EXPECT_FALSE(cors.Preflight(kApp, "patch", "", block));
  // A substring of the list is not a member of it.
  EXPECT_FALSE(cors.Preflight(kApp, "GET, HEAD", "", block));
  EXPECT_FALSE(cors.Preflight(kApp, "ET", "", block));
}

TEST(CorsPolicy, PreflightDeniedByOrigin) {
  CorsPolicy cors = TwoOrigins();
  std::string_view block = "x";
  EXPECT_FALSE(cors.Preflight("https://evil.example.com", "GET", "", block));
  EXPECT_EQ(block, "");
  EXPECT_FALSE(cors.Preflight("", "GET", "", block));
}

TEST(CorsPolicy, PreflightDeniedByHeader) {
  CorsPolicy cors = TwoOrigins();
  std::string_view block = "x";
  EXPECT_FALSE(cors.Preflight(kApp, "POST", "x-requested-with", block));
  EXPECT_EQ(block, "");
  EXPECT_FALSE(cors.Preflight(kApp, "POST", "authorization,x-custom", block));
  EXPECT_FALSE(cors.Preflight(kApp, "POST", "content-type, cookie", block));
  EXPECT_FALSE(cors.Preflight(kApp, "POST", "if-match-extra", block));
  EXPECT_FALSE(cors.Preflight(kApp, "POST", "content type", block));
}

TEST(CorsPolicy, PreflightHeaderListParsing) {
  CorsPolicy cors = TwoOrigins();
  std::string_view block;
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", "", block));
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", "authorization", block));
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", "Authorization", block));
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", "AUTHORIZATION,CONTENT-TYPE", block));
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", "  If-Match ,\tif-none-match\t, content-Type ", block));
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", "authorization,,content-type,", block));
  EXPECT_TRUE(cors.Preflight(kApp, "PATCH", " , ", block));
  EXPECT_TRUE(Has(block, "Access-Control-Allow-Methods"));
}

TEST(CorsPolicy, IsPreflight) {
  EXPECT_TRUE(CorsPolicy::IsPreflight(Method::kOptions, kApp, "PUT"));
  EXPECT_FALSE(CorsPolicy::IsPreflight(Method::kOptions, "", "PUT"));
  EXPECT_FALSE(CorsPolicy::IsPreflight(Method::kOptions, kApp, ""));
  EXPECT_FALSE(CorsPolicy::IsPreflight(Method::kPut, kApp, "PUT"));
}

TEST(CorsPolicy, ValidateOriginAcceptsSerializedOrigins) {
  for (std::string_view o :
       {"https://app.example.com", "http://localhost:3000", "http://127.0.0.1", "http://[::1]:8080",
        "https://xn--bcher-kva.example", "http://a:0", "chrome-extension://abcdefghij"}) {
    EXPECT_TRUE(CorsPolicy::ValidateOrigin(o).ok()) << o;
  }
}

TEST(CorsPolicy, ValidateOriginRejectsWhatNoBrowserSends) {
  for (std::string_view o :
       {"", "*", "null", "app.example.com", "https://", "https://app.example.com/",
        "https://app.example.com/path", "https://app.example.com?q", "HTTPS://app.example.com",
        "https://App.example.com", "https://app.example.com:", "https://app.example.com:65536",
        "https://app.example.com:08080", "https://app.example.com:443", "http://localhost:80",
        "https://a b.com", "https://a.com\r\nX: y", "http://[::1", "http://[::G]"}) {
    core::Status s = CorsPolicy::ValidateOrigin(o);
    EXPECT_FALSE(s.ok()) << o;
    EXPECT_EQ(s.code(), core::Status::Code::kInvalidArgument) << o;
  }
  EXPECT_NE(CorsPolicy::ValidateOrigin("https://a.com/").message().find("trailing slash"),
            std::string::npos);
}

}  // namespace
}  // namespace keel::http
