// api/openapi.json against the code: the router's table and the document's
// paths and methods must be the same set, both ways, and every error answer
// must use the house error schema.
#include "api/openapi.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "api/app_context.h"
#include "api/auth_routes.h"
#include "api/system_routes.h"
#include "api/users_routes.h"
#include "http/router.h"

namespace keel::api {
namespace {

constexpr std::string_view kOperationKeys[] = {"get",   "put",  "post",    "delete",
                                               "patch", "head", "options", "trace"};

bool IsOperationKey(std::string_view key) {
  for (std::string_view k : kOperationKeys)
    if (k == key) return true;
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "get /api/users/{id}" for every route keel registers, built exactly as
// main() builds it, with the optional --bench-endpoints routes on. The
// handlers are never called, so the context can stay empty.
std::set<std::string> RouterOperations() {
  SystemState state;
  AppContext app;
  http::Router router;
  AddSystemRoutes(router, &state, /*bench_endpoints=*/true);
  AddUserRoutes(router, &app);
  AddAuthRoutes(router, &app);
  std::set<std::string> ops;
  for (const http::Router::RouteInfo& r : router.Routes())
    ops.insert(Lower(http::MethodName(r.method)) + " " + std::string(r.pattern));
  return ops;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    simdjson::error_code err = parser_.parse(kOpenApiJson.data(), kOpenApiJson.size()).get(doc_);
    ASSERT_EQ(err, simdjson::SUCCESS) << "api/openapi.json: " << simdjson::error_message(err);
  }

  // Follows a local "$ref" ("#/components/responses/NotFound"); other
  // values come back as they are.
  simdjson::dom::element Resolve(simdjson::dom::element e) {
    std::string_view ref;
    if (e["$ref"].get(ref) != simdjson::SUCCESS) return e;
    EXPECT_EQ(ref.substr(0, 2), "#/") << ref;
    simdjson::dom::element target;
    EXPECT_EQ(doc_.at_pointer(ref.substr(1)).get(target), simdjson::SUCCESS) << ref;
    return target;
  }

  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
};

TEST_F(OpenApiTest, IsOpenApi31ForThisVersionWithBearerAuth) {
  std::string_view version;
  ASSERT_EQ(doc_["openapi"].get(version), simdjson::SUCCESS);
  EXPECT_EQ(version.substr(0, 4), "3.1.");
  std::string_view api_version;
  ASSERT_EQ(doc_.at_pointer("/info/version").get(api_version), simdjson::SUCCESS);
  EXPECT_EQ(api_version, KEEL_VERSION) << "info.version must follow the project version";
  std::string_view scheme;
  ASSERT_EQ(doc_.at_pointer("/components/securitySchemes/bearerAuth/scheme").get(scheme),
            simdjson::SUCCESS);
  EXPECT_EQ(scheme, "bearer");
}

TEST_F(OpenApiTest, DocumentsExactlyTheRoutersRoutes) {
  std::set<std::string> documented;
  simdjson::dom::object paths;
  ASSERT_EQ(doc_["paths"].get(paths), simdjson::SUCCESS);
  for (auto [path, item] : paths) {
    simdjson::dom::object ops;
    ASSERT_EQ(item.get(ops), simdjson::SUCCESS) << path;
    for (auto [key, op] : ops)
      if (IsOperationKey(key)) documented.insert(std::string(key) + " " + std::string(path));
  }
  std::set<std::string> routed = RouterOperations();
  ASSERT_FALSE(routed.empty());
  for (const std::string& op : routed)
    EXPECT_TRUE(documented.count(op)) << "routed but not in api/openapi.json: " << op;
  for (const std::string& op : documented)
    EXPECT_TRUE(routed.count(op)) << "in api/openapi.json but not routed: " << op;
}

// Every 4xx and 5xx is the house error format, and every operation that
// needs the bearer token says what happens without one (401).
TEST_F(OpenApiTest, ErrorsUseTheHouseSchemaAndBearerOperationsDocument401) {
  simdjson::dom::array global_security;
  ASSERT_EQ(doc_["security"].get(global_security), simdjson::SUCCESS);
  bool secured_by_default = global_security.size() > 0;
  simdjson::dom::object paths;
  ASSERT_EQ(doc_["paths"].get(paths), simdjson::SUCCESS);
  int errors_checked = 0;
  for (auto [path, item] : paths) {
    simdjson::dom::object ops;
    ASSERT_EQ(item.get(ops), simdjson::SUCCESS) << path;
    for (auto [method, op_value] : ops) {
      if (!IsOperationKey(method)) continue;
      std::string where = std::string(method) + " " + std::string(path);
      simdjson::dom::object op;
      ASSERT_EQ(op_value.get(op), simdjson::SUCCESS) << where;
      simdjson::dom::array security;
      bool secured = op["security"].get(security) == simdjson::SUCCESS ? security.size() > 0
                                                                       : secured_by_default;
      simdjson::dom::object responses;
      ASSERT_EQ(op["responses"].get(responses), simdjson::SUCCESS) << where;
      bool has_401 = false;
      for (auto [code, response] : responses) {
        if (code == "401") has_401 = true;
        if (code.empty() || code[0] < '4') continue;
        std::string_view schema;
        simdjson::dom::element resolved = Resolve(response);
        EXPECT_EQ(resolved.at_pointer("/content/application~1json/schema/$ref").get(schema),
                  simdjson::SUCCESS)
            << where << " " << code;
        EXPECT_EQ(schema, "#/components/schemas/Error") << where << " " << code;
        ++errors_checked;
      }
      if (secured) {
        EXPECT_TRUE(has_401) << where << " needs a bearer token but lists no 401";
      }
    }
  }
  EXPECT_GT(errors_checked, 0);
}

TEST(OpenApiEtag, IsAStrongQuotedHash) {
  ASSERT_EQ(kOpenApiEtag.size(), 34u);
  EXPECT_EQ(kOpenApiEtag.front(), '"');
  EXPECT_EQ(kOpenApiEtag.back(), '"');
  for (char c : kOpenApiEtag.substr(1, 32))
    EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c)));
}

}  // namespace
}  // namespace keel::api
