#include "storage/lmdb_env.h"

#include <filesystem>
#include <system_error>

#include "core/log.h"
#include "storage/keys.h"
#include "storage/lmdb_error.h"
#include "storage/txn.h"

namespace keel::storage {
namespace {

// Six databases today; a little headroom so a later schema can add one
// without a new flag (each slot costs a few bytes per transaction).
constexpr MDB_dbi kMaxDbs = 8;

// Hashes of passwords and tokens live here: owner-only.
constexpr mdb_mode_t kFileMode = 0600;

core::Status MakeDir(const std::string& dir) {
  if (dir.empty()) return core::Status::InvalidArgument("the data dir is empty");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::Status::IoError("cannot create data dir '" + dir + "': " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) {
    return core::Status::IoError("data dir '" + dir + "' is not a directory");
  }
  return core::Status::Ok();
}

unsigned int SyncFlags(SyncMode mode) {
  switch (mode) {
    case SyncMode::kMeta:
      return MDB_NOMETASYNC;
    case SyncMode::kNone:
      return MDB_NOSYNC;
    case SyncMode::kFull:
      break;
  }
  return 0;
}

core::Status PutMeta(MDB_txn* txn, MDB_dbi meta, std::string_view key, uint64_t value) {
  MDB_val k = ToVal(key);
  IdKey bytes(value);
  MDB_val v = bytes.val();
  return MdbStatus(mdb_put(txn, meta, &k, &v, 0), "cannot write the schema");
}

}  // namespace

LmdbEnv::LmdbEnv(MDB_env* env) : env_(env) {}

LmdbEnv::~LmdbEnv() { mdb_env_close(env_); }

core::Result<std::shared_ptr<LmdbEnv>> LmdbEnv::Open(const StoreOptions& options) {
  core::Status s = MakeDir(options.dir);
  if (!s.ok()) return s;
  if (options.max_readers == 0) return core::Status::InvalidArgument("max_readers must be > 0");
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != 0) return MdbStatus(rc, "cannot create an LMDB environment");
  // Owned from here on, so every early return closes it.
  std::shared_ptr<LmdbEnv> env(new LmdbEnv(raw));
  const std::string where = "cannot open the database in '" + options.dir + "'";
  if ((rc = mdb_env_set_maxreaders(raw, options.max_readers)) != 0 ||
      (rc = mdb_env_set_maxdbs(raw, kMaxDbs)) != 0 ||
      (rc = mdb_env_set_mapsize(raw, options.map_size)) != 0) {
    return MdbStatus(rc, where);
  }
  // No MDB_WRITEMAP: the writer's nested transactions need it off.
  unsigned int flags = MDB_NOTLS | SyncFlags(options.sync);
  rc = mdb_env_open(raw, options.dir.c_str(), flags, kFileMode);
  if (rc != 0) return MdbStatus(rc, where);

  int dead = 0;
  rc = mdb_reader_check(raw, &dead);
  if (rc != 0) return MdbStatus(rc, where);
  LOG_INFO("storage: opened '%s', cleared %d stale reader slot(s)", options.dir.c_str(), dead);

  env->max_key_size_ = static_cast<size_t>(mdb_env_get_maxkeysize(raw));
  s = env->OpenDatabases(options.dir);
  if (!s.ok()) return s;
  return env;
}

// Opens (creating) every named database in one write transaction; the
// handles stay valid after its commit for the environment's lifetime.
core::Status LmdbEnv::OpenDatabases(const std::string& dir) {
  ScopedTxn txn;
  int rc = txn.Begin(env_, nullptr, 0);
  if (rc != 0) return MdbStatus(rc, "cannot open the database in '" + dir + "'");
  struct Named {
    const char* name;
    MDB_dbi* dbi;
  } named[] = {{kMetaDbName, &dbis_.meta},    {"users", &dbis_.users},
               {"emails", &dbis_.emails},     {"credentials", &dbis_.credentials},
               {"sessions", &dbis_.sessions}, {"user_sessions", &dbis_.user_sessions}};
  for (const Named& n : named) {
    rc = mdb_dbi_open(txn.get(), n.name, MDB_CREATE, n.dbi);
    if (rc != 0) return MdbStatus(rc, std::string("cannot open the '") + n.name + "' database");
  }

  MDB_val key = ToVal(kMetaSchemaVersion);
  MDB_val val;
  rc = mdb_get(txn.get(), dbis_.meta, &key, &val);
  if (rc == MDB_NOTFOUND) {
    MDB_stat st;
    rc = mdb_stat(txn.get(), dbis_.users, &st);
    if (rc != 0) return MdbStatus(rc, "cannot read the users database");
    if (st.ms_entries != 0) {
      return core::Status::Corruption("the database in '" + dir +
                                      "' has users but no schema version");
    }
    core::Status s = PutMeta(txn.get(), dbis_.meta, kMetaSchemaVersion, kSchemaVersion);
    if (s.ok()) s = PutMeta(txn.get(), dbis_.meta, kMetaNextUserId, 1);
    if (!s.ok()) return s;
  } else if (rc != 0) {
    return MdbStatus(rc, "cannot read the schema version");
  } else {
    if (val.mv_size != 8) return core::Status::Corruption("the schema version is malformed");
    uint64_t version = GetBigEndian64(static_cast<const unsigned char*>(val.mv_data));
    if (version != kSchemaVersion) {
      return core::Status::FailedPrecondition(
          "the database in '" + dir + "' has schema version " + std::to_string(version) +
          "; this build reads version " + std::to_string(kSchemaVersion));
    }
  }
  return MdbStatus(txn.Commit(), "cannot write the schema");
}

}  // namespace keel::storage
