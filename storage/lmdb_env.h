// The LMDB environment of a Store and its named databases. Private to
// storage/.
//
// Shared (shared_ptr) by the Store, its writer and every Reader, so the
// environment is closed only after the last user of it is gone: a Reader
// that outlives its Store keeps the environment, not a dangling handle.
// Thread-safe after Open: LMDB environments and dbi handles may be used from
// any thread (the environment is opened with MDB_NOTLS, so a read
// transaction is not bound to the thread that began it).
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/store.h"

namespace keel::storage {

// Named database handles, valid for the environment's lifetime.
struct Dbis {
  MDB_dbi meta = 0;           // kMeta* keys -> big-endian u64
  MDB_dbi users = 0;          // BE8 id -> stored user (user_codec.h)
  MDB_dbi emails = 0;         // lower-cased email -> BE8 id
  MDB_dbi credentials = 0;    // BE8 id -> password hash
  MDB_dbi sessions = 0;       // token hash -> stored session (user_codec.h)
  MDB_dbi user_sessions = 0;  // BE8 user id + token hash -> empty
};

// Schema of the meta database. A build refuses a file whose version it
// does not know rather than guess at its layout.
inline constexpr char kMetaDbName[] = "meta";
inline constexpr std::string_view kMetaSchemaVersion = "schema_version";
inline constexpr std::string_view kMetaNextUserId = "next_user_id";
inline constexpr uint64_t kSchemaVersion = 1;

class LmdbEnv {
 public:
  // Creates options.dir (and its parents) if missing, opens the
  // environment, clears reader slots of dead processes, opens the named
  // databases and checks or writes the schema. The error message names the
  // directory and the reason.
  static core::Result<std::shared_ptr<LmdbEnv>> Open(const StoreOptions& options);

  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  MDB_env* env() const { return env_; }
  const Dbis& dbis() const { return dbis_; }
  // LMDB's key size limit (511 bytes in a default build).
  size_t max_key_size() const { return max_key_size_; }

 private:
  explicit LmdbEnv(MDB_env* env);
  core::Status OpenDatabases(const std::string& dir);

  MDB_env* env_;
  Dbis dbis_;
  size_t max_key_size_ = 0;
};

}  // namespace keel::storage
