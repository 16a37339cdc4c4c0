#include "api/system_routes.h"

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
