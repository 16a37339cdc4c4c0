// Private to auth/: small POSIX file helpers shared by the key files
// (secret_key.cc, key_dir.cc).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace keel::auth::internal {

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may carry (e.g. from NFS).
  int Close();

 private:
  int fd_;
};

std::string ErrnoText(int err);

// Reads all of `fd`, but at most `limit` + 1 bytes (enough to tell that a
// file is too large). Returns false with errno set on a read error.
bool ReadAll(int fd, size_t limit, std::string* out);
bool WriteAll(int fd, std::string_view data);
// fsync()s a directory, so that entries created in it survive a crash.
core::Status SyncDir(const std::string& dir);

// Makes `path` appear with exactly `bytes` and mode 0600, complete or not at
// all: written and fsync()ed under a hidden temporary name in `dir`
// (".<name>.tmp.<pid>.<random>"), then moved into place and the directory
// synced. With `replace` false the move is a link(), which fails with
// AlreadyExists instead of replacing an existing file; otherwise a rename().
// A crash can leave the temporary behind; it is hidden, and never read.
core::Status WriteFileAtomically(const std::string& dir, const std::string& name,
                                 std::string_view bytes, bool replace);

}  // namespace keel::auth::internal
