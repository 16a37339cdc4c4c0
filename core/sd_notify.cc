#include "core/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace keel::core {

Status NotifyServiceManager(std::string_view state) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr || *env == '\0') return Status::Ok();
  std::string_view name(env);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // An abstract name has no terminating NUL, so it may fill sun_path; a path
  // needs room for its NUL.
  bool abstract = name.front() == '@';
  if ((!abstract && name.front() != '/') ||
      name.size() > sizeof addr.sun_path - (abstract ? 0 : 1)) {
    return Status::InvalidArgument("NOTIFY_SOCKET is not an absolute path or @abstract name: " +
                                   std::string(name));
  }
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (abstract) addr.sun_path[0] = '\0';
  // For an abstract name the length is what tells where the name ends.
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());

  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("notify socket: ") + std::strerror(errno));
  ssize_t sent;
  do {
    sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&addr), len);
  } while (sent < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (sent < 0) return Status::IoError("notify " + std::string(name) + ": " + std::strerror(err));
  if (static_cast<size_t>(sent) != state.size())
    return Status::IoError("notify " + std::string(name) + ": short send");
  return Status::Ok();
}

}  // namespace keel::core
