// Tells a service manager (systemd with Type=notify) how startup and
// shutdown progress, through the notify protocol of sd_notify(3): one
// datagram of newline-separated KEY=VALUE assignments ("READY=1",
// "STOPPING=1") sent to the AF_UNIX datagram socket named by the
// NOTIFY_SOCKET environment variable. A name starting with '@' is in the
// Linux abstract namespace; any other must be an absolute path.
//
// Written here rather than linking libsystemd: the protocol is one sendto(),
// and keel then runs the same with or without systemd installed.
#pragma once

#include <string_view>

#include "core/status.h"

namespace keel::core {

// Sends `state` to the service manager. Does nothing and returns Ok when
// NOTIFY_SOCKET is unset or empty (keel was not started by one). Errors: an
// unusable NOTIFY_SOCKET value (InvalidArgument) or a failed socket or send
// (IoError); the caller decides whether that matters (keel logs it). Blocks
// at most for one local datagram send; any thread may call it.
Status NotifyServiceManager(std::string_view state);

}  // namespace keel::core
