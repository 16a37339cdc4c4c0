// Process-wide limits set once at start, before workers run.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace keel::core {

// Raises RLIMIT_NOFILE's soft limit to its hard limit, so the server can hold
// as many connections as the administrator allows. Returns the new soft limit.
Result<uint64_t> RaiseOpenFilesLimit();

}  // namespace keel::core
