#include "storage/write_txn.h"

#include <cstring>

#include "storage/keys.h"
#include "storage/lmdb_error.h"
#include "storage/queries.h"
#include "storage/txn.h"
#include "storage/user_codec.h"

namespace keel::storage {
namespace {

bool IsHardFailure(const core::Status& s) {
  using Code = core::Status::Code;
  return s.code() == Code::kIoError || s.code() == Code::kCorruption ||
         s.code() == Code::kResourceExhausted || s.code() == Code::kUnavailable;
}

bool StartsWith(const MDB_val& key, const unsigned char* prefix, size_t n) {
  return key.mv_size >= n && std::memcmp(key.mv_data, prefix, n) == 0;
}

}  // namespace

void LmdbWriteTxn::Bind(MDB_txn* txn) {
  txn_ = txn;
  failure_ = core::Status::Ok();
}

core::Status LmdbWriteTxn::Note(core::Status s) {
  if (failure_.ok() && IsHardFailure(s)) failure_ = s;
  return s;
}

core::Status LmdbWriteTxn::Put(MDB_dbi dbi, MDB_val key, MDB_val val, std::string_view what) {
  return Note(MdbStatus(mdb_put(txn_, dbi, &key, &val, 0), what));
}

core::Status LmdbWriteTxn::Del(MDB_dbi dbi, MDB_val key, std::string_view what) {
  int rc = mdb_del(txn_, dbi, &key, nullptr);
  if (rc == MDB_NOTFOUND) return core::Status::Ok();
  return Note(MdbStatus(rc, what));
}

core::Result<uint64_t> LmdbWriteTxn::NextUserId() {
  MDB_val key = ToVal(kMetaNextUserId), val;
  int rc = mdb_get(txn_, env_.dbis().meta, &key, &val);
  if (rc != 0) return Note(MdbStatus(rc, "cannot read the next user id"));
  if (val.mv_size != 8) return Note(core::Status::Corruption("the next user id is malformed"));
  uint64_t id = GetBigEndian64(static_cast<const unsigned char*>(val.mv_data));
  IdKey next(id + 1);
  core::Status s = Put(env_.dbis().meta, key, next.val(), "cannot store the next user id");
  if (!s.ok()) return s;
  return id;
}

core::Status LmdbWriteTxn::GetUser(uint64_t id, UserRecord* out) {
  return Note(storage::GetUser(txn_, env_, id, out));
}

core::Status LmdbWriteTxn::FindUserIdByEmail(std::string_view email, uint64_t* id) {
  return Note(storage::FindUserIdByEmail(txn_, env_, email, &key_, id));
}

// The uniqueness check and the index update run in the same transaction,
// and only the writer thread writes, so two concurrent sign-ups with one
// email cannot both pass.
core::Status LmdbWriteTxn::PutUser(const UserRecord& user, std::string_view public_json) {
  if (user.id == 0) return core::Status::InvalidArgument("user id 0 is reserved");
  if (user.email.empty()) return core::Status::InvalidArgument("email is required");
  if (user.email.size() > env_.max_key_size()) {
    return core::Status::InvalidArgument("email is too long");
  }
  core::Status s = EncodeUser(user, public_json, &value_);
  if (!s.ok()) return s;

  uint64_t owner = 0;
  s = storage::FindUserIdByEmail(txn_, env_, user.email, &key_, &owner);  // fills key_
  if (s.ok() && owner != user.id) return core::Status::AlreadyExists("email is already taken");
  if (!s.ok() && s.code() != core::Status::Code::kNotFound) return Note(s);

  s = storage::GetUser(txn_, env_, user.id, &old_user_);
  if (s.ok()) {
    LowerEmailInto(old_user_.email, &old_key_);
    if (old_key_ != key_) s = Del(env_.dbis().emails, ToVal(old_key_), "cannot unlink the email");
  } else if (s.code() == core::Status::Code::kNotFound) {
    s = core::Status::Ok();
  }
  if (!s.ok()) return Note(s);

  IdKey id(user.id);
  s = Put(env_.dbis().users, id.val(), ToVal(value_), "cannot store the user");
  if (s.ok()) s = Put(env_.dbis().emails, ToVal(key_), id.val(), "cannot index the email");
  return s;
}

// Removes the email entry only if it still points at this user: an index
// out of step must not let one user's delete free another's email.
core::Status LmdbWriteTxn::UnlinkEmail(const std::string& email, uint64_t id) {
  uint64_t owner = 0;
  core::Status s = storage::FindUserIdByEmail(txn_, env_, email, &key_, &owner);
  if (s.code() == core::Status::Code::kNotFound) return core::Status::Ok();
  if (!s.ok()) return Note(s);
  if (owner != id) return core::Status::Ok();
  return Del(env_.dbis().emails, ToVal(key_), "cannot unlink the email");
}

core::Status LmdbWriteTxn::DeleteUser(uint64_t id) {
  core::Status s = GetUser(id, &old_user_);
  if (!s.ok()) return s;
  s = UnlinkEmail(old_user_.email, id);
  IdKey key(id);
  if (s.ok()) s = Del(env_.dbis().users, key.val(), "cannot delete the user");
  if (s.ok()) s = Del(env_.dbis().credentials, key.val(), "cannot delete the credentials");
  if (s.ok()) s = DeleteSessions(id, {}, Match::kAllButFamily);
  return s;
}

core::Status LmdbWriteTxn::GetPasswordHash(uint64_t id, std::string* hash) {
  return Note(storage::GetPasswordHash(txn_, env_, id, hash));
}

core::Status LmdbWriteTxn::PutPasswordHash(uint64_t id, std::string_view hash) {
  IdKey key(id);
  return Put(env_.dbis().credentials, key.val(), ToVal(hash), "cannot store the password hash");
}

core::Status LmdbWriteTxn::GetSession(std::string_view token_hash, SessionRecord* out) {
  return Note(storage::GetSession(txn_, env_, token_hash, out));
}

core::Status LmdbWriteTxn::PutSession(std::string_view token_hash, const SessionRecord& session) {
  // The index key is 8 bytes of id plus the hash, and must fit LMDB's limit.
  if (token_hash.empty() || token_hash.size() + 8 > env_.max_key_size()) {
    return core::Status::InvalidArgument("token hash must be 1 to 503 bytes");
  }
  core::Status s = EncodeSession(session, &value_);
  if (!s.ok()) return s;
  // Re-pointing a token at another user must not leave it in the old
  // user's index, where a later DeleteUserSessions would remove it.
  s = storage::GetSession(txn_, env_, token_hash, &session_);
  if (s.ok() && session_.user_id != session.user_id) {
    SessionIndexKeyInto(session_.user_id, token_hash, &key_);
    s = Del(env_.dbis().user_sessions, ToVal(key_), "cannot unlink the session");
  } else if (s.code() == core::Status::Code::kNotFound) {
    s = core::Status::Ok();
  }
  if (!s.ok()) return Note(s);
  s = Put(env_.dbis().sessions, ToVal(token_hash), ToVal(value_), "cannot store the session");
  if (!s.ok()) return s;
  SessionIndexKeyInto(session.user_id, token_hash, &key_);
  return Put(env_.dbis().user_sessions, ToVal(key_), MDB_val{0, nullptr},
             "cannot index the session");
}

core::Status LmdbWriteTxn::DeleteSession(std::string_view token_hash) {
  core::Status s = GetSession(token_hash, &session_);
  if (!s.ok()) return s;
  s = Del(env_.dbis().sessions, ToVal(token_hash), "cannot delete the session");
  if (!s.ok()) return s;
  SessionIndexKeyInto(session_.user_id, token_hash, &key_);
  return Del(env_.dbis().user_sessions, ToVal(key_), "cannot unlink the session");
}

core::Status LmdbWriteTxn::DeleteUserSessions(uint64_t user_id, std::string_view keep_family) {
  return DeleteSessions(user_id, keep_family, Match::kAllButFamily);
}

core::Status LmdbWriteTxn::DeleteFamily(uint64_t user_id, std::string_view family) {
  return DeleteSessions(user_id, family, Match::kOnlyFamily);
}

// Fills tokens_ with the token hashes in the user's index. Collecting first
// and deleting afterwards keeps the cursor walk free of concurrent
// modification.
core::Status LmdbWriteTxn::CollectUserTokens(uint64_t user_id) {
  tokens_.clear();
  ScopedCursor cursor;
  int rc = cursor.Open(txn_, env_.dbis().user_sessions);
  if (rc != 0) return Note(MdbStatus(rc, "cannot scan sessions"));
  unsigned char prefix[8];
  PutBigEndian64(user_id, prefix);
  MDB_val key{sizeof(prefix), prefix}, val;
  for (rc = mdb_cursor_get(cursor.get(), &key, &val, MDB_SET_RANGE);
       rc == 0 && StartsWith(key, prefix, sizeof(prefix));
       rc = mdb_cursor_get(cursor.get(), &key, &val, MDB_NEXT)) {
    tokens_.emplace_back(ToView(key).substr(sizeof(prefix)));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return Note(MdbStatus(rc, "cannot scan sessions"));
  return core::Status::Ok();
}

core::Status LmdbWriteTxn::DeleteSessions(uint64_t user_id, std::string_view family, Match match) {
  core::Status s = CollectUserTokens(user_id);
  for (size_t i = 0; s.ok() && i < tokens_.size(); ++i) {
    const std::string& token = tokens_[i];
    s = storage::GetSession(txn_, env_, token, &session_);
    if (s.ok()) {
      bool in_family = !family.empty() && session_.family == family;
      bool doomed = match == Match::kOnlyFamily ? in_family : !in_family;
      if (!doomed) continue;
      s = Del(env_.dbis().sessions, ToVal(token), "cannot delete the session");
    } else if (s.code() == core::Status::Code::kNotFound) {
      s = core::Status::Ok();  // a dangling index entry: drop it
    } else {
      return Note(s);
    }
    if (!s.ok()) return s;
    SessionIndexKeyInto(user_id, token, &key_);
    s = Del(env_.dbis().user_sessions, ToVal(key_), "cannot unlink the session");
  }
  return s;
}

core::Result<uint64_t> LmdbWriteTxn::CountUsers() {
  MDB_stat st;
  int rc = mdb_stat(txn_, env_.dbis().users, &st);
  if (rc != 0) return Note(MdbStatus(rc, "cannot count users"));
  return static_cast<uint64_t>(st.ms_entries);
}

core::Result<uint64_t> LmdbWriteTxn::CountAdmins() {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn_, env_.dbis().users, &cursor);
  if (rc != 0) return Note(MdbStatus(rc, "cannot count admins"));
  uint64_t admins = 0;
  UserRecord user;
  MDB_val key, val;
  core::Status s;
  for (rc = mdb_cursor_get(cursor, &key, &val, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &val, MDB_NEXT)) {
    s = DecodeUser(std::string_view(static_cast<const char*>(val.mv_data), val.mv_size), &user);
    if (!s.ok()) break;
    if (user.role == kRoleAdmin) ++admins;
  }
  mdb_cursor_close(cursor);
  if (!s.ok()) return Note(s);
  if (rc != MDB_NOTFOUND) return Note(MdbStatus(rc, "cannot count admins"));
  return admins;
}

core::Status RunInTxn(const LmdbEnv& env, MDB_txn* parent, const Store::WriteOp& op,
                      LmdbWriteTxn* txn) {
  ScopedTxn scoped;
  int rc = scoped.Begin(env.env(), parent, 0);
  if (rc != 0) return MdbStatus(rc, "cannot begin a write transaction");
  txn->Bind(scoped.get());
  core::Status s = op(*txn);
  core::Status failure = txn->failure();
  txn->Bind(nullptr);
  if (failure.code() == core::Status::Code::kResourceExhausted || (s.ok() && !failure.ok())) {
    s = std::move(failure);
  }
  if (!s.ok()) return s;  // `scoped` aborts: no trace of the op
  return MdbStatus(scoped.Commit(), "cannot commit");
}

}  // namespace keel::storage
