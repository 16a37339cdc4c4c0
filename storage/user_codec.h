// The stored form of a user (value of the "users" db) and of a session
// (value of the "sessions" db). Private to storage/.
//
// User, format 1, all integers little-endian:
//   [0] u8 format = 1   [1] u8 role length   [2..3] zero
//   [4] u32 email length   [8] u32 name length   [12] u32 json length
//   [16] u64 revision   [24] u64 token_version
//   [32] i64 created_at [40] i64 updated_at
//   [48] role, email, name, then the public JSON bytes.
// The id is the key, so it is not repeated. The JSON comes last and its
// offset follows from the header alone, so GetUserJson is one lookup, a
// header read and one copy; the parsed fields serve the writer and auth.
//
// Session, format 1:
//   [0] u8 format = 1   [1] u8 used   [2] u8 family length   [3..7] zero
//   [8] u64 user_id   [16] i64 expires_at   [24] family bytes.
//
// A leading format byte lets a later build read old records and rewrite
// them lazily instead of migrating the whole file at start.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/store.h"

namespace keel::storage {

// Writes the stored form into `out` (capacity reused). InvalidArgument when
// a field is too long for its length slot.
core::Status EncodeUser(const UserRecord& user, std::string_view public_json, std::string* out);

// Parses every field but the id (the caller knows the key). Corruption on a
// truncated record or an unknown format.
core::Status DecodeUser(std::string_view stored, UserRecord* out);

// The public JSON inside a stored user (a view into `stored`) and its
// revision, without touching the other fields.
core::Status DecodeUserJson(std::string_view stored, std::string_view* json, uint64_t* revision);

core::Status EncodeSession(const SessionRecord& session, std::string* out);
core::Status DecodeSession(std::string_view stored, SessionRecord* out);

}  // namespace keel::storage
