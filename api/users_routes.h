// /api/users: sign-up, reading, listing, replacing, patching, deleting
// users and changing passwords (docs/api.md, "Users").
#pragma once

#include "api/app_context.h"
#include "http/router.h"

namespace keel::api {

// `app` must outlive the router.
void AddUserRoutes(http::Router& router, const AppContext* app);

}  // namespace keel::api
