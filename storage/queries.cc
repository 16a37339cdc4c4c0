#include "storage/queries.h"

#include "storage/keys.h"
#include "storage/lmdb_error.h"
#include "storage/user_codec.h"

namespace keel::storage {
namespace {

// Looks `key` up in `dbi`; NotFound carries `missing`, a literal short
// enough not to allocate.
core::Status Get(MDB_txn* txn, MDB_dbi dbi, MDB_val key, const char* missing,
                 std::string_view* out) {
  MDB_val val;
  int rc = mdb_get(txn, dbi, &key, &val);
  if (rc == MDB_NOTFOUND) return core::Status::NotFound(missing);
  if (rc != 0) return MdbStatus(rc, "read failed");
  *out = ToView(val);
  return core::Status::Ok();
}

// A key LMDB cannot hold cannot have been stored: a plain miss, not an
// error, so callers need no special case for absurd input.
bool Storable(std::string_view key, const LmdbEnv& env) {
  return !key.empty() && key.size() <= env.max_key_size();
}

}  // namespace

core::Status GetStoredUser(MDB_txn* txn, const LmdbEnv& env, uint64_t id, std::string_view* out) {
  IdKey key(id);
  return Get(txn, env.dbis().users, key.val(), "no such user", out);
}

core::Status GetUser(MDB_txn* txn, const LmdbEnv& env, uint64_t id, UserRecord* out) {
  std::string_view stored;
  core::Status s = GetStoredUser(txn, env, id, &stored);
  if (!s.ok()) return s;
  s = DecodeUser(stored, out);
  if (s.ok()) out->id = id;
  return s;
}

core::Status FindUserIdByEmail(MDB_txn* txn, const LmdbEnv& env, std::string_view email,
                               std::string* scratch, uint64_t* id) {
  if (!Storable(email, env)) return core::Status::NotFound("no such email");
  LowerEmailInto(email, scratch);
  std::string_view stored;
  core::Status s = Get(txn, env.dbis().emails, ToVal(*scratch), "no such email", &stored);
  if (!s.ok()) return s;
  if (stored.size() != 8) return core::Status::Corruption("email index entry is malformed");
  *id = GetBigEndian64(reinterpret_cast<const unsigned char*>(stored.data()));
  return core::Status::Ok();
}

core::Status GetPasswordHash(MDB_txn* txn, const LmdbEnv& env, uint64_t id, std::string* hash) {
  IdKey key(id);
  std::string_view stored;
  core::Status s = Get(txn, env.dbis().credentials, key.val(), "no password", &stored);
  if (!s.ok()) return s;
  hash->assign(stored.begin(), stored.end());
  return core::Status::Ok();
}

core::Status GetSession(MDB_txn* txn, const LmdbEnv& env, std::string_view token_hash,
                        SessionRecord* out) {
  if (!Storable(token_hash, env)) return core::Status::NotFound("no such session");
  std::string_view stored;
  core::Status s = Get(txn, env.dbis().sessions, ToVal(token_hash), "no such session", &stored);
  if (!s.ok()) return s;
  return DecodeSession(stored, out);
}

}  // namespace keel::storage
