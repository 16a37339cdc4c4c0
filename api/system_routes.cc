#include "api/system_routes.h"

#include "api/openapi.h"
#include "core/json_writer.h"
#include "http/request.h"
#include "http/response.h"

namespace keel::api {

void AddSystemRoutes(http::Router& router, const SystemState* state, bool bench_endpoints) {
  using http::Method;
  using http::Request;
  using http::Response;

  router.Add(Method::kGet, "/healthz",
             [](Request&, Response& res) { res.SendJson(200, R"({"status":"ok"})"); });
  router.Add(Method::kGet, "/readyz", [state](Request&, Response& res) {
    if (state->ready.load(std::memory_order_relaxed)) {
      res.SendJson(200, R"({"status":"ready"})");
    } else {
      res.SendError(503, "the server is starting or draining");
    }
  });
  // The document is fixed for the life of the binary, so a client (or a
  // cache) that already has it gets a 304: the same If-None-Match reading
  // as for users, where W/"x" also matches "x" (weak comparison).
  router.Add(Method::kGet, "/openapi.json", [](Request& req, Response& res) {
    res.AddHeader("ETag", kOpenApiEtag);
    std::string_view if_none_match = req.Find("if-none-match");
    if (if_none_match == "*" || if_none_match.find(kOpenApiEtag) != std::string_view::npos) {
      res.SendEmpty(304);
      return;
    }
    res.Send(200, "application/json", kOpenApiJson);
  });
  if (!bench_endpoints) return;

  // TechEmpower test 6: a fixed body.
  router.Add(Method::kGet, "/plaintext",
             [](Request&, Response& res) { res.SendText(200, "Hello, World!"); });
  // TechEmpower test 1: the rules ask for the object to be serialized on
  // every request, so it is, into the reused scratch string.
  router.Add(Method::kGet, "/json", [](Request&, Response& res) {
    std::string& body = res.scratch();
    core::JsonWriter w(body);
    w.BeginObject();
    w.Key("message");
    w.String("Hello, World!");
    w.EndObject();
    res.SendJson(200, body);
  });
}

}  // namespace keel::api
