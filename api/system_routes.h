// The system endpoints: /healthz, /readyz, /openapi.json (api/openapi.h)
// and, with --bench-endpoints, the TechEmpower /plaintext and /json tests.
#pragma once

#include <atomic>

#include "http/router.h"

namespace keel::api {

struct SystemState {
  // False while starting and once draining: /readyz answers 503.
  std::atomic<bool> ready{false};
};

// `state` must outlive the router.
void AddSystemRoutes(http::Router& router, const SystemState* state, bool bench_endpoints);

}  // namespace keel::api
