#include "storage/reader.h"

#include <limits>

#include "storage/keys.h"
#include "storage/lmdb_error.h"
#include "storage/queries.h"
#include "storage/user_codec.h"

namespace keel::storage {
namespace {

core::Status RenewFailed(int rc) { return MdbStatus(rc, "cannot start a read transaction"); }

// Appends one listed user's JSON (comma-separated after the first).
core::Status AppendListed(const MDB_val& key, const MDB_val& val, size_t index, std::string* out,
                          uint64_t* id) {
  std::string_view doc;
  uint64_t revision;
  core::Status s = DecodeUserJson(ToView(val), &doc, &revision);
  if (!s.ok()) return s;
  if (key.mv_size != 8) return core::Status::Corruption("user key is malformed");
  if (index > 0) out->push_back(',');
  out->append(doc);
  *id = GetBigEndian64(static_cast<const unsigned char*>(key.mv_data));
  return s;
}

}  // namespace

LmdbReader::LmdbReader(std::shared_ptr<const LmdbEnv> env)
    : env_(std::move(env)), txn_(env_->env(), env_->dbis().users) {}

core::Status LmdbReader::GetUser(uint64_t id, UserRecord* out) {
  ReadScope scope(&txn_);
  if (scope.rc() != 0) return RenewFailed(scope.rc());
  return storage::GetUser(txn_.get(), *env_, id, out);
}

core::Status LmdbReader::GetUserJson(uint64_t id, std::string* json, uint64_t* revision) {
  ReadScope scope(&txn_);
  if (scope.rc() != 0) return RenewFailed(scope.rc());
  std::string_view stored, doc;
  core::Status s = GetStoredUser(txn_.get(), *env_, id, &stored);
  if (s.ok()) s = DecodeUserJson(stored, &doc, revision);
  if (s.ok()) json->assign(doc.begin(), doc.end());
  return s;
}

core::Status LmdbReader::FindUserIdByEmail(std::string_view email, uint64_t* id) {
  ReadScope scope(&txn_);
  if (scope.rc() != 0) return RenewFailed(scope.rc());
  return storage::FindUserIdByEmail(txn_.get(), *env_, email, &email_key_, id);
}

core::Status LmdbReader::GetPasswordHash(uint64_t id, std::string* hash) {
  ReadScope scope(&txn_);
  if (scope.rc() != 0) return RenewFailed(scope.rc());
  return storage::GetPasswordHash(txn_.get(), *env_, id, hash);
}

core::Status LmdbReader::GetSession(std::string_view token_hash, SessionRecord* out) {
  ReadScope scope(&txn_);
  if (scope.rc() != 0) return RenewFailed(scope.rc());
  return storage::GetSession(txn_.get(), *env_, token_hash, out);
}

// Appends as it walks and, on error, trims back to the caller's old size:
// the caller's prefix survives without a second buffer.
core::Status LmdbReader::ListUsersJson(uint64_t after, size_t limit, std::string* array_json,
                                       uint64_t* last_id, bool* more) {
  *last_id = 0;
  *more = false;
  if (after == std::numeric_limits<uint64_t>::max()) {  // no id can follow
    array_json->append("[]");
    return core::Status::Ok();
  }
  ReadScope scope(&txn_);
  if (scope.rc() != 0) return RenewFailed(scope.rc());
  MDB_cursor* cursor = nullptr;
  int rc = txn_.Cursor(&cursor);
  if (rc != 0) return MdbStatus(rc, "cannot list users");

  const size_t old_size = array_json->size();
  array_json->push_back('[');
  IdKey start(after + 1);
  MDB_val key = start.val(), val;
  core::Status s;
  size_t listed = 0;
  for (rc = mdb_cursor_get(cursor, &key, &val, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &val, MDB_NEXT)) {
    if (listed == limit) {
      *more = true;
      break;
    }
    s = AppendListed(key, val, listed, array_json, last_id);
    if (!s.ok()) break;
    ++listed;
  }
  if (s.ok() && rc != 0 && rc != MDB_NOTFOUND) s = MdbStatus(rc, "cannot list users");
  if (!s.ok()) {
    array_json->resize(old_size);
    *last_id = 0;
    *more = false;
    return s;
  }
  array_json->push_back(']');
  return s;
}

}  // namespace keel::storage
