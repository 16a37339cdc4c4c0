#include "auth/password_hasher.h"

// Only for checking our defaults against libsodium's named limits.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <string_view>

namespace keel::auth {
namespace {

// Cheap enough for many tests: one pass over 1 MiB.
constexpr PasswordCost kLowCost{1, 1u << 20};

std::string HashOf(const PasswordHasher& hasher, std::string_view password) {
  auto r = hasher.Hash(password);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : std::string();
}

TEST(PasswordHasher, VerifiesTheRightPasswordOnly) {
  const PasswordHasher hasher(kLowCost);
  const std::string hash = HashOf(hasher, "correct horse battery staple");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(hasher.Verify(hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(hash, "correct horse battery stapler"));
  EXPECT_FALSE(hasher.Verify(hash, "Correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(hash, ""));
}

TEST(PasswordHasher, UsesEveryByteOfThePassword) {
  const PasswordHasher hasher(kLowCost);
  const std::string with_nul("abcdefgh\0ijkl", 13);
  const std::string hash = HashOf(hasher, with_nul);
  EXPECT_TRUE(hasher.Verify(hash, with_nul));
  EXPECT_FALSE(hasher.Verify(hash, "abcdefgh"));
}

TEST(PasswordHasher, SaltsEveryHash) {
  const PasswordHasher hasher(kLowCost);
  const std::string a = HashOf(hasher, "same password");
  const std::string b = HashOf(hasher, "same password");
  EXPECT_NE(a, b);
  EXPECT_TRUE(hasher.Verify(a, "same password"));
  EXPECT_TRUE(hasher.Verify(b, "same password"));
}

TEST(PasswordHasher, EncodesItsLimits) {
  const PasswordHasher hasher(kLowCost);
  const std::string hash = HashOf(hasher, "password");
  EXPECT_NE(hash.find("$m=1024,t=1,"), std::string::npos) << hash;
}

TEST(PasswordHasher, VerifiesHashesMadeWithOtherLimits) {
  const PasswordHasher old_hasher(PasswordCost{2, 2u << 20});
  const PasswordHasher hasher(kLowCost);
  EXPECT_TRUE(hasher.Verify(HashOf(old_hasher, "password"), "password"));
}

TEST(PasswordHasher, NeedsRehashOnlyForOtherLimits) {
  const PasswordHasher hasher(kLowCost);
  EXPECT_FALSE(hasher.NeedsRehash(HashOf(hasher, "password")));
  EXPECT_TRUE(hasher.NeedsRehash(HashOf(PasswordHasher(PasswordCost{2, 1u << 20}), "password")));
  EXPECT_TRUE(hasher.NeedsRehash(HashOf(PasswordHasher(PasswordCost{1, 2u << 20}), "password")));
}

TEST(PasswordHasher, RejectsGarbageHashes) {
  const PasswordHasher hasher(kLowCost);
  EXPECT_FALSE(hasher.Verify("", "password"));
  EXPECT_FALSE(hasher.Verify("$argon2id$v=19$m=1024,t=1,p=1$garbage", "password"));
  EXPECT_TRUE(hasher.NeedsRehash("not a hash"));
  // A hash cut short at a NUL is not the hash.
  std::string hash = HashOf(hasher, "password");
  hash[hash.size() / 2] = '\0';
  EXPECT_FALSE(hasher.Verify(hash, "password"));
}

TEST(PasswordHasher, VerifyDummyRuns) {
  const PasswordHasher hasher(kLowCost);
  hasher.VerifyDummy("any password");
  hasher.VerifyDummy("");
}

TEST(PasswordHasher, ReportsAnInvalidCost) {
  const PasswordHasher hasher(PasswordCost{0, 1u << 20});
  auto r = hasher.Hash("password");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::Status::Code::kInvalidArgument);
  hasher.VerifyDummy("password");  // no dummy hash: must still return
}

TEST(PasswordHasher, DefaultsAreLibsodiumInteractiveLimits) {
  const PasswordCost cost;
  EXPECT_EQ(cost.ops_limit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(cost.mem_limit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

// One full-cost run: 64 MiB, as in production.
TEST(PasswordHasher, WorksAtTheDefaultCost) {
  const PasswordHasher hasher;
  const std::string hash = HashOf(hasher, "correct horse battery staple");
  EXPECT_NE(hash.find("$m=65536,t=2,"), std::string::npos) << hash;
  EXPECT_TRUE(hasher.Verify(hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(hash, "wrong"));
  EXPECT_FALSE(hasher.NeedsRehash(hash));
  EXPECT_TRUE(hasher.NeedsRehash(HashOf(PasswordHasher(kLowCost), "x")));
}

}  // namespace
}  // namespace keel::auth
