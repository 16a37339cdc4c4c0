// Keel's user store: one LMDB environment in the data dir.
//
// Named databases: users (id -> stored user: internal fields + the public
// JSON ready to send), emails (lower-cased email -> id), credentials
// (id -> argon2id hash), sessions (refresh-token hash -> session), a
// per-user session index, and meta (schema version, next id). LMDB types
// never appear in this header.
//
// Reads: each worker thread owns one Reader. A Reader keeps one read-only
// transaction that it renews for each call and resets before returning, so
// a read allocates nothing and no snapshot is held between requests (a long
// reader would stop LMDB reusing pages). Results are copied into caller
// buffers whose capacity is reused.
//
// Writes: Submit() queues an operation for the single writer thread. The
// writer drains the queue and runs every queued operation in one write
// transaction (group commit): each operation runs in its own nested
// transaction, so one failing operation rolls back alone; then one commit
// (one fsync in SyncMode::kFull) makes all of them durable. Each `done`
// callback runs on the writer thread after that commit, with the
// operation's own Status, or with the commit's error if the commit failed.
// A full map fails the operation with ResourceExhausted (507); reads go on.
// LMDB can only grow the map in a process with no open transaction, so
// growing is a restart with a larger map size: the data file keeps its
// contents and LMDB maps the larger size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace keel::storage {

struct StoreMetrics;

// What a crash can lose. kFull (LMDB's default): nothing that was
// acknowledged. kMeta (MDB_NOMETASYNC): the last transactions before the
// crash may roll back, the database stays consistent. kNone (MDB_NOSYNC):
// everything since the OS last flushed, and an OS crash can corrupt.
enum class SyncMode { kFull, kMeta, kNone };

struct StoreOptions {
  std::string dir;                 // created if missing
  uint64_t map_size = 1ull << 36;  // address space reserved, not disk
  SyncMode sync = SyncMode::kFull;
  unsigned max_readers = 256;
  size_t max_queued_writes = 65536;  // Submit answers Busy past this
};

inline constexpr std::string_view kRoleUser = "user";
inline constexpr std::string_view kRoleAdmin = "admin";

struct UserRecord {
  uint64_t id = 0;
  std::string email;  // as the user gave it; uniqueness is case-insensitive
  std::string name;
  std::string role;        // kRoleUser or kRoleAdmin
  int64_t created_at = 0;  // unix seconds
  int64_t updated_at = 0;
  uint64_t revision = 0;       // bumped by every change; the ETag
  uint64_t token_version = 0;  // bumped by a password change or revocation
};

struct SessionRecord {
  uint64_t user_id = 0;
  std::string family;  // 16 random bytes shared by all rotations of a login
  int64_t expires_at = 0;
  // The absolute end of the login this token belongs to (--session-max-age
  // after the login): rotation copies it, so refreshing never extends it.
  int64_t ends_at = 0;
  bool used = false;  // already rotated: presenting it again is reuse
};

struct StoreStats {
  uint64_t map_size = 0;
  uint64_t page_size = 0;
  uint64_t pages_used = 0;
  uint32_t max_readers = 0;
  uint32_t readers_used = 0;
  uint64_t users = 0;
  uint64_t emails = 0;
  uint64_t credentials = 0;
  uint64_t sessions = 0;
};

// The operations a write may perform, inside the writer's transaction. Only
// valid during the WriteOp call, on the writer thread.
class WriteTxn {
 public:
  virtual ~WriteTxn() = default;
  // Allocates the next user id (ids only grow, even across deletes).
  virtual core::Result<uint64_t> NextUserId() = 0;
  virtual core::Status GetUser(uint64_t id, UserRecord* out) = 0;
  virtual core::Status FindUserIdByEmail(std::string_view email, uint64_t* id) = 0;
  // Inserts or replaces the user and its public JSON; keeps the email index
  // (lower-cased) in step. AlreadyExists if another user has the email.
  virtual core::Status PutUser(const UserRecord& user, std::string_view public_json) = 0;
  // Removes the user, its email, its credentials and all its sessions.
  virtual core::Status DeleteUser(uint64_t id) = 0;
  virtual core::Status GetPasswordHash(uint64_t id, std::string* hash) = 0;
  virtual core::Status PutPasswordHash(uint64_t id, std::string_view hash) = 0;
  virtual core::Status GetSession(std::string_view token_hash, SessionRecord* out) = 0;
  virtual core::Status PutSession(std::string_view token_hash, const SessionRecord& s) = 0;
  virtual core::Status DeleteSession(std::string_view token_hash) = 0;
  // Ends every session of the user, except those of `keep_family` (empty:
  // none kept).
  virtual core::Status DeleteUserSessions(uint64_t user_id, std::string_view keep_family = {}) = 0;
  // Ends every session of one refresh-token family (reuse detected).
  virtual core::Status DeleteFamily(uint64_t user_id, std::string_view family) = 0;
  virtual core::Result<uint64_t> CountUsers() = 0;
  // Users whose role is admin. A scan of the users: for the rare writes
  // that demote or delete an admin (the last one must stay).
  virtual core::Result<uint64_t> CountAdmins() = 0;
};

// Read side: one per thread, not thread-safe. Every call copies its result
// out and ends its snapshot before returning.
class Reader {
 public:
  virtual ~Reader() = default;
  virtual core::Status GetUser(uint64_t id, UserRecord* out) = 0;
  // The stored public JSON (one lookup, one copy) and its revision.
  virtual core::Status GetUserJson(uint64_t id, std::string* json, uint64_t* revision) = 0;
  virtual core::Status FindUserIdByEmail(std::string_view email, uint64_t* id) = 0;
  virtual core::Status GetPasswordHash(uint64_t id, std::string* hash) = 0;
  // Appends "[doc,doc,...]" for up to `limit` users with id > `after`, in
  // id order. `last_id` is the last id listed (0 if none); `more` says
  // whether users remain after it.
  virtual core::Status ListUsersJson(uint64_t after, size_t limit, std::string* array_json,
                                     uint64_t* last_id, bool* more) = 0;
  virtual core::Status GetSession(std::string_view token_hash, SessionRecord* out) = 0;
};

class Store {
 public:
  using WriteOp = std::function<core::Status(WriteTxn&)>;
  using Done = std::function<void(core::Status)>;

  // Opens (creating if needed) the environment in options.dir, clears
  // reader slots left by crashed processes (mdb_reader_check), checks or
  // writes the schema version, and starts the writer thread. A clear error
  // when the directory or the database is unusable.
  static core::Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;  // finishes queued writes, stops the writer, closes

  virtual std::unique_ptr<Reader> NewReader() = 0;
  // Thread-safe. Queues `op`; `done` runs once on the writer thread after
  // the commit that holds it (see above). Contract: if Submit returns an
  // error (Busy: the queue is full; Unavailable: shutting down), neither
  // is ever called.
  virtual core::Status Submit(WriteOp op, Done done) = 0;
  // Thread-safe, synchronous: runs one op in its own transaction on the
  // caller's thread. For tools (keel-admin) and startup, not for workers.
  virtual core::Status WriteNow(const WriteOp& op) = 0;
  virtual core::Status Stats(StoreStats* out) = 0;
  // The writer's metrics (storage/store_metrics.h); null if not kept.
  virtual const StoreMetrics* metrics() const { return nullptr; }
  // A consistent, compacted copy into `dir` (mdb_env_copy2), safe while the
  // store is in use. Restoring is opening the copy.
  virtual core::Status Backup(const std::string& dir) = 0;
};

}  // namespace keel::storage
