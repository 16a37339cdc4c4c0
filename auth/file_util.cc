#include "auth/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/tokens.h"

namespace keel::auth::internal {

using core::Status;

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::Close() {
  const int rc = ::close(fd_);
  fd_ = -1;
  return rc;
}

std::string ErrnoText(int err) { return std::strerror(err); }

bool ReadAll(int fd, size_t limit, std::string* out) {
  out->clear();
  char buf[4096];
  while (out->size() <= limit) {
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

Status SyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return Status::IoError("cannot sync " + dir + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

namespace {

// Writes a complete file under a fresh temporary name.
Status WriteTemp(const std::string& tmp, std::string_view bytes) {
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Status::IoError("cannot create " + tmp + ": " + ErrnoText(errno));
  // open()'s mode is filtered by the umask; fchmod makes it exactly 0600.
  if (::fchmod(fd.get(), 0600) != 0 || !WriteAll(fd.get(), bytes) || ::fsync(fd.get()) != 0 ||
      fd.Close() != 0) {
    return Status::IoError("cannot write " + tmp + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const std::string& dir, const std::string& name, std::string_view bytes,
                           bool replace) {
  const std::string path = dir + "/" + name;
  const std::string tmp = dir + "/." + name + ".tmp." + std::to_string(::getpid()) + "." +
                          Base64UrlEncode(RandomBytes(6));
  if (Status s = WriteTemp(tmp, bytes); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const int rc = replace ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
  const int move_errno = errno;
  if (!replace || rc != 0) ::unlink(tmp.c_str());
  if (rc != 0 && move_errno == EEXIST) return Status::AlreadyExists(path + " already exists");
  if (rc != 0) return Status::IoError("cannot create " + path + ": " + ErrnoText(move_errno));
  return SyncDir(dir);
}

}  // namespace keel::auth::internal
