#include "api/validation.h"

#include "auth/common_passwords.h"
#include "core/ascii.h"
#include "core/json_reader.h"
#include "core/utf8.h"
#include "storage/store.h"  // the role names only: nothing here links against LMDB

namespace keel::api {
namespace {

using core::JsonField;
using core::Result;
using core::Status;

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (char c : label) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status Missing(std::string_view field) {
  return Status::InvalidArgument(std::string(field) + " is required");
}

// Reads a required-when-present string field into `out`. A key that comes
// twice is refused (RFC 8259 section 4 leaves its meaning open, and two
// parsers picking different copies is how a check gets bypassed); every
// field of these bodies goes through here, so this is the one place.
Status ReadString(const JsonField& f, std::optional<std::string>& out) {
  if (out) return Status::InvalidArgument("duplicate key: " + std::string(f.name()));
  Result<std::string_view> v = f.GetString();
  if (!v.ok()) return v.status();
  out = std::string(v.value());
  return Status::Ok();
}

Status BeginBody(const http::Request& req) {
  return req.json->ParseObject(req.body, req.body_padded);
}

}  // namespace

bool IsJsonContentType(const http::Request& req, bool allow_merge_patch) {
  std::string_view type = req.Find("content-type");
  type = core::TrimOws(type.substr(0, type.find(';')));
  return http::EqualsIgnoreCase(type, "application/json") ||
         (allow_merge_patch && http::EqualsIgnoreCase(type, "application/merge-patch+json"));
}

// A practical subset of RFC 5321/5322 addresses: dot-atom local part, a
// host name with at least two labels. Quoted local parts and address
// literals are refused: no mail system users sign up with needs them.
Status ValidateEmail(std::string_view email) {
  if (email.size() > 254) return Status::InvalidArgument("email must be at most 254 bytes");
  size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return Status::InvalidArgument("email is not a valid address");
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  bool local_ok = !local.empty() && local.size() <= 64 && local.front() != '.' &&
                  local.back() != '.' && local.find("..") == std::string_view::npos;
  for (char c : local) local_ok = local_ok && (IsAtext(c) || c == '.');
  if (!local_ok) return Status::InvalidArgument("email is not a valid address");
  int labels = 0;
  while (true) {
    size_t dot = domain.find('.');
    if (!IsDomainLabel(domain.substr(0, dot)))
      return Status::InvalidArgument("email is not a valid address");
    ++labels;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  if (labels < 2) return Status::InvalidArgument("email is not a valid address");
  return Status::Ok();
}

Status ValidateName(std::string_view name) {
  if (!core::IsValidUtf8(name)) return Status::InvalidArgument("name must be valid UTF-8");
  size_t chars = core::CountCodePoints(name);
  if (chars < 1 || chars > 100) return Status::InvalidArgument("name must be 1-100 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument("name must not contain control characters");
  return Status::Ok();
}

Status ValidatePassword(std::string_view password, std::string_view field) {
  if (password.size() < 8 || password.size() > 1024)
    return Status::InvalidArgument(std::string(field) + " must be 8-1024 bytes");
  if (auth::IsCommonPassword(password))
    return Status::InvalidArgument(std::string(field) +
                                   " is one of the most common passwords; choose another");
  return Status::Ok();
}

Status ValidateRole(std::string_view role) {
  if (role == storage::kRoleUser || role == storage::kRoleAdmin) return Status::Ok();
  return Status::InvalidArgument("role must be \"user\" or \"admin\"");
}

Result<SignUpBody> ParseSignUp(const http::Request& req) {
  if (Status s = BeginBody(req); !s.ok()) return s;
  std::optional<std::string> email, name, password;
  Status s = req.json->ForEachField([&](const JsonField& f) -> Status {
    if (f.name() == "email") return ReadString(f, email);
    if (f.name() == "name") return ReadString(f, name);
    if (f.name() == "password") return ReadString(f, password);
    return f.Unknown();
  });
  if (!s.ok()) return s;
  if (!email) return Missing("email");
  if (!name) return Missing("name");
  if (!password) return Missing("password");
  if (s = ValidateEmail(*email); !s.ok()) return s;
  if (s = ValidateName(*name); !s.ok()) return s;
  if (s = ValidatePassword(*password); !s.ok()) return s;
  return SignUpBody{std::move(*email), std::move(*name), std::move(*password)};
}

namespace {

Result<UserChanges> ParseChanges(const http::Request& req, bool patch) {
  if (Status s = BeginBody(req); !s.ok()) return s;
  UserChanges c;
  Status s = req.json->ForEachField([&](const JsonField& f) -> Status {
    std::optional<std::string>* slot = nullptr;
    if (f.name() == "email") slot = &c.email;
    if (f.name() == "name") slot = &c.name;
    if (f.name() == "role") slot = &c.role;
    if (slot == nullptr) return f.Unknown();
    if (f.is_null()) {
      return Status::InvalidArgument(std::string(f.name()) + " cannot be removed");
    }
    return ReadString(f, *slot);
  });
  if (!s.ok()) return s;
  if (!patch) {
    if (!c.email) return Missing("email");
    if (!c.name) return Missing("name");
  }
  if (c.email && !(s = ValidateEmail(*c.email)).ok()) return s;
  if (c.name && !(s = ValidateName(*c.name)).ok()) return s;
  if (c.role && !(s = ValidateRole(*c.role)).ok()) return s;
  return c;
}

}  // namespace

Result<UserChanges> ParseUserPut(const http::Request& req) { return ParseChanges(req, false); }
Result<UserChanges> ParseUserPatch(const http::Request& req) { return ParseChanges(req, true); }

Result<LoginBody> ParseLogin(const http::Request& req) {
  if (Status s = BeginBody(req); !s.ok()) return s;
  std::optional<std::string> email, password;
  Status s = req.json->ForEachField([&](const JsonField& f) -> Status {
    if (f.name() == "email") return ReadString(f, email);
    if (f.name() == "password") return ReadString(f, password);
    return f.Unknown();
  });
  if (!s.ok()) return s;
  if (!email) return Missing("email");
  if (!password) return Missing("password");
  return LoginBody{std::move(*email), std::move(*password)};
}

Result<PasswordBody> ParsePasswordChange(const http::Request& req) {
  if (Status s = BeginBody(req); !s.ok()) return s;
  std::optional<std::string> current, next;
  Status s = req.json->ForEachField([&](const JsonField& f) -> Status {
    if (f.name() == "current_password") return ReadString(f, current);
    if (f.name() == "new_password") return ReadString(f, next);
    return f.Unknown();
  });
  if (!s.ok()) return s;
  if (!next) return Missing("new_password");
  if (s = ValidatePassword(*next, "new_password"); !s.ok()) return s;
  return PasswordBody{std::move(current), std::move(*next)};
}

Result<std::string> ParseRefreshToken(const http::Request& req) {
  if (Status s = BeginBody(req); !s.ok()) return s;
  std::optional<std::string> token;
  Status s = req.json->ForEachField([&](const JsonField& f) -> Status {
    if (f.name() == "refresh_token") return ReadString(f, token);
    return f.Unknown();
  });
  if (!s.ok()) return s;
  if (!token) return Missing("refresh_token");
  return std::move(*token);
}

}  // namespace keel::api
