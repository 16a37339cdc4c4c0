// Private to auth/: libsodium's one-time initialization.
#pragma once

namespace keel::auth {

// Runs sodium_init() once per process (thread-safe); later calls cost one
// check of a function-local static. Aborts if libsodium cannot start (no
// usable random source): no key, salt or token could be made safely.
void EnsureSodium();

}  // namespace keel::auth
