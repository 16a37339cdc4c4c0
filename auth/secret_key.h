// The HS256 signing key. keel reads it only with --jwt-secret-file (HS256
// mode); its default tokens are EdDSA with keys from auth/key_dir.h, so the
// generated jwt.key below is what older versions made (keel-admin backup
// still copies one if present).
#pragma once

#include <string>

#include "core/status.h"

namespace keel::auth {

inline constexpr size_t kMinKeyBytes = 32;

// With `secret_file` set: its bytes, less one trailing newline, at least
// kMinKeyBytes. Otherwise the key in `<data_dir>/jwt.key`, created once
// with 64 random bytes and mode 0600 (created atomically, so two processes
// starting at once agree on one key).
core::Result<std::string> LoadSigningKey(const std::string& secret_file,
                                         const std::string& data_dir);

}  // namespace keel::auth
