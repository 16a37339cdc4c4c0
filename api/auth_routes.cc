#include "api/auth_routes.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>

#include "api/api_worker.h"
#include "api/status_response.h"
#include "api/validation.h"
#include "api/write_then.h"
#include "auth/eddsa.h"
#include "auth/auth_metrics.h"
#include "auth/tokens.h"
#include "core/ascii.h"
#include "core/json_writer.h"
#include "core/system_limits.h"
#include "http/rate_limiter.h"

namespace keel::api {
namespace {

using core::Status;
using http::Method;
using http::Request;
using http::Response;

constexpr std::string_view kBadLogin = "invalid email or password";

struct Issued {
  uint64_t user_id = 0;
  std::string role;
  uint64_t token_version = 0;
  std::string refresh_token;
  bool reused = false;  // refresh: a rotated token came back
};

void SendTokens(const AppContext& app, Response& res, const Issued& issued) {
  const auth::TokenCodec& codec = app.tokens->ForThisThread();
  std::string access = codec.Sign(issued.user_id, issued.role, issued.token_version, NowSeconds());
  std::string& body = res.scratch();
  core::JsonWriter w(body);
  w.BeginObject();
  w.Key("access_token");
  w.String(access);
  w.Key("token_type");
  w.String("Bearer");
  w.Key("expires_in");
  w.Int(codec.ttl_seconds());
  w.Key("refresh_token");
  w.String(issued.refresh_token);
  w.EndObject();
  // Tokens must not be cached by anything between us and the client.
  res.AddHeader("Cache-Control", "no-store");
  res.SendJson(200, body);
}

// Starts a session family for a verified login and answers with a token pair.
void StartSession(const AppContext& app, Response& res, uint64_t user_id, std::string rehash) {
  auto issued = std::make_shared<Issued>();
  issued->refresh_token = auth::NewRefreshToken();
  std::string token_hash = auth::HashToken(issued->refresh_token);
  std::string family = auth::RandomBytes(16);
  int64_t now = NowSeconds();
  int64_t ends = now + app.session_max_age_seconds;
  int64_t expires = std::min(now + app.refresh_ttl_seconds, ends);
  WriteThen(
      app, res,
      [issued, user_id, token_hash, family, expires, ends, rehash](storage::WriteTxn& t) -> Status {
        storage::UserRecord user;
        Status s = t.GetUser(user_id, &user);
        if (!s.ok())
          return s.code() == Status::Code::kNotFound ? Status::Unauthenticated(kBadLogin) : s;
        issued->user_id = user.id;
        issued->role = user.role;
        issued->token_version = user.token_version;
        // A hash made with older, weaker limits is upgraded now that we
        // know the password.
        if (!rehash.empty() && !(s = t.PutPasswordHash(user_id, rehash)).ok()) return s;
        return t.PutSession(token_hash,
                            storage::SessionRecord{user_id, family, expires, ends, false});
      },
      [&app, issued](Response& r, const Status& st) {
        if (!st.ok()) {
          SendStatus(r, st);
          return;
        }
        SendTokens(app, r, *issued);
      });
}

void Login(const AppContext& app, Request& req, Response& res) {
  std::optional<LoginBody> parsed = ReadBody(req, res, ParseLogin);
  if (!parsed) return;
  // No account can have an address sign-up would refuse: answer as for a
  // wrong password, without hashing and without keeping the input.
  if (!ValidateEmail(parsed->email).ok()) {
    auth::CountLogin(auth::LoginResult::kFailure);
    SendUnauthorized(res, kBadLogin, false);
    return;
  }
  auto body = std::make_shared<LoginBody>(std::move(*parsed));
  std::string account = core::LowerAsciiCopy(body->email);
  std::string address(http::ClientPrefix(req.remote_key));
  int64_t now = NowSeconds();
  // Each attempt is counted before its hash runs (auth/login_limiter.h), so
  // parallel guesses cannot outrun the limit; a success gives it back.
  if (uint32_t wait = app.account_failures->Reserve(account, now); wait > 0) {
    auth::CountLogin(auth::LoginResult::kLocked);
    SendRetryLater(res, wait, "too many failed logins; try again later");
    return;
  }
  if (uint32_t wait = app.address_failures->Reserve(address, now); wait > 0) {
    app.account_failures->Release(account);
    auth::CountLogin(auth::LoginResult::kLocked);
    SendRetryLater(res, wait, "too many failed logins; try again later");
    return;
  }
  storage::Reader& reader = WorkerOf(req).reader(*app.store);
  uint64_t id = 0;
  auto hash = std::make_shared<std::string>();
  bool known =
      reader.FindUserIdByEmail(account, &id).ok() && reader.GetPasswordHash(id, hash.get()).ok();
  auto ok = std::make_shared<bool>(false);
  auto rehash = std::make_shared<std::string>();
  // An unknown email still costs one verification, so a failed login takes
  // the same time whether or not the account exists.
  Status s = res.Offload(
      [&app, body, hash, ok, rehash, known] {
        core::DeprioritizeThisThread();
        if (!known) {
          app.hasher->VerifyDummy(body->password);
          return;
        }
        *ok = app.hasher->Verify(*hash, body->password);
        if (*ok && app.hasher->NeedsRehash(*hash)) {
          core::Result<std::string> h = app.hasher->Hash(body->password);
          if (h.ok()) *rehash = h.value();
        }
      },
      [&app, ok, rehash, id, account, address](Response* r) {
        // Settle whether or not the client is still there: the guess was
        // evaluated either way.
        auth::CountLogin(*ok ? auth::LoginResult::kSuccess : auth::LoginResult::kFailure);
        if (*ok) {
          app.account_failures->Reset(account);
          app.address_failures->Release(address);
        }
        if (r == nullptr) return;
        if (!*ok) {
          SendUnauthorized(*r, kBadLogin, false);
          return;
        }
        StartSession(app, *r, id, *rehash);
      });
  if (!s.ok()) {
    // Never evaluated (the hash queue is full): not a failure.
    app.account_failures->Release(account);
    app.address_failures->Release(address);
    auth::CountLogin(auth::LoginResult::kBusy);
    SendStatus(res, s);
  }
}

void Refresh(const AppContext& app, Request& req, Response& res) {
  std::optional<std::string> token = ReadBody(req, res, ParseRefreshToken);
  if (!token) return;
  std::string old_hash = auth::HashToken(*token);
  auto issued = std::make_shared<Issued>();
  issued->refresh_token = auth::NewRefreshToken();
  std::string new_hash = auth::HashToken(issued->refresh_token);
  int64_t ttl = app.refresh_ttl_seconds;
  // Why the session ended, when it did: the op must still succeed so that
  // ending a reused token's family is committed.
  auto refused = std::make_shared<std::string>();
  WriteThen(
      app, res,
      [old_hash, new_hash, ttl, issued, refused](storage::WriteTxn& t) -> Status {
        storage::SessionRecord session;
        Status s = t.GetSession(old_hash, &session);
        if (s.code() == Status::Code::kNotFound) {
          *refused = "the refresh token is not valid";
          return Status::Ok();
        }
        if (!s.ok()) return s;
        int64_t now = NowSeconds();
        if (session.used) {
          // A rotated token came back: someone holds a copy. End the whole
          // family so neither holder can go on (RFC 6819 section 5.2.2.3).
          *refused = "the refresh token was already used; the session has ended";
          issued->reused = true;
          return t.DeleteFamily(session.user_id, session.family);
        }
        if (session.ends_at <= now) {
          // The login is older than --session-max-age: however often it
          // was refreshed, it is over.
          *refused = "the session has reached its maximum age; log in again";
          return t.DeleteFamily(session.user_id, session.family);
        }
        if (session.expires_at <= now) {
          *refused = "the refresh token has expired";
          return t.DeleteSession(old_hash);
        }
        storage::UserRecord user;
        if (!t.GetUser(session.user_id, &user).ok()) {
          *refused = "the refresh token is not valid";
          return t.DeleteFamily(session.user_id, session.family);
        }
        session.used = true;
        if (s = t.PutSession(old_hash, session); !s.ok()) return s;
        issued->user_id = user.id;
        issued->role = user.role;
        issued->token_version = user.token_version;
        return t.PutSession(new_hash, storage::SessionRecord{user.id, session.family,
                                                             std::min(now + ttl, session.ends_at),
                                                             session.ends_at, false});
      },
      [&app, issued, refused](Response& r, const Status& st) {
        if (!st.ok()) {
          SendStatus(r, st);
        } else if (!refused->empty()) {
          auth::CountRefresh(issued->reused ? auth::RefreshResult::kReuse
                                            : auth::RefreshResult::kInvalid);
          SendUnauthorized(r, *refused, true);
        } else {
          auth::CountRefresh(auth::RefreshResult::kOk);
          SendTokens(app, r, *issued);
        }
      });
}

void Logout(const AppContext& app, Request& req, Response& res) {
  std::optional<std::string> token = ReadBody(req, res, ParseRefreshToken);
  if (!token) return;
  std::string hash = auth::HashToken(*token);
  WriteThen(
      app, res,
      [hash](storage::WriteTxn& t) -> Status {
        storage::SessionRecord session;
        Status s = t.GetSession(hash, &session);
        if (s.code() == Status::Code::kNotFound) return Status::Ok();  // already gone
        if (!s.ok()) return s;
        return t.DeleteFamily(session.user_id, session.family);
      },
      [](Response& r, const Status& st) {
        if (!st.ok()) {
          SendStatus(r, st);
        } else {
          r.SendEmpty(204);
        }
      });
}

// The public keys, for services that verify our tokens themselves. With a
// shared secret (HS256) there is nothing public to give.
void Jwks(const AppContext& app, Response& res) {
  const auto* codec = dynamic_cast<const auth::EdDsaCodec*>(&app.tokens->ForThisThread());
  if (codec == nullptr) {
    res.SendError(404, "no public keys: this server signs tokens with a shared secret (HS256)");
    return;
  }
  const int64_t now = NowSeconds();
  std::string& body = res.scratch();
  body = codec->JwksJson(now);
  // See EdDsaCodec::JwksMaxAge for why the cache lifetime follows the token
  // lifetime and the retired keys' schedule.
  const std::string cache_control = "public, max-age=" + std::to_string(codec->JwksMaxAge(now));
  res.AddHeader("Cache-Control", cache_control);
  res.Send(200, "application/jwk-set+json", body);
}

}  // namespace

void AddAuthRoutes(http::Router& router, const AppContext* app) {
  const AppContext& a = *app;
  router.Add(Method::kPost, "/api/auth/login", [&a](Request& q, Response& r) { Login(a, q, r); });
  router.Add(Method::kPost, "/api/auth/refresh",
             [&a](Request& q, Response& r) { Refresh(a, q, r); });
  router.Add(Method::kPost, "/api/auth/logout", [&a](Request& q, Response& r) { Logout(a, q, r); });
  router.Add(Method::kGet, "/.well-known/jwks.json", [&a](Request&, Response& r) { Jwks(a, r); });
}

}  // namespace keel::api
