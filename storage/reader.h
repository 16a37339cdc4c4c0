// The LMDB implementation of Reader. Private to storage/.
#pragma once

#include <memory>
#include <string>

#include "storage/lmdb_env.h"
#include "storage/store.h"
#include "storage/txn.h"

namespace keel::storage {

// Holds one read-only transaction (and so one reader slot) for its whole
// life, renewed per call (see ReadTxn). Keeps the environment alive.
class LmdbReader final : public Reader {
 public:
  explicit LmdbReader(std::shared_ptr<const LmdbEnv> env);

  core::Status GetUser(uint64_t id, UserRecord* out) override;
  core::Status GetUserJson(uint64_t id, std::string* json, uint64_t* revision) override;
  core::Status FindUserIdByEmail(std::string_view email, uint64_t* id) override;
  core::Status GetPasswordHash(uint64_t id, std::string* hash) override;
  core::Status ListUsersJson(uint64_t after, size_t limit, std::string* array_json,
                             uint64_t* last_id, bool* more) override;
  core::Status GetSession(std::string_view token_hash, SessionRecord* out) override;

 private:
  std::shared_ptr<const LmdbEnv> env_;  // declared first: outlives txn_
  ReadTxn txn_;
  std::string email_key_;  // lower-cased email, capacity reused
};

}  // namespace keel::storage
