// GET /metrics: the Prometheus text format (0.0.4), served only on the
// --metrics-listen listener's own router, never on the public port.
//
// Families: keel_http_* (http/http_metrics.h), keel_store_*
// (storage/store_metrics.h), keel_logins_total, keel_refreshes_total,
// keel_token_cache_*, keel_password_hash_* (auth/auth_metrics.h),
// keel_access_log_*, process_* (core/process_metrics.h) and
// keel_build_info{version,commit}.
#pragma once

#include <string>

#include "http/access_log.h"
#include "http/router.h"
#include "http/server.h"
#include "storage/store.h"

namespace keel::api {

// What a scrape reads. Everything must outlive the metrics listener; any
// pointer may be null (its families are left out).
struct MetricsSources {
  const http::Server* server = nullptr;
  storage::Store* store = nullptr;
  const http::AccessLog* access_log = nullptr;
};

// The whole exposition, as GET /metrics answers it. Any thread.
std::string RenderMetrics(const MetricsSources& sources);

void AddMetricsRoutes(http::Router& router, const MetricsSources* sources);

}  // namespace keel::api
