// Listening sockets with SO_REUSEPORT.
//
// libuv 1.44 has no flag for SO_REUSEPORT, so the socket is made here: create,
// set the options, bind, listen, then hand the fd to uv_tcp_open. Each worker
// binds its own socket to the same address and the kernel spreads incoming
// connections across them, so workers never share an accept queue or a lock.
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
Result<uint16_t> BoundPort(int fd);

}  // namespace keel::core
