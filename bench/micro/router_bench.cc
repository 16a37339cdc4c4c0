// Routing: Router::Find over Keel's real route table (system, users and
// auth routes), for a path with a parameter, a literal path and a miss.
#include <benchmark/benchmark.h>

#include <string_view>

#include "api/app_context.h"
#include "api/auth_routes.h"
#include "api/system_routes.h"
#include "api/users_routes.h"
#include "bench/micro/alloc_counter.h"
#include "http/method.h"
#include "http/request.h"
#include "http/router.h"

namespace keel::api {
namespace {

using Kind = http::Router::Match::Kind;

// The table `keel --bench-endpoints` serves. Find never calls a handler,
// so the handlers may capture an AppContext with nothing in it.
const http::Router& RealRouter() {
  static const AppContext app;
  static const SystemState system;
  static const http::Router router = [] {
    http::Router r;
    AddSystemRoutes(r, &system, /*bench_endpoints=*/true);
    AddUserRoutes(r, &app);
    AddAuthRoutes(r, &app);
    return r;
  }();
  return router;
}

void BM_RouterFind(benchmark::State& state, http::Method method, std::string_view path,
                   Kind expected) {
  const http::Router& router = RealRouter();
  http::PathParams params;
  if (router.Find(method, path, params).kind != expected) {
    state.SkipWithError("the route table does not answer as expected");
    return;
  }
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(path);
    http::Router::Match m = router.Find(method, path, params);
    benchmark::DoNotOptimize(m);
    benchmark::DoNotOptimize(params);
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_RouterFind, user_by_id, http::Method::kGet, "/api/users/123", Kind::kFound);
BENCHMARK_CAPTURE(BM_RouterFind, healthz, http::Method::kGet, "/healthz", Kind::kFound);
BENCHMARK_CAPTURE(BM_RouterFind, not_found, http::Method::kGet, "/api/orders/123/items",
                  Kind::kNotFound);

}  // namespace
}  // namespace keel::api
