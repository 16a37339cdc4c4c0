#include "auth/codec_slot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/eddsa.h"

namespace keel::auth {
namespace {

constexpr int64_t kNow = 1700000000;

std::shared_ptr<const TokenCodec> EdDsa(const std::string& kid, char seed) {
  std::vector<Ed25519Key> keys;
  keys.push_back(Ed25519Key::FromSeed(kid, std::string(32, seed)).value());
  return EdDsaCodec::Create(std::move(keys), JwtSettings{}).value();
}

TEST(CodecSlot, ThreadsPickUpAStoredCodec) {
  auto first = EdDsa("k1", 'a');
  CodecSlot slot(first);
  EXPECT_EQ(&slot.ForThisThread(), first.get());
  auto second = EdDsa("k2", 'b');
  slot.Store(second);
  EXPECT_EQ(slot.Load(), second);
  EXPECT_EQ(&slot.ForThisThread(), second.get());
  std::thread([&] { EXPECT_EQ(&slot.ForThisThread(), second.get()); }).join();
}

TEST(CodecSlot, EachSlotAnswersWithItsOwnCodec) {
  auto a = EdDsa("k1", 'a');
  auto b = std::make_shared<Hs256Codec>(std::string(32, 'h'), "keel");
  CodecSlot slot_a(a), slot_b(b);
  EXPECT_EQ(&slot_a.ForThisThread(), a.get());
  EXPECT_EQ(&slot_b.ForThisThread(), b.get());
  EXPECT_EQ(&slot_a.ForThisThread(), a.get());
}

// Verifiers on several threads while the key set is swapped under them:
// every token of the key both sets hold verifies throughout, and a codec is
// never freed while in use (the sanitizer pass would see it).
TEST(CodecSlot, VerifiesWhileSwapped) {
  std::vector<Ed25519Key> one;
  one.push_back(Ed25519Key::FromSeed("k1", std::string(32, 'a')).value());
  std::vector<Ed25519Key> two = one;
  two.push_back(Ed25519Key::FromSeed("k0", std::string(32, 'z')).value());
  std::shared_ptr<const TokenCodec> c1 = EdDsaCodec::Create(one, JwtSettings{}).value();
  const std::string token = c1->Sign(7, "user", 1, kNow);
  CodecSlot slot(c1);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, verified{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      Claims c;
      while (!stop.load()) {
        if (!slot.ForThisThread().Verify(token, kNow, &c).ok()) failures.fetch_add(1);
        verified.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    slot.Store(i % 2 == 0 ? EdDsaCodec::Create(two, JwtSettings{}).value()
                          : EdDsaCodec::Create(one, JwtSettings{}).value());
    std::this_thread::yield();
  }
  while (verified.load() < 1000) std::this_thread::yield();
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace keel::auth
