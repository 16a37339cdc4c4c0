#include "api/metrics_routes.h"

#include "auth/auth_metrics.h"
#include "core/metrics.h"
#include "core/process_metrics.h"
#include "http/request.h"
#include "http/response.h"
#include "storage/store_metrics.h"

#ifndef KEEL_COMMIT
#define KEEL_COMMIT "unknown"
#endif

namespace keel::api {

std::string RenderMetrics(const MetricsSources& s) {
  std::string out;
  out.reserve(64 * 1024);
  if (s.server != nullptr) s.server->AppendMetrics(out);
  if (s.store != nullptr) storage::AppendStoreMetrics(out, *s.store);
  auth::AppendAuthMetrics(out, s.server != nullptr ? s.server->offload_in_flight() : 0);
  core::PromText p(out);
  if (s.access_log != nullptr) {
    p.Family("keel_access_log_dropped_total", "counter",
             "Access log lines dropped because the sink did not keep up.");
    p.Sample("keel_access_log_dropped_total", {}, s.access_log->dropped());
  }
  core::AppendProcessMetrics(out);
  p.Family("keel_build_info", "gauge", "Always 1; the labels say which build runs.");
  p.Sample("keel_build_info", {{"version", KEEL_VERSION}, {"commit", KEEL_COMMIT}}, uint64_t{1});
  return out;
}

void AddMetricsRoutes(http::Router& router, const MetricsSources* sources) {
  router.Add(http::Method::kGet, "/metrics", [sources](http::Request&, http::Response& res) {
    std::string& body = res.scratch();
    body = RenderMetrics(*sources);
    res.Send(200, "text/plain; version=0.0.4; charset=utf-8", body);
  });
}

}  // namespace keel::api
