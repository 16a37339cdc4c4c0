// Process-wide limits set once at start, before workers run.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace keel::core {

// Raises RLIMIT_NOFILE's soft limit to its hard limit, so the server can hold
// as many connections as the administrator allows. Returns the new soft limit.
Result<uint64_t> RaiseOpenFilesLimit();

// Lowers the calling thread's scheduling priority (nice +10), once per
// thread. Thread-pool jobs that burn CPU by design (argon2id) call it so the
// event loops, which answer everything else, win the CPU when both want it:
// a login flood then slows logins more than /healthz. Linux nice values
// are per-thread, so this touches only the calling pool thread.
void DeprioritizeThisThread();

}  // namespace keel::core
