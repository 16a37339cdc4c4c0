#include "api/users_routes.h"

#include <charconv>
#include <ctime>
#include <memory>
#include <string>

#include "api/authn.h"
#include "api/api_worker.h"
#include "api/status_response.h"
#include "api/user_json.h"
#include "api/user_ops.h"
#include "api/validation.h"
#include "api/write_then.h"
#include "core/ascii.h"
#include "core/log.h"
#include "core/system_limits.h"

namespace keel::api {
namespace {

using core::Status;
using http::Method;
using http::Request;
using http::Response;

void SendUser(Response& res, int status, const std::string& json, uint64_t revision) {
  char etag[24];
  res.AddHeader("ETag", FormatEtag(revision, etag));
  res.SendJson(status, json);
}

// If-Match (RFC 9110 section 13.1.1): "*" or a list of strong ETags. Returns
// false when the header is present and does not match `revision`.
bool IfMatchAllows(std::string_view header, uint64_t revision) {
  if (header.empty()) return true;
  char buf[24];
  std::string_view etag = FormatEtag(revision, buf);
  // ForEachListElement returns false when the callback stopped at a match.
  return !core::ForEachListElement(header,
                                   [&](std::string_view item) { return item != "*" && item != etag; });
}

bool IfNoneMatchHits(std::string_view header, uint64_t revision) {
  if (header.empty()) return false;
  char buf[24];
  std::string_view etag = FormatEtag(revision, buf);
  return header == "*" || header.find(etag) != std::string_view::npos;
}

void SignUp(const AppContext& app, Request& req, Response& res) {
  // Anonymous and costly (a hash each): limited per client address before
  // anything else is done.
  if (app.signup_limiter != nullptr && app.signup_limiter->enabled()) {
    http::RateLimiter::Decision d =
        app.signup_limiter->Allow(http::ClientPrefix(req.remote_key), MonotonicMs());
    if (!d.allowed) {
      SendRetryLater(res, d.retry_after_seconds, "too many sign-ups from this address");
      return;
    }
  }
  std::optional<SignUpBody> body = ReadBody(req, res, ParseSignUp);
  if (!body) return;
  // What the steps (hash on the pool, write on the writer, answer on the
  // loop) share; one allocation for the whole request.
  struct State {
    SignUpBody input;
    core::Result<std::string> hash{std::string()};
    storage::UserRecord user;
    std::string json;
  };
  auto st = std::make_shared<State>();
  st->input = std::move(*body);
  // argon2id runs on the thread pool; the write goes to the writer thread;
  // the 201 goes out only after the commit holding the user is durable.
  Status s = res.Offload(
      [&app, st] {
        core::DeprioritizeThisThread();
        st->hash = app.hasher->Hash(st->input.password);
      },
      [&app, st](Response* r) {
        if (r == nullptr) return;
        if (!st->hash.ok()) {
          SendStatus(*r, st->hash.status());
          return;
        }
        WriteThen(
            app, *r,
            [st](storage::WriteTxn& t) {
              NewUser nu{st->input.email, st->input.name, std::string(storage::kRoleUser),
                         st->hash.value()};
              return CreateUser(t, nu, NowSeconds(), &st->user, &st->json);
            },
            [st](Response& res, const Status& status) {
              if (!status.ok()) {
                SendStatus(res, status);
                return;
              }
              std::string location = "/api/users/" + std::to_string(st->user.id);
              res.AddHeader("Location", location);
              SendUser(res, 201, st->json, st->user.revision);
            });
      },
      app.login_hash_reserve);
  if (!s.ok()) SendStatus(res, s);
}

// Called inside the write, with `user` as stored: refuses a change that
// would leave no admin (the last admin demoting or deleting itself, or
// another admin doing it), since nobody could then manage roles.
Status KeepAnAdmin(storage::WriteTxn& t, const storage::UserRecord& user) {
  if (user.role != storage::kRoleAdmin) return Status::Ok();
  core::Result<uint64_t> admins = t.CountAdmins();
  if (!admins.ok()) return admins.status();
  if (admins.value() <= 1)
    return Status::Conflict("this is the last admin; make another user admin first");
  return Status::Ok();
}

// Answers a failed user lookup or write: a missing user is 404 "no such
// user" whatever layer noticed; anything else goes through SendStatus.
// Returns false (and sends nothing) when `s` is OK.
bool AnswerFailure(Response& res, const Status& s) {
  if (s.ok()) return false;
  if (s.code() == Status::Code::kNotFound) {
    res.SendError(404, "no such user");
  } else {
    SendStatus(res, s);
  }
  return true;
}

void GetOne(const AppContext& app, const Request& req, Response& res, uint64_t id) {
  std::string_view if_none_match = req.Find("if-none-match");
  std::string& json = res.scratch();
  uint64_t revision = 0;
  Status s = WorkerOf(req).reader(*app.store).GetUserJson(id, &json, &revision);
  if (AnswerFailure(res, s)) return;
  if (IfNoneMatchHits(if_none_match, revision)) {
    char etag[24];
    res.AddHeader("ETag", FormatEtag(revision, etag));
    res.SendEmpty(304);
    return;
  }
  SendUser(res, 200, json, revision);
}

void GetUser(const AppContext& app, Request& req, Response& res) {
  Caller caller;
  uint64_t id = 0;
  if (!AuthorizeForUser(req, res, app, &caller, &id)) return;
  GetOne(app, req, res, id);
}

void GetMe(const AppContext& app, Request& req, Response& res) {
  Caller caller;
  if (!Authenticate(req, res, app, &caller)) return;
  GetOne(app, req, res, caller.id);
}

bool ParseQueryNumber(std::string_view query, std::string_view key, uint64_t* out, bool* present) {
  *present = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      std::string_view v = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      auto r = std::from_chars(v.data(), v.data() + v.size(), *out);
      *present = true;
      if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size()) return false;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

void ListUsers(const AppContext& app, Request& req, Response& res) {
  Caller caller;
  if (!Authenticate(req, res, app, &caller)) return;
  if (!caller.admin) {
    res.SendError(403, "listing users needs the admin role");
    return;
  }
  uint64_t limit = 50, after = 0;
  bool has_limit = false, has_after = false;
  if (!ParseQueryNumber(req.query, "limit", &limit, &has_limit) || limit < 1 || limit > 1000) {
    res.SendError(400, "limit must be an integer from 1 to 1000");
    return;
  }
  if (!ParseQueryNumber(req.query, "after", &after, &has_after)) {
    res.SendError(400, "after must be a user id");
    return;
  }
  std::string& json = res.scratch();
  uint64_t last = 0;
  bool more = false;
  Status s = WorkerOf(req).reader(*app.store).ListUsersJson(after, limit, &json, &last, &more);
  if (!s.ok()) {
    SendStatus(res, s);
    return;
  }
  std::string link;
  if (more) {
    link = "</api/users?limit=" + std::to_string(limit) + "&after=" + std::to_string(last) +
           ">; rel=\"next\"";
    res.AddHeader("Link", link);
  }
  res.SendJson(200, json);
}

// PUT (replace) and PATCH (merge patch) share everything but the parsing.
void ChangeUser(const AppContext& app, Request& req, Response& res, bool patch) {
  Caller caller;
  uint64_t id = 0;
  if (!AuthorizeForUser(req, res, app, &caller, &id)) return;
  std::optional<UserChanges> parsed =
      ReadBody(req, res, patch ? ParseUserPatch : ParseUserPut, /*allow_merge_patch=*/patch);
  if (!parsed) return;
  UserChanges changes = std::move(*parsed);
  if (changes.role && !caller.admin) {
    res.SendError(403, "only an admin can change a role");
    return;
  }
  struct State {
    UserChanges changes;
    std::string if_match;
    storage::UserRecord user;
    std::string json;
  };
  auto st = std::make_shared<State>();
  st->changes = std::move(changes);
  st->if_match = std::string(req.Find("if-match"));
  WriteThen(
      app, res,
      [id, st](storage::WriteTxn& t) -> Status {
        Status s = t.GetUser(id, &st->user);
        if (!s.ok()) return s;
        if (!IfMatchAllows(st->if_match, st->user.revision))
          return Status::FailedPrecondition("the user has changed since that ETag (If-Match)");
        const UserChanges& c = st->changes;
        if (c.email) st->user.email = *c.email;
        if (c.name) st->user.name = *c.name;
        if (c.role && *c.role != st->user.role) {
          if (s = KeepAnAdmin(t, st->user); !s.ok()) return s;
          st->user.role = *c.role;
        }
        return SaveUser(t, st->user, NowSeconds(), &st->json);
      },
      [st](Response& r, const Status& status) {
        if (!AnswerFailure(r, status)) SendUser(r, 200, st->json, st->user.revision);
      });
}

void DeleteUser(const AppContext& app, Request& req, Response& res) {
  Caller caller;
  uint64_t id = 0;
  if (!AuthorizeForUser(req, res, app, &caller, &id)) return;
  WriteThen(
      app, res,
      [id](storage::WriteTxn& t) {
        storage::UserRecord user;
        Status s = t.GetUser(id, &user);
        if (!s.ok()) return s;
        if (s = KeepAnAdmin(t, user); !s.ok()) return s;
        return t.DeleteUser(id);
      },
      [](Response& r, const Status& st) {
        if (!AnswerFailure(r, st)) r.SendEmpty(204);
      });
}

void ChangePassword(const AppContext& app, Request& req, Response& res) {
  Caller caller;
  uint64_t id = 0;
  if (!AuthorizeForUser(req, res, app, &caller, &id)) return;
  std::optional<PasswordBody> parsed = ReadBody(req, res, ParsePasswordChange);
  if (!parsed) return;
  struct State {
    PasswordBody body;
    std::string old_hash;
    core::Result<std::string> new_hash{std::string()};
    bool verified = false;
  };
  auto st = std::make_shared<State>();
  st->body = std::move(*parsed);
  // Your own password needs the current one, admin or not; an admin
  // resetting someone else's does not.
  bool self = caller.id == id;
  st->verified = !self;
  if (self && !st->body.current_password) {
    res.SendError(400, "current_password is required");
    return;
  }
  if (self) {
    Status s = WorkerOf(req).reader(*app.store).GetPasswordHash(id, &st->old_hash);
    if (!s.ok()) {
      SendStatus(res, s);
      return;
    }
  }
  Status s = res.Offload(
      [&app, st, self] {
        core::DeprioritizeThisThread();
        if (self) st->verified = app.hasher->Verify(st->old_hash, *st->body.current_password);
        if (st->verified) st->new_hash = app.hasher->Hash(st->body.new_password);
      },
      [&app, id, st](Response* r) {
        if (r == nullptr) return;
        if (!st->verified) {
          SendUnauthorized(*r, "current_password is wrong", true);
          return;
        }
        if (!st->new_hash.ok()) {
          SendStatus(*r, st->new_hash.status());
          return;
        }
        WriteThen(
            app, *r,
            [id, st](storage::WriteTxn& t) -> Status {
              const std::string& hash = st->new_hash.value();
              storage::UserRecord user;
              Status s = t.GetUser(id, &user);
              if (!s.ok()) return s;
              // Older access tokens carry the old version: they stop working.
              ++user.token_version;
              std::string json;
              if (s = SaveUser(t, user, NowSeconds(), &json); !s.ok()) return s;
              if (s = t.PutPasswordHash(id, hash); !s.ok()) return s;
              return t.DeleteUserSessions(id);
            },
            [](Response& res, const Status& st) {
              if (!AnswerFailure(res, st)) res.SendEmpty(204);
            });
      },
      app.login_hash_reserve);
  if (!s.ok()) SendStatus(res, s);
}

}  // namespace

void AddUserRoutes(http::Router& router, const AppContext* app) {
  const AppContext& a = *app;
  router.Add(Method::kPost, "/api/users", [&a](Request& q, Response& r) { SignUp(a, q, r); });
  router.Add(Method::kGet, "/api/users", [&a](Request& q, Response& r) { ListUsers(a, q, r); });
  router.Add(Method::kGet, "/api/users/me", [&a](Request& q, Response& r) { GetMe(a, q, r); });
  router.Add(Method::kGet, "/api/users/{id}", [&a](Request& q, Response& r) { GetUser(a, q, r); });
  router.Add(Method::kPut, "/api/users/{id}",
             [&a](Request& q, Response& r) { ChangeUser(a, q, r, false); });
  router.Add(Method::kPatch, "/api/users/{id}",
             [&a](Request& q, Response& r) { ChangeUser(a, q, r, true); });
  router.Add(Method::kDelete, "/api/users/{id}",
             [&a](Request& q, Response& r) { DeleteUser(a, q, r); });
  router.Add(Method::kPut, "/api/users/{id}/password",
             [&a](Request& q, Response& r) { ChangePassword(a, q, r); });
}

}  // namespace keel::api
