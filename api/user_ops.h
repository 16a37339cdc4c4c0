// Store operations shared by sign-up, the first-admin bootstrap and
// keel-admin. Each runs inside a storage::WriteTxn (the writer thread, or a
// tool's own transaction).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/store.h"

namespace keel::api {

struct NewUser {
  std::string email;
  std::string name;
  std::string role;
  std::string password_hash;
};

// Creates the user (409 AlreadyExists if the email is taken, case-insensitive),
// fills `created` and its public JSON in `json`.
core::Status CreateUser(storage::WriteTxn& txn, const NewUser& user, int64_t now,
                        storage::UserRecord* created, std::string* json);

// Stores a changed user: bumps its revision and updated_at and rewrites its
// public JSON (into `json`).
core::Status SaveUser(storage::WriteTxn& txn, storage::UserRecord& user, int64_t now,
                      std::string* json);

}  // namespace keel::api
