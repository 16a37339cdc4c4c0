#include "api/user_ops.h"

#include "api/user_json.h"
#include "api/validation.h"
#include "core/ascii.h"

namespace keel::api {

core::Status CreateUser(storage::WriteTxn& txn, const NewUser& user, int64_t now,
                        storage::UserRecord* created, std::string* json) {
  // The writer thread runs operations one at a time, so checking and then
  // inserting cannot race another sign-up for the same email.
  uint64_t existing = 0;
  core::Status s = txn.FindUserIdByEmail(core::LowerAsciiCopy(user.email), &existing);
  if (s.ok()) return core::Status::AlreadyExists("email is already taken");
  if (s.code() != core::Status::Code::kNotFound) return s;
  core::Result<uint64_t> id = txn.NextUserId();
  if (!id.ok()) return id.status();
  created->id = id.value();
  created->email = user.email;
  created->name = user.name;
  created->role = user.role;
  created->created_at = created->updated_at = now;
  created->revision = 1;
  created->token_version = 1;
  json->clear();
  AppendUserJson(*json, *created);
  if (s = txn.PutUser(*created, *json); !s.ok()) return s;
  return txn.PutPasswordHash(created->id, user.password_hash);
}

core::Status SaveUser(storage::WriteTxn& txn, storage::UserRecord& user, int64_t now,
                      std::string* json) {
  ++user.revision;
  user.updated_at = now;
  json->clear();
  AppendUserJson(*json, user);
  return txn.PutUser(user, *json);
}

}  // namespace keel::api
