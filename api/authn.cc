#include "api/authn.h"

#include <array>
#include <charconv>
#include <ctime>
#include <functional>
#include <string>

#include "api/status_response.h"
#include "auth/auth_metrics.h"

namespace keel::api {
namespace {

// A client sends the same access token with every request until it
// expires, so each worker remembers the last tokens it verified and skips
// the MAC and the claims parsing for them (about half the cost of an
// authenticated GET). Only tokens that passed Verify are kept, matched on
// every byte; their times are checked on each use, and the token version
// is still compared with the store by the caller, so a cached token stops
// working exactly when an uncached one would. Direct-mapped: a collision
// just evicts.
struct CachedToken {
  std::string token;
  auth::Claims claims;
};

core::Status VerifyCached(const auth::JwtCodec& jwt, std::string_view token, auth::Claims* claims) {
  constexpr size_t kSlots = 256;
  thread_local std::array<CachedToken, kSlots> cache;
  int64_t now = NowSeconds();
  CachedToken& slot = cache[std::hash<std::string_view>{}(token) % kSlots];
  bool hit = !slot.token.empty() && slot.token == token;
  auth::CountTokenCache(hit);
  if (hit) {
    if (core::Status s = jwt.CheckTimes(slot.claims, now); !s.ok()) return s;
    *claims = slot.claims;
    return core::Status::Ok();
  }
  core::Status s = jwt.Verify(token, now, claims);
  if (s.ok()) {
    slot.token.assign(token);
    slot.claims = *claims;
  }
  return s;
}

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
  core::Status s = VerifyCached(*app.jwt, header.substr(kScheme.size()), &claims);
  if (!s.ok()) {
    SendUnauthorized(res, s.message(), true);
    return false;
  }
  // Reused per thread: checking a token then allocates nothing once warm.
  thread_local storage::UserRecord user;
  s = ThreadReader(*app.store).GetUser(claims.sub, &user);
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
