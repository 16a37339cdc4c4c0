#include "api/user_json.h"

#include <charconv>

#include "core/date_cache.h"
#include "core/json_writer.h"

namespace keel::api {

void AppendUserJson(std::string& out, const storage::UserRecord& user) {
  char created[20];
  char updated[20];
  core::FormatRfc3339(user.created_at, created);
  core::FormatRfc3339(user.updated_at, updated);
  core::JsonWriter w(out);
  w.BeginObject();
  w.Key("id");
  w.Uint(user.id);
  w.Key("email");
  w.String(user.email);
  w.Key("name");
  w.String(user.name);
  w.Key("role");
  w.String(user.role);
  w.Key("created_at");
  w.String(std::string_view(created, sizeof created));
  w.Key("updated_at");
  w.String(std::string_view(updated, sizeof updated));
  w.EndObject();
}

std::string UserJson(const storage::UserRecord& user) {
  std::string out;
  AppendUserJson(out, user);
  return out;
}

std::string_view FormatEtag(uint64_t revision, char* out) {
  out[0] = '"';
  auto r = std::to_chars(out + 1, out + 22, revision);
  *r.ptr = '"';
  return std::string_view(out, static_cast<size_t>(r.ptr + 1 - out));
}

}  // namespace keel::api
