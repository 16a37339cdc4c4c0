// The LMDB implementation of WriteTxn, and the one place that runs a
// WriteOp in a transaction. Private to storage/.
#pragma once

#include <lmdb.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/lmdb_env.h"
#include "storage/store.h"

namespace keel::storage {

// Binds to one write transaction at a time (Bind), so the writer thread can
// reuse one object, and its scratch buffers, for every operation. Used by
// one thread at a time.
class LmdbWriteTxn final : public WriteTxn {
 public:
  explicit LmdbWriteTxn(const LmdbEnv& env) : env_(env) {}

  // Targets `txn` from now on and forgets the previous failure.
  void Bind(MDB_txn* txn);
  // The first LMDB failure seen since Bind (Ok if none). An op may swallow
  // an error, but LMDB has then marked the transaction unusable, and a full
  // map must still reach the client as 507: the caller overrides the op's
  // status with this one.
  const core::Status& failure() const { return failure_; }

  core::Result<uint64_t> NextUserId() override;
  core::Status GetUser(uint64_t id, UserRecord* out) override;
  core::Status FindUserIdByEmail(std::string_view email, uint64_t* id) override;
  core::Status PutUser(const UserRecord& user, std::string_view public_json) override;
  core::Status DeleteUser(uint64_t id) override;
  core::Status GetPasswordHash(uint64_t id, std::string* hash) override;
  core::Status PutPasswordHash(uint64_t id, std::string_view hash) override;
  core::Status GetSession(std::string_view token_hash, SessionRecord* out) override;
  core::Status PutSession(std::string_view token_hash, const SessionRecord& s) override;
  core::Status DeleteSession(std::string_view token_hash) override;
  core::Status DeleteUserSessions(uint64_t user_id, std::string_view keep_family) override;
  core::Status DeleteFamily(uint64_t user_id, std::string_view family) override;
  core::Result<uint64_t> CountUsers() override;
  core::Result<uint64_t> CountAdmins() override;

 private:
  // Which sessions of a user DeleteSessions removes.
  enum class Match { kAllButFamily, kOnlyFamily };

  core::Status Put(MDB_dbi dbi, MDB_val key, MDB_val val, std::string_view what);
  // A missing key is not an error here: deletes are idempotent inside.
  core::Status Del(MDB_dbi dbi, MDB_val key, std::string_view what);
  // Records a hard failure (not a miss, not a refusal) and returns it.
  core::Status Note(core::Status s);
  core::Status UnlinkEmail(const std::string& email, uint64_t id);
  core::Status DeleteSessions(uint64_t user_id, std::string_view family, Match match);
  core::Status CollectUserTokens(uint64_t user_id);

  const LmdbEnv& env_;
  MDB_txn* txn_ = nullptr;
  core::Status failure_;
  // Scratch reused across operations on the writer thread.
  std::string key_, old_key_, value_;
  UserRecord old_user_;
  SessionRecord session_;
  std::vector<std::string> tokens_;
};

// Runs `op` in a transaction nested in `parent` (or a top-level one when
// `parent` is null) through `txn`, and commits it if the op succeeded;
// otherwise aborts it, so a failed op leaves no trace. A full map anywhere
// yields ResourceExhausted.
core::Status RunInTxn(const LmdbEnv& env, MDB_txn* parent, const Store::WriteOp& op,
                      LmdbWriteTxn* txn);

}  // namespace keel::storage
