// Store::Backup: a compacted, consistent copy taken while writes go on.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <string>
#include <thread>

#include "storage/store.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using core::Status;
using testing::CreateUser;
using testing::CreateUserOp;
using testing::OpenOrDie;
using testing::Options;
using testing::TempDir;
using Code = core::Status::Code;

constexpr int kBefore = 200;

std::string Email(int i) { return "u" + std::to_string(i) + "@x.io"; }

TEST(StoreBackup, CopyTakenDuringWritesHoldsEveryEarlierUser) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.Sub("live")));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store
                  ->WriteNow([](WriteTxn& t) {
                    for (int i = 1; i <= kBefore; ++i) {
                      Status s = CreateUserOp(Email(i))(t);
                      if (!s.ok()) return s;
                    }
                    return Status::Ok();
                  })
                  .ok());

  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread writes([&] {
    for (int i = 0; !stop; ++i) {
      if (CreateUser(*store, "bg" + std::to_string(i) + "@x.io").ok()) ++during;
    }
  });
  while (during < 3) std::this_thread::yield();  // writes are really running
  Status s = store->Backup(tmp.Sub("backup"));
  stop = true;
  writes.join();
  ASSERT_TRUE(s.ok()) << s.message();

  struct stat st;
  ASSERT_EQ(stat(tmp.Sub("backup/data.mdb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);  // hashes inside: owner only

  auto copy = OpenOrDie(Options(tmp.Sub("backup")));
  ASSERT_NE(copy, nullptr);
  auto reader = copy->NewReader();
  for (int i = 1; i <= kBefore; ++i) {
    UserRecord u;
    ASSERT_TRUE(reader->GetUser(i, &u).ok()) << i;
    EXPECT_EQ(u.email, Email(i));
  }
  StoreStats stats;
  ASSERT_TRUE(copy->Stats(&stats).ok());
  EXPECT_GE(stats.users, static_cast<uint64_t>(kBefore));
  EXPECT_LE(stats.users, static_cast<uint64_t>(kBefore + during));
  // The copy is a working store: ids continue after what it holds.
  auto next = CreateUser(*copy, "new@x.io");
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next.value(), stats.users + 1);
}

TEST(StoreBackup, RefusesADirThatAlreadyHoldsADatabase) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.Sub("live")));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateUser(*store, "a@x.io").ok());
  ASSERT_TRUE(store->Backup(tmp.Sub("b1")).ok());
  EXPECT_EQ(store->Backup(tmp.Sub("b1")).code(), Code::kFailedPrecondition);
  EXPECT_EQ(store->Backup(tmp.Sub("live")).code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace keel::storage
