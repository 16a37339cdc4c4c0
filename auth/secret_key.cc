#include "auth/secret_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "auth/file_util.h"
#include "auth/tokens.h"

namespace keel::auth {

namespace {

using core::Status;
using internal::ErrnoText;
using internal::Fd;
using internal::ReadAll;

// The size of the key we generate, and so of a valid jwt.key.
constexpr size_t kGeneratedKeyBytes = 64;
// A key file larger than this is surely the wrong file.
constexpr size_t kMaxKeyFileBytes = 64 * 1024;

core::Result<std::string> LoadFromSecretFile(const std::string& path) {
  const std::string what = "--jwt-secret-file " + path + ": ";
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::InvalidArgument(what + ErrnoText(errno));
  std::string key;
  if (!ReadAll(fd.get(), kMaxKeyFileBytes, &key))
    return Status::InvalidArgument(what + ErrnoText(errno));
  if (key.size() > kMaxKeyFileBytes) return Status::InvalidArgument(what + "file too large");
  // Editors and `echo` end files with a newline that is not meant as key.
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (key.size() < kMinKeyBytes) {
    return Status::InvalidArgument("--jwt-secret-file: the key must be at least 32 bytes");
  }
  return key;
}

// Reads an existing jwt.key. NotFound if there is none.
core::Result<std::string> ReadKeyFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT) return Status::NotFound(path);
  if (fd.get() < 0) return Status::IoError("cannot open " + path + ": " + ErrnoText(errno));
  std::string key;
  if (!ReadAll(fd.get(), kMaxKeyFileBytes, &key)) {
    return Status::IoError("cannot read " + path + ": " + ErrnoText(errno));
  }
  if (key.size() != kGeneratedKeyBytes) {
    return Status::Corruption(path + ": expected " + std::to_string(kGeneratedKeyBytes) +
                              " bytes, found " + std::to_string(key.size()) +
                              " (delete it to make a new key; issued tokens stop working)");
  }
  return key;
}

// Makes <dir>/jwt.key appear complete or not at all (WriteFileAtomically
// links, never replaces): when two processes race, the first one wins and
// the other adopts its key.
core::Result<std::string> CreateKeyFile(const std::string& dir, const std::string& path) {
  const std::string key = RandomBytes(kGeneratedKeyBytes);
  Status s = internal::WriteFileAtomically(dir, "jwt.key", key, /*replace=*/false);
  if (s.code() == Status::Code::kAlreadyExists) return ReadKeyFile(path);
  if (!s.ok()) return s;
  return key;
}

}  // namespace

core::Result<std::string> LoadSigningKey(const std::string& secret_file,
                                         const std::string& data_dir) {
  if (!secret_file.empty()) return LoadFromSecretFile(secret_file);
  const std::string path = data_dir + "/jwt.key";
  core::Result<std::string> existing = ReadKeyFile(path);
  if (existing.ok() || existing.status().code() != Status::Code::kNotFound) return existing;
  return CreateKeyFile(data_dir, path);
}

}  // namespace keel::auth
