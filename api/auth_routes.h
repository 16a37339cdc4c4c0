// /api/auth: login, refresh-token rotation, logout (docs/api.md,
// "Authentication").
#pragma once

#include "api/app_context.h"
#include "http/router.h"

namespace keel::api {

// `app` must outlive the router.
void AddAuthRoutes(http::Router& router, const AppContext* app);

}  // namespace keel::api
