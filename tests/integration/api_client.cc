#include "api_client.h"

#include <atomic>
#include <cctype>
#include <regex>

namespace keel::integration {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

// Sign-ups are not rate-limited either: the suites create many users from
// 127.0.0.1. The sign-up limit has its own tests.
std::vector<std::string> CheapHashCost() { return {"--argon2-ops", "1", "--argon2-mem-kib", "64"}; }

std::vector<std::string> CheapHashArgs() {
  std::vector<std::string> args = CheapHashCost();
  args.insert(args.end(), {"--signup-rate", "0"});
  return args;
}

std::vector<std::string> CheapHashArgs(std::initializer_list<std::string> more) {
  std::vector<std::string> args = CheapHashArgs();
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> AdminEnv() {
  return {std::string("KEEL_ADMIN_EMAIL=") + kAdminEmail,
          std::string("KEEL_ADMIN_PASSWORD=") + kAdminPassword};
}

std::string UniqueEmail(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(++counter) + "@example.com";
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out.append("\\u00");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

JsonField Str(std::string key, std::string_view value) {
  return {std::move(key), JsonQuote(value)};
}

JsonField Raw(std::string key, std::string raw) { return {std::move(key), std::move(raw)}; }

std::string Obj(std::initializer_list<JsonField> fields) {
  std::string out = "{";
  for (const JsonField& f : fields) {
    if (out.size() > 1) out.push_back(',');
    out.append(JsonQuote(f.key)).append(":").append(f.raw);
  }
  out.push_back('}');
  return out;
}

std::string Bearer(std::string_view token) { return "Authorization: Bearer " + std::string(token); }

std::string JsonRequest(std::string_view method, std::string_view path, std::string_view body,
                        std::vector<std::string> extra, std::string_view content_type) {
  if (!content_type.empty()) extra.push_back("Content-Type: " + std::string(content_type));
  return Request(method, path, std::move(extra), body);
}

// ---------------------------------------------------------------------------
// Api.

HttpResponse Api::Send(std::string_view request, bool quiet) const {
  std::string error;
  auto r = server_->RoundTrip(request, /*head_request=*/false, &error);
  if (r) return *r;
  if (!quiet) ADD_FAILURE() << "request failed: " << error << "\nrequest: " << request;
  HttpResponse failed;
  failed.body = "transport failure: " + error;
  return failed;
}

HttpResponse Api::SignUp(std::string_view email, std::string_view name,
                         std::string_view password) const {
  return Send(
      JsonRequest("POST", "/api/users",
                  Obj({Str("email", email), Str("name", name), Str("password", password)})));
}

HttpResponse Api::Login(std::string_view email, std::string_view password) const {
  return Send(JsonRequest("POST", "/api/auth/login",
                          Obj({Str("email", email), Str("password", password)})));
}

HttpResponse Api::Refresh(std::string_view refresh_token) const {
  return Send(JsonRequest("POST", "/api/auth/refresh", Obj({Str("refresh_token", refresh_token)})));
}

HttpResponse Api::Logout(std::string_view refresh_token) const {
  return Send(JsonRequest("POST", "/api/auth/logout", Obj({Str("refresh_token", refresh_token)})));
}

HttpResponse Api::GetAs(std::string_view token, std::string_view path,
                        std::vector<std::string> extra) const {
  if (!token.empty()) extra.push_back(Bearer(token));
  return Send(Get(path, std::move(extra)));
}

HttpResponse Api::DeleteAs(std::string_view token, std::string_view path) const {
  std::vector<std::string> extra;
  if (!token.empty()) extra.push_back(Bearer(token));
  return Send(Request("DELETE", path, std::move(extra)));
}

HttpResponse Api::SendJsonAs(std::string_view token, std::string_view method, std::string_view path,
                             std::string_view body, std::vector<std::string> extra,
                             std::string_view content_type) const {
  if (!token.empty()) extra.push_back(Bearer(token));
  return Send(JsonRequest(method, path, body, std::move(extra), content_type));
}

std::optional<Tokens> Api::LoginTokens(std::string_view email, std::string_view password) const {
  HttpResponse r = Login(email, password);
  auto body = r.status == 200 ? JsonValue::Parse(r.body) : std::nullopt;
  auto access = body ? body->GetString("access_token") : std::nullopt;
  auto refresh = body ? body->GetString("refresh_token") : std::nullopt;
  if (!access || !refresh) {
    ADD_FAILURE() << "login as " << email << ": status " << r.status << " body " << r.body;
    return std::nullopt;
  }
  return Tokens{*access, *refresh};
}

std::optional<Account> Api::NewAccount(std::string_view name, std::string_view email_prefix) const {
  Account a;
  a.email = UniqueEmail(email_prefix);
  a.name = std::string(name);
  a.password = "password-" + a.email;
  HttpResponse r = SignUp(a.email, a.name, a.password);
  auto body = r.status == 201 ? JsonValue::Parse(r.body) : std::nullopt;
  auto id = body ? body->GetInt("id") : std::nullopt;
  if (!id) {
    ADD_FAILURE() << "sign-up of " << a.email << ": status " << r.status << " body " << r.body;
    return std::nullopt;
  }
  a.id = *id;
  a.etag = r.Header("ETag").value_or("");
  auto tokens = LoginTokens(a.email, a.password);
  if (!tokens) return std::nullopt;
  a.access_token = tokens->access_token;
  a.refresh_token = tokens->refresh_token;
  return a;
}

std::optional<Account> Api::Admin() const {
  auto tokens = LoginTokens(kAdminEmail, kAdminPassword);
  if (!tokens) return std::nullopt;
  Account a;
  a.email = kAdminEmail;
  a.password = kAdminPassword;
  a.access_token = tokens->access_token;
  a.refresh_token = tokens->refresh_token;
  HttpResponse me = GetAs(a.access_token, "/api/users/me");
  auto body = me.status == 200 ? JsonValue::Parse(me.body) : std::nullopt;
  auto id = body ? body->GetInt("id") : std::nullopt;
  if (!id) {
    ADD_FAILURE() << "GET /api/users/me as admin: status " << me.status << " body " << me.body;
    return std::nullopt;
  }
  a.id = *id;
  a.name = body->GetString("name").value_or("");
  return a;
}

std::optional<std::vector<JsonValue>> Api::ListAll(std::string_view admin_token, int limit) const {
  std::vector<JsonValue> users;
  std::string path = "/api/users?limit=" + std::to_string(limit);
  for (int page = 0; page < 100000; ++page) {
    HttpResponse r = GetAs(admin_token, path);
    auto body = r.status == 200 ? JsonValue::Parse(r.body) : std::nullopt;
    if (!body || !body->is_array()) {
      ADD_FAILURE() << "GET " << path << ": status " << r.status << " body " << r.body;
      return std::nullopt;
    }
    users.insert(users.end(), body->items().begin(), body->items().end());
    auto next = NextLink(r);
    if (!next) return users;
    path = *next;
  }
  ADD_FAILURE() << "GET /api/users never reached a last page";
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Free helpers.

std::optional<JsonValue> ParseBody(const HttpResponse& r) {
  std::string error;
  auto v = JsonValue::Parse(r.body, &error);
  if (!v) ADD_FAILURE() << "body is not JSON (" << error << "): " << r.body;
  return v;
}

std::optional<std::string> NextLink(const HttpResponse& r) {
  auto link = r.Header("Link");
  if (!link) return std::nullopt;
  static const std::regex kNext(R"(^\s*<([^>]*)>\s*;\s*rel="?next"?\s*$)");
  std::smatch m;
  if (!std::regex_match(*link, m, kNext)) return std::nullopt;
  return m[1].str();
}

std::string Base64UrlEncode(std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    uint32_t v;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<uint32_t>(c - '0' + 52);
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return false;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return in.size() % 4 != 1;
}

std::optional<JsonValue> JwtPart(std::string_view token, int part) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 3 || part < 0 || part > 2) return std::nullopt;
  std::string decoded;
  if (!Base64UrlDecode(parts[static_cast<size_t>(part)], &decoded)) return std::nullopt;
  return JsonValue::Parse(decoded);
}

::testing::AssertionResult IsUserJson(const JsonValue& user) {
  static const std::regex kRfc3339Utc(
      R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$)");
  if (!user.is_object()) return ::testing::AssertionFailure() << "user is not an object";
  static const char* const kKeys[] = {"id", "email", "name", "role", "created_at", "updated_at"};
  if (user.members().size() != std::size(kKeys)) {
    std::string keys;
    for (const auto& m : user.members()) keys += m.first + " ";
    return ::testing::AssertionFailure() << "user has members: " << keys;
  }
  auto id = user.GetInt("id");
  if (!id || *id <= 0) return ::testing::AssertionFailure() << "id is not a positive integer";
  if (!user.GetString("email")) return ::testing::AssertionFailure() << "no string email";
  if (!user.GetString("name")) return ::testing::AssertionFailure() << "no string name";
  auto role = user.GetString("role");
  if (role != "user" && role != "admin") {
    return ::testing::AssertionFailure() << "role is '" << role.value_or("<none>") << "'";
  }
  for (const char* key : {"created_at", "updated_at"}) {
    auto ts = user.GetString(key);
    if (!ts || !std::regex_match(*ts, kRfc3339Utc)) {
      return ::testing::AssertionFailure()
             << key << " is '" << ts.value_or("<none>") << "', not RFC 3339 UTC";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsUserBody(const HttpResponse& r) {
  auto ct = r.Header("Content-Type");
  if (!ct || Lower(*ct) != "application/json; charset=utf-8") {
    return ::testing::AssertionFailure() << "Content-Type is '" << ct.value_or("<none>") << "'";
  }
  std::string lower = Lower(r.body);
  if (lower.find("password") != std::string::npos || lower.find("hash") != std::string::npos) {
    return ::testing::AssertionFailure() << "body mentions a password or hash: " << r.body;
  }
  std::string error;
  auto v = JsonValue::Parse(r.body, &error);
  if (!v) return ::testing::AssertionFailure() << "not JSON (" << error << "): " << r.body;
  auto result = IsUserJson(*v);
  if (!result) return result << "; body " << r.body;
  return HasCommonHeaders(r);
}

::testing::AssertionResult IsHouseErrorNaming(const HttpResponse& r, int code,
                                              std::string_view word) {
  auto base = IsHouseError(r, code);
  if (!base) return base;
  auto message = JsonString(r.body, "message");
  if (!message || Lower(*message).find(Lower(word)) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message '" << message.value_or("<none>") << "' does not name '" << word << "'";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace keel::integration
