// The Ed25519 key directory (keel --jwt-keys-dir, keel-admin keys).
//
// Layout, one pair of files per key id (kid):
//   <kid>.key      the private key: its 32-byte Ed25519 seed, mode 0600
//   <kid>.retired  present once the key is retired: the retirement time,
//                  decimal seconds since the epoch and a newline
// Files are created atomically (auth/file_util.h), so a reader sees a whole
// file or none. Names starting with '.' (temporaries, editors' files) are
// ignored; anything else is refused, so a misplaced file is noticed rather
// than half-used. Kids made here are "<UTC time, YYYYMMDDTHHMMSSZ>-<6
// random base64url characters>", the time being at least a second after the
// newest key's, so byte order is creation order: that is how the newest key
// is chosen (auth/eddsa.h), on every node alike.
//
// Nothing here holds state: every call reads or writes the directory.
// Safe from any thread; keel and keel-admin may use one directory at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/eddsa.h"
#include "core/status.h"

namespace keel::auth {

// Every key in `dir`, with its retirement time. Refused, with a message
// naming the file and the fix: a directory others may write to, a key file
// others may read (mode & 077), a key file that is not exactly 32 bytes, a
// malformed .retired file, an unexpected name. An empty directory gives an
// empty list.
core::Result<std::vector<Ed25519Key>> LoadKeyDir(const std::string& dir);

// For keel's start: creates `dir` (mode 0700, parents as needed) if it does
// not exist, and a first key if it holds no key that may sign; then loads
// it as LoadKeyDir does.
core::Result<std::vector<Ed25519Key>> LoadOrCreateKeyDir(const std::string& dir, int64_t now);

// Creates a new key made at `now` (creating `dir` if needed); returns its
// kid, which sorts after every kid already there (FailedPrecondition if a
// hand-named key sorts after any time stamp).
core::Result<std::string> CreateKey(const std::string& dir, int64_t now);

// Records that `kid` was retired at `now`. NotFound for an unknown kid,
// FailedPrecondition if it is already retired or is the only key that may
// sign (make a new one first).
core::Status RetireKey(const std::string& dir, std::string_view kid, int64_t now);

}  // namespace keel::auth
