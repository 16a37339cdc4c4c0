// A full map: writes fail with ResourceExhausted (507), reads go on, and a
// restart with a larger map keeps the data and accepts writes again.
#include <gtest/gtest.h>

#include <string>

#include "storage/store.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using core::Status;
using testing::CreateUser;
using testing::OpenOrDie;
using testing::Options;
using testing::TempDir;
using Code = core::Status::Code;

TEST(StoreMapFull, WritesFailReadsContinueAndALargerMapRecovers) {
  TempDir tmp;
  StoreOptions small = Options(tmp.path());
  small.map_size = 1 << 20;
  const std::string name(2000, 'n');  // ~2 KiB per user: a few hundred fill 1 MiB
  uint64_t created = 0;
  {
    auto store = OpenOrDie(small);
    ASSERT_NE(store, nullptr);
    auto reader = store->NewReader();
    Status full;
    for (int i = 0; i < 5000; ++i) {
      auto id = CreateUser(*store, "u" + std::to_string(i) + "@x.io", name);
      if (!id.ok()) {
        full = id.status();
        break;
      }
      created = id.value();
    }
    ASSERT_EQ(full.code(), Code::kResourceExhausted) << full.message();
    EXPECT_EQ(full.message(), "the database is full: restart with a larger --map-size");
    ASSERT_GT(created, 10u);

    // Reads go on.
    UserRecord u;
    ASSERT_TRUE(reader->GetUser(1, &u).ok());
    EXPECT_EQ(u.name, name);
    std::string json;
    uint64_t revision = 0;
    EXPECT_TRUE(reader->GetUserJson(created, &json, &revision).ok());
    // The failed op left nothing: as many users as successes.
    StoreStats stats;
    ASSERT_TRUE(store->Stats(&stats).ok());
    EXPECT_EQ(stats.users, created);
    // WriteNow hits the same wall with the same answer.
    Status now = store->WriteNow(testing::CreateUserOp("now@x.io", name));
    EXPECT_EQ(now.code(), Code::kResourceExhausted);
  }

  StoreOptions large = small;
  large.map_size = 16 << 20;
  auto store = OpenOrDie(large);
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  StoreStats stats;
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.users, created);
  EXPECT_EQ(stats.map_size, large.map_size);
  UserRecord u;
  ASSERT_TRUE(reader->GetUser(created, &u).ok());
  EXPECT_EQ(u.email, "u" + std::to_string(created - 1) + "@x.io");
  auto next = CreateUser(*store, "after@x.io", name);
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next.value(), created + 1);
}

}  // namespace
}  // namespace keel::storage
