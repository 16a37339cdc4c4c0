// The bearer-token check in front of every protected resource.
#pragma once

#include <cstdint>
#include <string>

#include "api/app_context.h"
#include "http/request.h"
#include "http/response.h"

namespace keel::api {

struct Caller {
  uint64_t id = 0;
  bool admin = false;
};

// Verifies `Authorization: Bearer <jwt>` (signature, alg, kid, issuer,
// audience, time) and then the user behind it: it must still exist and the
// token's version must be the user's current one, so a password change or a
// revocation ends older tokens at once. The role comes from the store, not
// the token, so a demotion takes effect immediately too. On failure answers 401 (with
// WWW-Authenticate) and returns false. Loop thread (uses the thread's reader).
bool Authenticate(const http::Request& req, http::Response& res, const AppContext& app,
                  Caller* caller);

// The guard of every /api/users/{id} route: Authenticate, then the {id}
// parameter (ParseUserId), then self or admin (RequireSelfOrAdmin). Returns
// false after the first of them has answered.
bool AuthorizeForUser(const http::Request& req, http::Response& res, const AppContext& app,
                      Caller* caller, uint64_t* id);

// Self or admin, else 403. Returns false after answering.
bool RequireSelfOrAdmin(const Caller& caller, uint64_t id, http::Response& res);

// The {id} path parameter; answers 404 and returns false unless it is a
// positive decimal integer.
bool ParseUserId(const http::Request& req, http::Response& res, uint64_t* id);

}  // namespace keel::api
