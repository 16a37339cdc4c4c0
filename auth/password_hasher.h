// argon2id password hashing through libsodium's crypto_pwhash_str.
//
// Hash and Verify are slow by design (INTERACTIVE cost: tens of
// milliseconds and 64 MiB each), so they must never run on a worker loop:
// callers run them on the thread pool (core::Offload). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keel::auth {

struct PasswordCost {
  // Defaults are libsodium's INTERACTIVE limits; tests lower them.
  uint64_t ops_limit = 2;          // crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t mem_limit = 64ull << 20;  // crypto_pwhash_MEMLIMIT_INTERACTIVE

  // What keel and keel-admin accept (--argon2-ops, --argon2-mem-kib): from
  // argon2id's minimum to well past anything a login should cost.
  static constexpr uint64_t kMinOps = 1;
  static constexpr uint64_t kMaxOps = 100;
  static constexpr uint64_t kMinMemKib = 8;
  static constexpr uint64_t kMaxMemKib = 4194304;  // 4 GiB
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordCost cost = {});

  // The encoded "$argon2id$..." string (salted, self-describing).
  core::Result<std::string> Hash(std::string_view password) const;
  // Constant-time check of `password` against an encoded hash.
  bool Verify(std::string_view encoded_hash, std::string_view password) const;
  // True when `encoded_hash` was made with other limits than ours: upgrade
  // it at the next successful login.
  bool NeedsRehash(std::string_view encoded_hash) const;
  // Burns the time of one Verify, for an unknown email, so that a failed
  // login takes as long whether or not the account exists.
  void VerifyDummy(std::string_view password) const;

  const PasswordCost& cost() const { return cost_; }

 private:
  PasswordCost cost_;
  std::string dummy_hash_;
};

}  // namespace keel::auth
