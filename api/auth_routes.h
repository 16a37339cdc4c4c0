// /api/auth: login, refresh-token rotation, logout (docs/api.md,
// "Authentication"), and GET /.well-known/jwks.json: the public keys that
// verify access tokens (a JWK Set; 404 when tokens are HS256, which has no
// public key).
#pragma once

#include "api/app_context.h"
#include "http/router.h"

namespace keel::api {

// `app` must outlive the router.
void AddAuthRoutes(http::Router& router, const AppContext* app);

}  // namespace keel::api
