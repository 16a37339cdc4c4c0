#include "core/listen_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace keel::core {
namespace {

Status Errno(const char* what, const ListenAddress& addr) {
  return Status::IoError(std::string(what) + " " + addr.host + ":" + std::to_string(addr.port) +
                         ": " + std::strerror(errno));
}

std::string HostPort(const ListenAddress& addr) {
  bool v6 = addr.host.find(':') != std::string::npos;
  return (v6 ? "[" + addr.host + "]" : addr.host) + ":" + std::to_string(addr.port);
}

Status InUse(const ListenAddress& addr) {
  return Status::IoError(HostPort(addr) + " is already in use by another process");
}

struct SocketAddress {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
};

Result<SocketAddress> Resolve(const ListenAddress& addr) {
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
  if (inet_pton(AF_INET, addr.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(addr.port);
    a.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, addr.host.c_str(), &v6->sin6_addr) == 1) {
    a.family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(addr.port);
    a.len = sizeof(sockaddr_in6);
  } else {
    return Status::InvalidArgument("not an IP address: " + addr.host);
  }
  return a;
}

// A socket with SO_REUSEADDR (so connections in TIME_WAIT do not block a
// restart) and, when `reuse_port`, SO_REUSEPORT, bound to `a`.
Result<int> BoundSocket(const ListenAddress& addr, const SocketAddress& a, bool reuse_port) {
  int fd = ::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket", addr);
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)) {
    Status s = Errno("setsockopt", addr);
    ::close(fd);
    return s;
  }
  if (a.family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0) {
    Status s = errno == EADDRINUSE ? InUse(addr) : Errno("bind", addr);
    ::close(fd);
    return s;
  }
  return fd;
}

}  // namespace

Status EnsureAddressFree(const ListenAddress& addr) {
  if (addr.port == 0) return Status::Ok();
  Result<SocketAddress> a = Resolve(addr);
  if (!a.ok()) return a.status();
  Result<int> probe = BoundSocket(addr, a.value(), /*reuse_port=*/false);
  if (!probe.ok()) return probe.status();
  ::close(probe.value());
  return Status::Ok();
}

Result<int> OpenListenSocket(const ListenAddress& addr, int backlog) {
  Result<SocketAddress> a = Resolve(addr);
  if (!a.ok()) return a.status();
  Result<int> bound = BoundSocket(addr, a.value(), /*reuse_port=*/true);
  if (!bound.ok()) return bound.status();
  int fd = bound.value();
  if (::listen(fd, backlog) != 0) {
    Status s = Errno("listen", addr);
    ::close(fd);
    return s;
  }
  return fd;
}

Result<uint16_t> BoundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    return Status::IoError(std::string("getsockname: ") + std::strerror(errno));
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

}  // namespace keel::core
