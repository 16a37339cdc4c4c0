#include "api/authn.h"

#include <array>
#include <charconv>
#include <ctime>
#include <functional>
#include <string>

#include "api/api_worker.h"
#include "api/status_response.h"
#include "auth/auth_metrics.h"

namespace keel::api {
namespace {

}  // namespace

bool Authenticate(const http::Request& req, http::Response& res, const AppContext& app,
                  Caller* caller) {
  std::string_view header = req.Find("authorization");
  if (header.empty()) {
    SendUnauthorized(res, "this resource needs a bearer token", false);
    return false;
  }
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      !http::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    SendUnauthorized(res, "the Authorization header must be 'Bearer <token>'", true);
    return false;
  }
  auth::Claims claims;
  ApiWorker& worker = WorkerOf(req);
  core::Status s = worker.token_cache().Verify(app.tokens->ForThisThread(),
                                               header.substr(kScheme.size()), NowSeconds(), &claims);
  if (!s.ok()) {
    SendUnauthorized(res, s.message(), true);
    return false;
  }
  storage::UserRecord& user = worker.user_scratch();
  s = worker.reader(*app.store).GetUser(claims.sub, &user);
  if (!s.ok() || user.token_version != claims.ver) {
    if (!s.ok() && s.code() != core::Status::Code::kNotFound) {
      SendStatus(res, s);
      return false;
    }
    SendUnauthorized(res, "the token is no longer valid", true);
    return false;
  }
  caller->id = user.id;
  caller->admin = user.role == storage::kRoleAdmin;
  res.set_user_id(user.id);  // for the access log
  return true;
}

bool RequireSelfOrAdmin(const Caller& caller, uint64_t id, http::Response& res) {
  if (caller.id == id || caller.admin) return true;
  res.SendError(403, "you may only act on your own account");
  return false;
}

bool ParseUserId(const http::Request& req, http::Response& res, uint64_t* id) {
  std::string_view text = req.params.Get("id");
  auto r = std::from_chars(text.data(), text.data() + text.size(), *id);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || *id == 0) {
    res.SendError(404, "no such user");
    return false;
  }
  return true;
}

bool AuthorizeForUser(const http::Request& req, http::Response& res, const AppContext& app,
                      Caller* caller, uint64_t* id) {
  return Authenticate(req, res, app, caller) && ParseUserId(req, res, id) &&
         RequireSelfOrAdmin(*caller, *id, res);
}

}  // namespace keel::api
