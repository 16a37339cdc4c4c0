// GET /openapi.json: the checked-in api/openapi.json, served byte for byte
// with a strong ETag that answers If-None-Match with 304.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "test_server.h"

namespace keel::integration {
namespace {

// The document as checked in (tests/CMakeLists.txt defines its path).
std::string CheckedInDocument() {
  std::ifstream in(KEEL_OPENAPI_FILE, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class OpenApiRoute : public SharedServerTest<OpenApiRoute> {
 protected:
  static HttpResponse Fetch(std::string_view request, bool head = false) {
    std::string error;
    auto r = server_->RoundTrip(request, head, &error);
    EXPECT_TRUE(r) << error;
    return r.value_or(HttpResponse{});
  }
};

TEST_F(OpenApiRoute, ServesTheCheckedInDocument) {
  std::string expected = CheckedInDocument();
  ASSERT_FALSE(expected.empty()) << "cannot read " << KEEL_OPENAPI_FILE;
  HttpResponse r = Fetch(Get("/openapi.json"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_TRUE(r.body == expected) << "the served document differs from api/openapi.json";
  std::string etag = r.Header("ETag").value_or("");
  EXPECT_EQ(etag.size(), 34u) << etag;
  EXPECT_EQ(etag.substr(0, 1), "\"") << "a strong ETag has no W/ prefix: " << etag;
}

TEST_F(OpenApiRoute, IfNoneMatchWithTheEtagGets304) {
  std::string etag = Fetch(Get("/openapi.json")).Header("ETag").value_or("");
  ASSERT_FALSE(etag.empty());
  for (const std::string& value : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    HttpResponse r = Fetch(Get("/openapi.json", {"If-None-Match: " + value}));
    EXPECT_EQ(r.status, 304) << value;
    EXPECT_EQ(r.Header("ETag"), etag) << value;
    EXPECT_EQ(r.body, "") << value;
  }
  HttpResponse changed = Fetch(Get("/openapi.json", {"If-None-Match: \"0123\""}));
  EXPECT_EQ(changed.status, 200);
  EXPECT_FALSE(changed.body.empty());
}

TEST_F(OpenApiRoute, HeadHasTheHeadersWithoutTheBody) {
  HttpResponse get = Fetch(Get("/openapi.json"));
  HttpResponse head = Fetch(Request("HEAD", "/openapi.json"), /*head=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.Header("ETag"), get.Header("ETag"));
  EXPECT_EQ(head.body, "");
}

}  // namespace
}  // namespace keel::integration
