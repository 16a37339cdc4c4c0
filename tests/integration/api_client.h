// Helpers for integration tests of /api/users and /api/auth: JSON request
// bodies, bearer headers, sign-up and login shortcuts, paging through
// GET /api/users, and a look inside JWTs. Built on test_server.h; knows the
// HTTP API only (see docs/api.md), nothing of keel's internals.
//
// Api is a thin, copyable view of a TestServer that must outlive it. Its
// methods only read the server object, so several threads may share one
// Api (each call opens its own connection).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_value.h"
#include "test_server.h"

namespace keel::integration {

// Server arguments for a cheap argon2id cost, to keep sign-ups and logins
// fast (the defaults are libsodium's INTERACTIVE limits), and no sign-up
// rate limit.
std::vector<std::string> CheapHashArgs();
// Only the cheap argon2id cost, for keel-admin (which has no rate limits).
std::vector<std::string> CheapHashCost();
// CheapHashArgs() followed by `more`.
std::vector<std::string> CheapHashArgs(std::initializer_list<std::string> more);

// The first admin, created from the environment on a first start.
inline constexpr char kAdminEmail[] = "root@example.com";
inline constexpr char kAdminPassword[] = "admin-password-1";
std::vector<std::string> AdminEnv();

// A fresh email address, unique within this test process.
std::string UniqueEmail(std::string_view prefix = "user");

// --- JSON bodies --------------------------------------------------------

// `s` as a JSON string literal. Quotes, backslashes and control characters
// are escaped; every other byte is copied as is (so invalid UTF-8 can be
// sent on purpose).
std::string JsonQuote(std::string_view s);

// One member of a JSON object: its key and the value's JSON text.
struct JsonField {
  std::string key;
  std::string raw;
};
JsonField Str(std::string key, std::string_view value);
JsonField Raw(std::string key, std::string raw);  // e.g. Raw("name", "null")
// {"k1":v1,"k2":v2,...} in the given order.
std::string Obj(std::initializer_list<JsonField> fields);

// --- Requests -----------------------------------------------------------

// "Authorization: Bearer <token>".
std::string Bearer(std::string_view token);
// A request with a JSON body (Content-Length set) and the given
// Content-Type (omitted when empty).
std::string JsonRequest(std::string_view method, std::string_view path, std::string_view body,
                        std::vector<std::string> extra = {},
                        std::string_view content_type = "application/json");

// A signed-in user as a test sees it.
struct Account {
  int64_t id = 0;
  std::string email;
  std::string name;
  std::string password;
  std::string etag;  // from the sign-up answer
  std::string access_token;
  std::string refresh_token;
};

// What the login answer held.
struct Tokens {
  std::string access_token;
  std::string refresh_token;
};

class Api {
 public:
  explicit Api(const TestServer& server) : server_(&server) {}

  // One request on a fresh connection. On a transport failure the result
  // has status 0 and the reason in its body; it is also a test failure
  // unless `quiet`.
  HttpResponse Send(std::string_view request, bool quiet = false) const;

  HttpResponse SignUp(std::string_view email, std::string_view name,
                      std::string_view password) const;
  HttpResponse Login(std::string_view email, std::string_view password) const;
  HttpResponse Refresh(std::string_view refresh_token) const;
  HttpResponse Logout(std::string_view refresh_token) const;
  // GET/DELETE `path` as the holder of `token` (no Authorization if empty).
  HttpResponse GetAs(std::string_view token, std::string_view path,
                     std::vector<std::string> extra = {}) const;
  HttpResponse DeleteAs(std::string_view token, std::string_view path) const;
  // A JSON body request as the holder of `token`.
  HttpResponse SendJsonAs(std::string_view token, std::string_view method, std::string_view path,
                          std::string_view body, std::vector<std::string> extra = {},
                          std::string_view content_type = "application/json") const;

  // The tokens of a successful login; nullopt (and a test failure naming
  // the answer) otherwise.
  std::optional<Tokens> LoginTokens(std::string_view email, std::string_view password) const;
  // Signs a new user up and logs in. nullopt, with a test failure, if
  // either step does not succeed.
  std::optional<Account> NewAccount(std::string_view name = "Ada",
                                    std::string_view email_prefix = "user") const;
  // Logs in as the env-created admin (see AdminEnv()).
  std::optional<Account> Admin() const;

  // Every user, walking GET /api/users by its Link headers with `limit`
  // per page. nullopt, with a test failure, when a page fails.
  std::optional<std::vector<JsonValue>> ListAll(std::string_view admin_token,
                                                int limit = 1000) const;

 private:
  const TestServer* server_;
};

// The parsed body, or nullopt with a test failure naming the body.
std::optional<JsonValue> ParseBody(const HttpResponse& r);

// The target of a `Link: <target>; rel="next"` header; nullopt if there is
// no such header.
std::optional<std::string> NextLink(const HttpResponse& r);

// Base64url (RFC 4648 section 5) without padding, as JWTs use it. Decode
// returns false on a character outside the alphabet or a bad length.
std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string* out);

// The decoded JSON of a JWT's header (part 0) or payload (part 1); nullopt
// if the token does not have three base64url parts or the part is not JSON.
std::optional<JsonValue> JwtPart(std::string_view token, int part);

// Checks a user object as the API shows it: exactly the members id (a
// positive integer), email, name, role ("user" or "admin"), created_at and
// updated_at (RFC 3339 UTC ending in Z).
::testing::AssertionResult IsUserJson(const JsonValue& user);
// The same on a response body, plus: the body text contains neither
// "password" nor "hash" (any case).
::testing::AssertionResult IsUserBody(const HttpResponse& r);
// A house error whose message contains `word` (case-insensitive).
::testing::AssertionResult IsHouseErrorNaming(const HttpResponse& r, int code,
                                              std::string_view word);

}  // namespace keel::integration
