// Listening sockets with SO_REUSEPORT.
//
// libuv 1.44 has no flag for SO_REUSEPORT, so the socket is made here: create,
// set the options, bind, listen, then hand the fd to uv_tcp_open. Each worker
// binds its own socket to the same address and the kernel spreads incoming
// connections across them, so workers never share an accept queue or a lock.
//
// The catch: Linux lets any socket of the same user join a SO_REUSEPORT
// group, so a second keel on a busy port would start and split the traffic
// with the first. EnsureAddressFree guards against that before the first
// worker binds.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace keel::core {

struct ListenAddress {
  std::string host;  // literal IPv4 or IPv6 address
  uint16_t port = 0;
};

// Returns a bound, listening, non-blocking socket fd. The caller owns it.
// With port 0 the kernel picks a port; BoundPort tells which, and further
// workers must bind that port so they share the group.
Result<int> OpenListenSocket(const ListenAddress& addr, int backlog);

// Fails with "HOST:PORT is already in use by another process" when any
// socket already listens on `addr`. It binds a probe socket without
// SO_REUSEPORT, which the kernel refuses while anyone listens there, and
// closes it again. Call it once, before the first OpenListenSocket of a
// group; port 0 always passes (the kernel picks a free port). A process
// that binds in the microseconds between probe and bind is not caught.
Status EnsureAddressFree(const ListenAddress& addr);
Result<uint16_t> BoundPort(int fd);

}  // namespace keel::core
