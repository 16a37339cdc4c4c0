// Lookups shared by Reader (read-only snapshot) and WriteTxn (inside the
// writer's transaction). Private to storage/. Each copies its result into
// the caller's object, reusing its strings' capacity; none allocates
// otherwise. Missing records are NotFound with short messages (they fit
// std::string's inline buffer, so a miss does not allocate either).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/lmdb_env.h"
#include "storage/store.h"

namespace keel::storage {

// The raw stored user; `out` points into LMDB's map, valid until the
// transaction ends or writes again.
core::Status GetStoredUser(MDB_txn* txn, const LmdbEnv& env, uint64_t id, std::string_view* out);
core::Status GetUser(MDB_txn* txn, const LmdbEnv& env, uint64_t id, UserRecord* out);
// `scratch` holds the lower-cased key (capacity reused).
core::Status FindUserIdByEmail(MDB_txn* txn, const LmdbEnv& env, std::string_view email,
                               std::string* scratch, uint64_t* id);
core::Status GetPasswordHash(MDB_txn* txn, const LmdbEnv& env, uint64_t id, std::string* hash);
core::Status GetSession(MDB_txn* txn, const LmdbEnv& env, std::string_view token_hash,
                        SessionRecord* out);

}  // namespace keel::storage
