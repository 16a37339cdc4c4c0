#include "auth/password_hasher.h"

#include <sodium.h>

#include <cerrno>
#include <chrono>
#include <utility>

#include "auth/auth_metrics.h"
#include "auth/sodium_init.h"
#include "auth/tokens.h"

namespace keel::auth {

namespace {

const char* DataOf(std::string_view s) { return s.empty() ? "" : s.data(); }

// crypto_pwhash_str_* read the encoded hash as a C string and the stored
// form is a view, so it is copied (about 100 bytes).
std::string Terminated(std::string_view encoded_hash) { return std::string(encoded_hash); }

// Feeds keel_password_hash_duration_seconds with the time of its scope.
class HashTimer {
 public:
  HashTimer() : start_(std::chrono::steady_clock::now()) {}
  ~HashTimer() {
    ObserveHash(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now() - start_)
                                          .count()));
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

PasswordHasher::PasswordHasher(PasswordCost cost) : cost_(cost) {
  EnsureSodium();
  // A random password nobody knows: VerifyDummy against it costs what a real
  // Verify costs, since the limits encoded in it are ours. If hashing fails
  // here (out of memory), VerifyDummy falls back to hashing instead.
  core::Result<std::string> dummy = Hash(Base64UrlEncode(RandomBytes(32)));
  if (dummy.ok()) dummy_hash_ = std::move(dummy).value();
}

core::Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  HashTimer timer;
  char out[crypto_pwhash_STRBYTES];
  // Explicit argon2id, rather than crypto_pwhash_str's default, so a future
  // libsodium changing its default does not change what we store.
  if (crypto_pwhash_str_alg(out, DataOf(password), password.size(), cost_.ops_limit,
                            cost_.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // EINVAL: limits outside libsodium's bounds, a configuration error.
    if (errno == EINVAL) return core::Status::InvalidArgument("invalid password hashing cost");
    return core::Status::Unavailable("out of memory hashing a password");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded_hash, std::string_view password) const {
  HashTimer timer;
  const std::string hash = Terminated(encoded_hash);
  return crypto_pwhash_str_verify(hash.c_str(), DataOf(password), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view encoded_hash) const {
  const std::string hash = Terminated(encoded_hash);
  // 1: other limits or algorithm; -1: not a hash we can read. Either way a
  // fresh hash is what should be stored.
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost_.ops_limit, cost_.mem_limit) != 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) const {
  if (!dummy_hash_.empty()) {
    (void)Verify(dummy_hash_, password);
  } else {
    (void)Hash(password);
  }
}

}  // namespace keel::auth
