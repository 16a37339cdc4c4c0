// The OpenAPI 3.1 description of every route: api/openapi.json, compiled
// into the binary by CMake (api/CMakeLists.txt) and served at
// GET /openapi.json (api/system_routes.cc). tests/api/openapi_test.cc keeps
// its paths and methods equal to the router's table; tests/api/
// openapi_lint.sh lints it with Redocly.
#pragma once

#include <string_view>

namespace keel::api {

// The document, byte for byte as checked in. Static storage: valid for the
// whole run, readable from any thread.
extern const std::string_view kOpenApiJson;
// Its strong ETag, quoted: the first 32 hex digits of the document's
// SHA-256, so it changes exactly when the document does.
extern const std::string_view kOpenApiEtag;

}  // namespace keel::api
