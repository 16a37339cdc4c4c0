#include "auth/sodium_init.h"

#include <sodium.h>

#include <cstdlib>

#include "core/log.h"

namespace keel::auth {

void EnsureSodium() {
  // sodium_init() is itself idempotent but takes a global lock each call;
  // the static makes every call after the first a plain load.
  static const bool ready = [] {
    if (sodium_init() < 0) {
      LOG_ERROR("libsodium failed to initialize");
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

}  // namespace keel::auth
