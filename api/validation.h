// Request bodies of the users and auth resources: content type, JSON shape
// and field rules (docs/api.md, "Validation"). Every error is a Status whose
// message names the field, ready for a 400 (or 415) body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/status_response.h"
#include "core/status.h"
#include "http/request.h"
#include "http/response.h"

namespace keel::api {

// True when Content-Type is application/json (or, when allowed,
// application/merge-patch+json), parameters such as charset ignored.
// Handlers answer 415 otherwise, before parsing the body.
bool IsJsonContentType(const http::Request& req, bool allow_merge_patch = false);

core::Status ValidateEmail(std::string_view email);
core::Status ValidateName(std::string_view name);
core::Status ValidatePassword(std::string_view password, std::string_view field = "password");
core::Status ValidateRole(std::string_view role);

struct SignUpBody {
  std::string email, name, password;
};
core::Result<SignUpBody> ParseSignUp(const http::Request& req);

// PUT replaces email and name (both required); PATCH is a JSON Merge Patch
// (RFC 7396) over email, name and role, where null would remove a field,
// which these required fields refuse.
struct UserChanges {
  std::optional<std::string> email, name, role;
};
core::Result<UserChanges> ParseUserPut(const http::Request& req);
core::Result<UserChanges> ParseUserPatch(const http::Request& req);

struct LoginBody {
  std::string email, password;
};
core::Result<LoginBody> ParseLogin(const http::Request& req);

struct PasswordBody {
  std::optional<std::string> current_password;
  std::string new_password;
};
core::Result<PasswordBody> ParsePasswordChange(const http::Request& req);

// {"refresh_token": "..."}
core::Result<std::string> ParseRefreshToken(const http::Request& req);

// The front of every handler that takes a body: checks the content type
// (415), parses and validates with `parse` (400 naming the field), and
// returns the body, or nothing after having answered.
template <typename T>
std::optional<T> ReadBody(const http::Request& req, http::Response& res,
                          core::Result<T> (*parse)(const http::Request&),
                          bool allow_merge_patch = false) {
  if (!IsJsonContentType(req, allow_merge_patch)) {
    res.SendError(415, allow_merge_patch
                           ? "the body must be application/merge-patch+json or application/json"
                           : "the body must be application/json");
    return std::nullopt;
  }
  core::Result<T> parsed = parse(req);
  if (!parsed.ok()) {
    SendStatus(res, parsed.status());
    return std::nullopt;
  }
  return std::move(parsed).value();
}

}  // namespace keel::api
