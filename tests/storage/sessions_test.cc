// Refresh sessions: the sessions db plus the per-user index that lets a
// user's sessions (or one family of them) be ended by a prefix scan.
#include <gtest/gtest.h>

#include <string>

#include "storage/store.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using core::Status;
using testing::OpenOrDie;
using testing::Options;
using testing::SubmitSync;
using testing::TempDir;
using Code = core::Status::Code;

SessionRecord Session(uint64_t user, std::string family, int64_t expires = 2000000000) {
  SessionRecord s;
  s.user_id = user;
  s.family = std::move(family);
  s.expires_at = expires;
  return s;
}

class Sessions : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(Options(tmp_.path()));
    ASSERT_NE(store_, nullptr);
    reader_ = store_->NewReader();
  }
  void TearDown() override {
    reader_.reset();
    store_.reset();
  }

  Status Put(std::string hash, SessionRecord s) {
    return SubmitSync(*store_, [hash, s](WriteTxn& t) { return t.PutSession(hash, s); });
  }
  bool Exists(const std::string& hash) {
    SessionRecord s;
    return reader_->GetSession(hash, &s).ok();
  }

  TempDir tmp_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Reader> reader_;
};

TEST_F(Sessions, PutGetDelete) {
  SessionRecord in = Session(7, std::string(16, '\x01'), 1234);
  ASSERT_TRUE(Put("hash-a", in).ok());
  SessionRecord out;
  ASSERT_TRUE(reader_->GetSession("hash-a", &out).ok());
  EXPECT_EQ(out.user_id, 7u);
  EXPECT_EQ(out.family, in.family);
  EXPECT_EQ(out.expires_at, 1234);
  EXPECT_FALSE(out.used);

  // Rotation marks the old one used.
  in.used = true;
  ASSERT_TRUE(Put("hash-a", in).ok());
  ASSERT_TRUE(reader_->GetSession("hash-a", &out).ok());
  EXPECT_TRUE(out.used);

  ASSERT_TRUE(SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteSession("hash-a"); }).ok());
  EXPECT_EQ(reader_->GetSession("hash-a", &out).code(), Code::kNotFound);
  EXPECT_EQ(SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteSession("hash-a"); }).code(),
            Code::kNotFound);
  EXPECT_EQ(reader_->GetSession("", &out).code(), Code::kNotFound);
}

TEST_F(Sessions, RejectsUnstorableTokenHash) {
  EXPECT_EQ(Put("", Session(1, "f")).code(), Code::kInvalidArgument);
  EXPECT_EQ(Put(std::string(600, 'h'), Session(1, "f")).code(), Code::kInvalidArgument);
}

TEST_F(Sessions, DeleteUserSessionsKeepsOneFamily) {
  ASSERT_TRUE(Put("a1", Session(1, "fam-a")).ok());
  ASSERT_TRUE(Put("a2", Session(1, "fam-a")).ok());
  ASSERT_TRUE(Put("b1", Session(1, "fam-b")).ok());
  ASSERT_TRUE(Put("c1", Session(1, "fam-c")).ok());
  ASSERT_TRUE(Put("other", Session(2, "fam-b")).ok());  // another user, same family bytes

  ASSERT_TRUE(
      SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteUserSessions(1, "fam-a"); }).ok());
  EXPECT_TRUE(Exists("a1"));
  EXPECT_TRUE(Exists("a2"));
  EXPECT_FALSE(Exists("b1"));
  EXPECT_FALSE(Exists("c1"));
  EXPECT_TRUE(Exists("other"));

  ASSERT_TRUE(SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteUserSessions(1); }).ok());
  EXPECT_FALSE(Exists("a1"));
  EXPECT_FALSE(Exists("a2"));
  EXPECT_TRUE(Exists("other"));
  StoreStats stats;
  ASSERT_TRUE(store_->Stats(&stats).ok());
  EXPECT_EQ(stats.sessions, 1u);
}

TEST_F(Sessions, DeleteFamilyRemovesOnlyThatFamily) {
  ASSERT_TRUE(Put("a1", Session(1, "fam-a")).ok());
  ASSERT_TRUE(Put("a2", Session(1, "fam-a")).ok());
  ASSERT_TRUE(Put("b1", Session(1, "fam-b")).ok());
  ASSERT_TRUE(Put("other", Session(2, "fam-a")).ok());
  ASSERT_TRUE(SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteFamily(1, "fam-a"); }).ok());
  EXPECT_FALSE(Exists("a1"));
  EXPECT_FALSE(Exists("a2"));
  EXPECT_TRUE(Exists("b1"));
  EXPECT_TRUE(Exists("other"));
}

TEST_F(Sessions, MovingATokenToAnotherUserUpdatesTheIndex) {
  ASSERT_TRUE(Put("t", Session(1, "f")).ok());
  ASSERT_TRUE(Put("t", Session(2, "f")).ok());
  // User 1's sweep must not remove a session that now belongs to user 2.
  ASSERT_TRUE(SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteUserSessions(1); }).ok());
  EXPECT_TRUE(Exists("t"));
  ASSERT_TRUE(SubmitSync(*store_, [](WriteTxn& t) { return t.DeleteUserSessions(2); }).ok());
  EXPECT_FALSE(Exists("t"));
}

TEST_F(Sessions, DeleteUserRemovesCredentialsAndSessions) {
  auto id = testing::CreateUser(*store_, "gone@x.io");
  ASSERT_TRUE(id.ok());
  const uint64_t uid = id.value();
  ASSERT_TRUE(SubmitSync(*store_, [uid](WriteTxn& t) { return t.PutPasswordHash(uid, "h"); }).ok());
  ASSERT_TRUE(Put("s1", Session(uid, "f1")).ok());
  ASSERT_TRUE(Put("s2", Session(uid, "f2")).ok());
  ASSERT_TRUE(Put("keep", Session(uid + 1, "f1")).ok());

  ASSERT_TRUE(SubmitSync(*store_, [uid](WriteTxn& t) { return t.DeleteUser(uid); }).ok());
  std::string hash;
  EXPECT_EQ(reader_->GetPasswordHash(uid, &hash).code(), Code::kNotFound);
  EXPECT_FALSE(Exists("s1"));
  EXPECT_FALSE(Exists("s2"));
  EXPECT_TRUE(Exists("keep"));
  StoreStats stats;
  ASSERT_TRUE(store_->Stats(&stats).ok());
  EXPECT_EQ(stats.users, 0u);
  EXPECT_EQ(stats.emails, 0u);
  EXPECT_EQ(stats.credentials, 0u);
  EXPECT_EQ(stats.sessions, 1u);
  // Its email is free again.
  EXPECT_TRUE(testing::CreateUser(*store_, "gone@x.io").ok());
}

}  // namespace
}  // namespace keel::storage
