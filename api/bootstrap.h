// The first admin: KEEL_ADMIN_EMAIL + KEEL_ADMIN_PASSWORD on a first start
// with no users (docs/api.md, "The first admin").
#pragma once

#include <functional>

#include "auth/password_hasher.h"
#include "core/status.h"
#include "storage/store.h"

namespace keel::api {

// When the store holds no user and both variables are set, creates the
// admin (name "Administrator") and logs its id. With users present the
// variables are ignored (logged); with only one of them set, an error.
core::Status BootstrapAdmin(storage::Store& store, const auth::PasswordHasher& hasher,
                            const std::function<const char*(const char*)>& getenv);

}  // namespace keel::api
