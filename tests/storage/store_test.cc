// Store and Reader/WriteTxn semantics over a real LMDB environment in a
// fresh temporary directory per test.
#include "storage/store.h"

#include <gtest/gtest.h>

#include <string>

#include "storage_test_util.h"

namespace keel::storage {
namespace {

using core::Status;
using testing::CreateUser;
using testing::CreateUserOp;
using testing::OpenOrDie;
using testing::Options;
using testing::SubmitSync;
using testing::TempDir;
using Code = core::Status::Code;

TEST(Store, CreatesReadsUpdatesAndDeletesUser) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();

  auto id = CreateUser(*store, "Ann@Example.com", "Ann");
  ASSERT_TRUE(id.ok()) << id.status().message();
  UserRecord u;
  ASSERT_TRUE(reader->GetUser(id.value(), &u).ok());
  EXPECT_EQ(u.id, id.value());
  EXPECT_EQ(u.email, "Ann@Example.com");  // stored as given
  EXPECT_EQ(u.name, "Ann");
  EXPECT_EQ(u.role, kRoleUser);
  EXPECT_EQ(u.revision, 1u);
  EXPECT_EQ(u.created_at, 1700000000);

  std::string json;
  uint64_t revision = 0;
  ASSERT_TRUE(reader->GetUserJson(id.value(), &json, &revision).ok());
  EXPECT_EQ(json, testing::JsonOf(u));
  EXPECT_EQ(revision, 1u);

  // Update: new name, role, revision and token version.
  Status s = SubmitSync(*store, [&](WriteTxn& txn) {
    UserRecord cur;
    Status st = txn.GetUser(id.value(), &cur);
    if (!st.ok()) return st;
    cur.name = "Annie";
    cur.role = std::string(kRoleAdmin);
    cur.revision++;
    cur.token_version = 7;
    cur.updated_at = 1700000100;
    return txn.PutUser(cur, "{\"v\":2}");
  });
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(reader->GetUser(id.value(), &u).ok());
  EXPECT_EQ(u.name, "Annie");
  EXPECT_EQ(u.role, kRoleAdmin);
  EXPECT_EQ(u.revision, 2u);
  EXPECT_EQ(u.token_version, 7u);
  EXPECT_EQ(u.updated_at, 1700000100);
  ASSERT_TRUE(reader->GetUserJson(id.value(), &json, &revision).ok());
  EXPECT_EQ(json, "{\"v\":2}");
  EXPECT_EQ(revision, 2u);

  s = SubmitSync(*store, [&](WriteTxn& txn) { return txn.DeleteUser(id.value()); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(reader->GetUser(id.value(), &u).code(), Code::kNotFound);
  EXPECT_EQ(reader->GetUserJson(id.value(), &json, &revision).code(), Code::kNotFound);
  uint64_t found = 0;
  EXPECT_EQ(reader->FindUserIdByEmail("ann@example.com", &found).code(), Code::kNotFound);
  s = SubmitSync(*store, [&](WriteTxn& txn) { return txn.DeleteUser(id.value()); });
  EXPECT_EQ(s.code(), Code::kNotFound);
}

TEST(Store, EmailIsUniqueIgnoringAsciiCase) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  auto id = CreateUser(*store, "bob@example.com");
  ASSERT_TRUE(id.ok());

  auto dup = CreateUser(*store, "BOB@Example.COM");
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "email is already taken");

  uint64_t found = 0;
  ASSERT_TRUE(reader->FindUserIdByEmail("Bob@EXAMPLE.com", &found).ok());
  EXPECT_EQ(found, id.value());
  EXPECT_EQ(reader->FindUserIdByEmail("bob@example.org", &found).code(), Code::kNotFound);
  EXPECT_EQ(reader->FindUserIdByEmail("", &found).code(), Code::kNotFound);
  EXPECT_EQ(reader->FindUserIdByEmail(std::string(4000, 'a'), &found).code(), Code::kNotFound);
}

TEST(Store, NonAsciiBytesAreNotCaseFolded) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  // "\xC3\x89" is É and "\xC3\xA9" is é: only ASCII letters fold.
  auto upper = CreateUser(*store, "\xC3\x89LODIE@x.io");
  auto lower = CreateUser(*store, "\xC3\xA9lodie@x.io");
  ASSERT_TRUE(upper.ok());
  ASSERT_TRUE(lower.ok()) << lower.status().message();
  uint64_t found = 0;
  ASSERT_TRUE(reader->FindUserIdByEmail("\xC3\x89lodie@X.IO", &found).ok());
  EXPECT_EQ(found, upper.value());
}

TEST(Store, ChangingEmailFreesTheOldOne) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  auto a = CreateUser(*store, "a@x.io");
  auto b = CreateUser(*store, "b@x.io");
  ASSERT_TRUE(a.ok() && b.ok());

  auto set_email = [&](uint64_t id, std::string email) {
    return SubmitSync(*store, [id, email](WriteTxn& txn) {
      UserRecord u;
      Status s = txn.GetUser(id, &u);
      if (!s.ok()) return s;
      u.email = email;
      return txn.PutUser(u, "{}");
    });
  };
  EXPECT_EQ(set_email(a.value(), "B@x.io").code(), Code::kAlreadyExists);
  // Same address, other case: the user keeps it, stored as newly given.
  ASSERT_TRUE(set_email(a.value(), "A@X.io").ok());
  UserRecord u;
  ASSERT_TRUE(reader->GetUser(a.value(), &u).ok());
  EXPECT_EQ(u.email, "A@X.io");

  ASSERT_TRUE(set_email(a.value(), "c@x.io").ok());
  uint64_t found = 0;
  EXPECT_EQ(reader->FindUserIdByEmail("a@x.io", &found).code(), Code::kNotFound);
  ASSERT_TRUE(reader->FindUserIdByEmail("C@x.io", &found).ok());
  EXPECT_EQ(found, a.value());
  // The old address is free again.
  auto again = CreateUser(*store, "a@x.io");
  EXPECT_TRUE(again.ok()) << again.status().message();
  auto stats = StoreStats{};
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.users, 3u);
  EXPECT_EQ(stats.emails, 3u);
}

TEST(Store, PutUserRejectsBadRecords) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto put = [&](UserRecord u) {
    return SubmitSync(*store, [u](WriteTxn& txn) { return txn.PutUser(u, "{}"); });
  };
  UserRecord u;
  u.email = "z@x.io";
  EXPECT_EQ(put(u).code(), Code::kInvalidArgument);  // id 0
  u.id = 5;
  u.email = "";
  EXPECT_EQ(put(u).code(), Code::kInvalidArgument);
  u.email = std::string(600, 'e');
  EXPECT_EQ(put(u).code(), Code::kInvalidArgument);
}

TEST(Store, IdsGrowAndAreNotReusedAfterDelete) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto a = CreateUser(*store, "a@x.io");
  auto b = CreateUser(*store, "b@x.io");
  auto c = CreateUser(*store, "c@x.io");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a.value(), 1u);
  EXPECT_LT(a.value(), b.value());
  EXPECT_LT(b.value(), c.value());
  ASSERT_TRUE(SubmitSync(*store, [&](WriteTxn& t) { return t.DeleteUser(c.value()); }).ok());
  auto d = CreateUser(*store, "d@x.io");
  ASSERT_TRUE(d.ok());
  EXPECT_GT(d.value(), c.value());
  // A failed op does not consume an id either (its transaction is undone).
  EXPECT_FALSE(CreateUser(*store, "a@x.io").ok());
  auto e = CreateUser(*store, "e@x.io");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value(), d.value() + 1);

  uint64_t count = 0;
  ASSERT_TRUE(SubmitSync(*store, [&](WriteTxn& t) {
                auto n = t.CountUsers();
                if (n.ok()) count = n.value();
                return n.status();
              }).ok());
  EXPECT_EQ(count, 4u);
}

TEST(Store, ListUsersJsonPaginatesInIdOrder) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  for (int i = 1; i <= 5; ++i) {
    // Five users, one per op, written as one batch or several.
    ASSERT_TRUE(CreateUser(*store, "u" + std::to_string(i) + "@x.io").ok());
  }
  // 300 sorts after 5 only if keys are big-endian: make an id > 255.
  ASSERT_TRUE(SubmitSync(*store, [](WriteTxn& t) {
                UserRecord u;
                u.id = 300;
                u.email = "big@x.io";
                return t.PutUser(u, "{\"id\":300}");
              }).ok());

  std::string out = "prefix:";
  uint64_t last = 99;
  bool more = false;
  ASSERT_TRUE(reader->ListUsersJson(0, 2, &out, &last, &more).ok());
  EXPECT_EQ(out,
            "prefix:[{\"id\":1,\"email\":\"u1@x.io\",\"name\":\"N\"},"
            "{\"id\":2,\"email\":\"u2@x.io\",\"name\":\"N\"}]");
  EXPECT_EQ(last, 2u);
  EXPECT_TRUE(more);

  out.clear();
  ASSERT_TRUE(reader->ListUsersJson(last, 3, &out, &last, &more).ok());
  EXPECT_EQ(out,
            "[{\"id\":3,\"email\":\"u3@x.io\",\"name\":\"N\"},"
            "{\"id\":4,\"email\":\"u4@x.io\",\"name\":\"N\"},"
            "{\"id\":5,\"email\":\"u5@x.io\",\"name\":\"N\"}]");
  EXPECT_EQ(last, 5u);
  EXPECT_TRUE(more);

  out.clear();
  ASSERT_TRUE(reader->ListUsersJson(last, 3, &out, &last, &more).ok());
  EXPECT_EQ(out, "[{\"id\":300}]");
  EXPECT_EQ(last, 300u);
  EXPECT_FALSE(more);

  out.clear();
  ASSERT_TRUE(reader->ListUsersJson(300, 3, &out, &last, &more).ok());
  EXPECT_EQ(out, "[]");
  EXPECT_EQ(last, 0u);
  EXPECT_FALSE(more);

  // Exactly `limit` users left: more is false.
  out.clear();
  ASSERT_TRUE(reader->ListUsersJson(4, 2, &out, &last, &more).ok());
  EXPECT_EQ(last, 300u);
  EXPECT_FALSE(more);

  // limit 0 lists nothing but still says whether users follow.
  out.clear();
  ASSERT_TRUE(reader->ListUsersJson(0, 0, &out, &last, &more).ok());
  EXPECT_EQ(out, "[]");
  EXPECT_TRUE(more);

  out.clear();
  ASSERT_TRUE(reader->ListUsersJson(UINT64_MAX, 10, &out, &last, &more).ok());
  EXPECT_EQ(out, "[]");
}

TEST(Store, PasswordHashesAreStoredAndReplaced) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  std::string hash;
  EXPECT_EQ(reader->GetPasswordHash(1, &hash).code(), Code::kNotFound);
  ASSERT_TRUE(
      SubmitSync(*store, [](WriteTxn& t) { return t.PutPasswordHash(1, "$argon2id$a"); }).ok());
  ASSERT_TRUE(reader->GetPasswordHash(1, &hash).ok());
  EXPECT_EQ(hash, "$argon2id$a");
  ASSERT_TRUE(SubmitSync(*store, [&](WriteTxn& t) {
                Status s = t.GetPasswordHash(1, &hash);
                if (!s.ok()) return s;
                return t.PutPasswordHash(1, hash + "b");
              }).ok());
  ASSERT_TRUE(reader->GetPasswordHash(1, &hash).ok());
  EXPECT_EQ(hash, "$argon2id$ab");
}

TEST(Store, WriteNowCommitsOrLeavesNoTrace) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  uint64_t id = 0;
  ASSERT_TRUE(store->WriteNow(CreateUserOp("w@x.io", "W", &id)).ok());
  UserRecord u;
  EXPECT_TRUE(reader->GetUser(id, &u).ok());

  Status s = store->WriteNow([](WriteTxn& t) {
    Status put = t.PutPasswordHash(42, "h");
    if (!put.ok()) return put;
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "changed my mind");
  std::string hash;
  EXPECT_EQ(reader->GetPasswordHash(42, &hash).code(), Code::kNotFound);
}

TEST(Store, ReopenKeepsDataAndIdSequence) {
  TempDir tmp;
  uint64_t first = 0;
  {
    auto store = OpenOrDie(Options(tmp.path()));
    ASSERT_NE(store, nullptr);
    auto id = CreateUser(*store, "keep@x.io", "Keep");
    ASSERT_TRUE(id.ok());
    first = id.value();
    ASSERT_TRUE(
        SubmitSync(*store, [&](WriteTxn& t) { return t.PutPasswordHash(first, "h"); }).ok());
  }
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  UserRecord u;
  ASSERT_TRUE(reader->GetUser(first, &u).ok());
  EXPECT_EQ(u.name, "Keep");
  std::string hash;
  ASSERT_TRUE(reader->GetPasswordHash(first, &hash).ok());
  EXPECT_EQ(hash, "h");
  auto next = CreateUser(*store, "next@x.io");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value(), first + 1);
}

TEST(Store, OpensInEverySyncMode) {
  for (SyncMode mode : {SyncMode::kFull, SyncMode::kMeta, SyncMode::kNone}) {
    TempDir tmp;
    StoreOptions o = Options(tmp.path());
    o.sync = mode;
    auto store = OpenOrDie(o);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(CreateUser(*store, "s@x.io").ok());
  }
}

TEST(Store, StatsCountRecordsAndReaders) {
  TempDir tmp;
  StoreOptions o = Options(tmp.path());
  o.max_readers = 17;
  auto store = OpenOrDie(o);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateUser(*store, "a@x.io").ok());
  ASSERT_TRUE(CreateUser(*store, "b@x.io").ok());
  ASSERT_TRUE(SubmitSync(*store, [](WriteTxn& t) {
                SessionRecord s;
                s.user_id = 1;
                s.family = "f";
                Status st = t.PutSession("t1", s);
                if (st.ok()) st = t.PutPasswordHash(1, "h");
                return st;
              }).ok());
  StoreStats stats;
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.users, 2u);
  EXPECT_EQ(stats.emails, 2u);
  EXPECT_EQ(stats.credentials, 1u);
  EXPECT_EQ(stats.sessions, 1u);
  EXPECT_EQ(stats.max_readers, 17u);
  EXPECT_EQ(stats.map_size, o.map_size);
  EXPECT_GT(stats.page_size, 0u);
  EXPECT_GT(stats.pages_used, 2u);
  EXPECT_EQ(stats.readers_used, 0u);

  auto r1 = store->NewReader();
  auto r2 = store->NewReader();
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.readers_used, 2u);  // a Reader holds its slot between calls
  r1.reset();
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.readers_used, 1u);
}

TEST(Store, ReaderMayOutliveTheStore) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto id = CreateUser(*store, "late@x.io");
  ASSERT_TRUE(id.ok());
  auto reader = store->NewReader();
  store.reset();
  UserRecord u;
  EXPECT_TRUE(reader->GetUser(id.value(), &u).ok());
}

}  // namespace
}  // namespace keel::storage
