#include "api/app_context.h"

#include <chrono>
#include <ctime>

namespace keel::api {

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

uint64_t MonotonicMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace keel::api
