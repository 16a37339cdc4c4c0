#include "auth/secret_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "auth/tokens.h"

namespace keel::auth {

namespace {

using core::Status;

// The size of the key we generate, and so of a valid jwt.key.
constexpr size_t kGeneratedKeyBytes = 64;
// A key file larger than this is surely the wrong file.
constexpr size_t kMaxKeyFileBytes = 64 * 1024;

std::string ErrnoText(int err) { return std::strerror(err); }

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may carry (e.g. from NFS).
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Reads all of `fd` (up to kMaxKeyFileBytes + 1 bytes, enough to tell that
// a file is too large). Returns false with errno set on a read error.
bool ReadAll(int fd, std::string* out) {
  out->clear();
  char buf[4096];
  while (out->size() <= kMaxKeyFileBytes) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

core::Result<std::string> LoadFromSecretFile(const std::string& path) {
  const std::string what = "--jwt-secret-file " + path + ": ";
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::InvalidArgument(what + ErrnoText(errno));
  std::string key;
  if (!ReadAll(fd.get(), &key)) return Status::InvalidArgument(what + ErrnoText(errno));
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
  if (!ReadAll(fd.get(), &key)) {
    return Status::IoError("cannot read " + path + ": " + ErrnoText(errno));
  }
  if (key.size() != kGeneratedKeyBytes) {
    return Status::Corruption(path + ": expected " + std::to_string(kGeneratedKeyBytes) +
                              " bytes, found " + std::to_string(key.size()) +
                              " (delete it to make a new key; issued tokens stop working)");
  }
  return key;
}

Status SyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return Status::IoError("cannot sync " + dir + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

// Writes a complete key file under a unique temporary name.
Status WriteTempKey(const std::string& tmp, std::string_view key) {
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Status::IoError("cannot create " + tmp + ": " + ErrnoText(errno));
  // open()'s mode is filtered by the umask; fchmod makes it exactly 0600.
  if (::fchmod(fd.get(), 0600) != 0 || !WriteAll(fd.get(), key) || ::fsync(fd.get()) != 0 ||
      fd.Close() != 0) {
    return Status::IoError("cannot write " + tmp + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

// Makes <dir>/jwt.key appear complete or not at all. The key is written and
// synced under a unique name, then link()ed to the final name: link, unlike
// rename, fails with EEXIST instead of replacing, so when two processes race
// the first one wins and the other adopts its key. A crash can leave a
// jwt.key.tmp.* file behind; it is harmless and never read.
core::Result<std::string> CreateKeyFile(const std::string& dir, const std::string& path) {
  const std::string key = RandomBytes(kGeneratedKeyBytes);
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + Base64UrlEncode(RandomBytes(6));
  if (Status s = WriteTempKey(tmp, key); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && link_errno == EEXIST) return ReadKeyFile(path);
  if (rc != 0) {
    return Status::IoError("cannot create " + path + ": " + ErrnoText(link_errno));
  }
  if (Status s = SyncDir(dir); !s.ok()) return s;
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
