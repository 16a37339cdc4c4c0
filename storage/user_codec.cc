#include "storage/user_codec.h"

#include <cstddef>
#include <limits>

namespace keel::storage {
namespace {

constexpr unsigned char kUserFormat = 1;
constexpr size_t kUserHeader = 48;
// Format 2 added ends_at (at byte 24). Format 1 records, written before
// sessions had a maximum age, decode with ends_at = expires_at: they end no
// later than they would have anyway and cannot slide further.
constexpr unsigned char kSessionFormat = 2;
constexpr size_t kSessionHeader = 32;
constexpr unsigned char kSessionFormatV1 = 1;
constexpr size_t kSessionHeaderV1 = 24;

// Byte-wise so the format does not depend on the host's endianness or on
// alignment of LMDB's value pointers.
void PutLe(uint64_t v, int bytes, char* out) {
  for (int i = 0; i < bytes; ++i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t GetLe(const char* in, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// Lengths of the variable part of a stored user, checked against its size.
struct UserLayout {
  size_t role = 0, email = 0, name = 0, json = 0;
};

core::Status ParseUserHeader(std::string_view stored, UserLayout* layout) {
  if (stored.size() < kUserHeader) return core::Status::Corruption("stored user is truncated");
  if (static_cast<unsigned char>(stored[0]) != kUserFormat) {
    return core::Status::Corruption("stored user has an unknown format");
  }
  const char* p = stored.data();
  layout->role = static_cast<unsigned char>(p[1]);
  layout->email = GetLe(p + 4, 4);
  layout->name = GetLe(p + 8, 4);
  layout->json = GetLe(p + 12, 4);
  // Each term is below 2^32, so the sum cannot overflow size_t.
  if (kUserHeader + layout->role + layout->email + layout->name + layout->json != stored.size()) {
    return core::Status::Corruption("stored user has inconsistent lengths");
  }
  return core::Status::Ok();
}

void AssignOrClear(std::string* out, const char* p, size_t n) {
  if (n == 0) {
    out->clear();  // avoids handing a possibly null pointer to assign
  } else {
    out->assign(p, n);
  }
}

}  // namespace

core::Status EncodeUser(const UserRecord& user, std::string_view public_json, std::string* out) {
  constexpr size_t kMax32 = std::numeric_limits<uint32_t>::max();
  if (user.role.size() > 255) return core::Status::InvalidArgument("role is too long");
  if (user.email.size() > kMax32 || user.name.size() > kMax32 || public_json.size() > kMax32) {
    return core::Status::InvalidArgument("user record is too large");
  }
  out->assign(kUserHeader, '\0');
  char* h = out->data();
  h[0] = static_cast<char>(kUserFormat);
  h[1] = static_cast<char>(user.role.size());
  PutLe(user.email.size(), 4, h + 4);
  PutLe(user.name.size(), 4, h + 8);
  PutLe(public_json.size(), 4, h + 12);
  PutLe(user.revision, 8, h + 16);
  PutLe(user.token_version, 8, h + 24);
  PutLe(static_cast<uint64_t>(user.created_at), 8, h + 32);
  PutLe(static_cast<uint64_t>(user.updated_at), 8, h + 40);
  out->append(user.role);
  out->append(user.email);
  out->append(user.name);
  out->append(public_json);
  return core::Status::Ok();
}

core::Status DecodeUser(std::string_view stored, UserRecord* out) {
  UserLayout l;
  core::Status s = ParseUserHeader(stored, &l);
  if (!s.ok()) return s;
  const char* p = stored.data();
  out->revision = GetLe(p + 16, 8);
  out->token_version = GetLe(p + 24, 8);
  out->created_at = static_cast<int64_t>(GetLe(p + 32, 8));
  out->updated_at = static_cast<int64_t>(GetLe(p + 40, 8));
  const char* v = p + kUserHeader;
  AssignOrClear(&out->role, v, l.role);
  v += l.role;
  AssignOrClear(&out->email, v, l.email);
  v += l.email;
  AssignOrClear(&out->name, v, l.name);
  return core::Status::Ok();
}

core::Status DecodeUserJson(std::string_view stored, std::string_view* json, uint64_t* revision) {
  UserLayout l;
  core::Status s = ParseUserHeader(stored, &l);
  if (!s.ok()) return s;
  *revision = GetLe(stored.data() + 16, 8);
  *json = stored.substr(stored.size() - l.json);
  return core::Status::Ok();
}

core::Status EncodeSession(const SessionRecord& session, std::string* out) {
  if (session.family.size() > 255) return core::Status::InvalidArgument("family is too long");
  out->assign(kSessionHeader, '\0');
  char* h = out->data();
  h[0] = static_cast<char>(kSessionFormat);
  h[1] = session.used ? 1 : 0;
  h[2] = static_cast<char>(session.family.size());
  PutLe(session.user_id, 8, h + 8);
  PutLe(static_cast<uint64_t>(session.expires_at), 8, h + 16);
  PutLe(static_cast<uint64_t>(session.ends_at), 8, h + 24);
  out->append(session.family);
  return core::Status::Ok();
}

core::Status DecodeSession(std::string_view stored, SessionRecord* out) {
  if (stored.size() < kSessionHeaderV1)
    return core::Status::Corruption("stored session is truncated");
  const char* p = stored.data();
  const auto format = static_cast<unsigned char>(p[0]);
  if (format != kSessionFormat && format != kSessionFormatV1) {
    return core::Status::Corruption("stored session has an unknown format");
  }
  const size_t header = format == kSessionFormat ? kSessionHeader : kSessionHeaderV1;
  size_t family = static_cast<unsigned char>(p[2]);
  if (header + family != stored.size()) {
    return core::Status::Corruption("stored session has inconsistent lengths");
  }
  out->used = p[1] != 0;
  out->user_id = GetLe(p + 8, 8);
  out->expires_at = static_cast<int64_t>(GetLe(p + 16, 8));
  out->ends_at =
      format == kSessionFormat ? static_cast<int64_t>(GetLe(p + 24, 8)) : out->expires_at;
  AssignOrClear(&out->family, p + header, family);
  return core::Status::Ok();
}

}  // namespace keel::storage
