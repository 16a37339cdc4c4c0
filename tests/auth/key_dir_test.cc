#include "auth/key_dir.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace keel::auth {
namespace {

using core::Status;

constexpr int64_t kNow = 1700000000;  // 2023-11-14T22:13:20Z

// A fresh parent directory per test; the keys dir is <parent>/keys, made by
// the code under test unless a test makes it.
class KeyDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "keel_key_dir_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    parent_ = tmpl;
    dir_ = parent_ + "/keys";
  }
  void TearDown() override { std::filesystem::remove_all(parent_); }

  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir_.c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  void Write(const std::string& name, const std::string& bytes, mode_t mode = 0600) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  void MakeDir() const { ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0); }

  // The error LoadKeyDir gives, which must name `file`.
  std::string LoadError(const std::string& file) const {
    auto r = LoadKeyDir(dir_);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_NE(r.status().message().find(file), std::string::npos) << r.status().message();
    return r.status().message();
  }

  std::string parent_, dir_;
};

TEST_F(KeyDirTest, FirstStartMakesTheDirAndOneOwnerOnlyKey) {
  const mode_t old_umask = ::umask(0);  // a lax umask must not widen the modes
  auto r = LoadOrCreateKeyDir(dir_, kNow);
  ::umask(old_umask);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  const std::string kid = r.value()[0].kid();
  EXPECT_TRUE(std::regex_match(kid, std::regex("20231114T221320Z-[A-Za-z0-9_-]{6}"))) << kid;
  EXPECT_FALSE(r.value()[0].retired());
  struct stat st;
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((dir_ + "/" + kid + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_EQ(Files(), std::vector<std::string>{kid + ".key"});  // no temporary left
}

TEST_F(KeyDirTest, LaterStartsKeepTheKey) {
  auto first = LoadOrCreateKeyDir(dir_, kNow);
  auto second = LoadOrCreateKeyDir(dir_, kNow + 5);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(second.value().size(), 1u);
  EXPECT_EQ(second.value()[0].kid(), first.value()[0].kid());
  EXPECT_EQ(second.value()[0].PublicKeyBase64(), first.value()[0].PublicKeyBase64());
}

TEST_F(KeyDirTest, ConcurrentStartsMakeOneKey) {
  constexpr int kThreads = 8;
  std::vector<std::string> kids(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = LoadOrCreateKeyDir(dir_, kNow);
      if (r.ok() && r.value().size() == 1) kids[i] = r.value()[0].kid();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& kid : kids) EXPECT_EQ(kid, kids[0]);
  EXPECT_EQ(Files().size(), 1u);
}

TEST_F(KeyDirTest, NewKeysSortAfterOlderOnes) {
  ASSERT_TRUE(LoadOrCreateKeyDir(dir_, kNow).ok());
  auto kid = CreateKey(dir_, kNow + 1);
  ASSERT_TRUE(kid.ok());
  auto keys = LoadKeyDir(dir_);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys.value().size(), 2u);
  auto codec = EdDsaCodec::Create(keys.value(), JwtSettings{});
  ASSERT_TRUE(codec.ok());
  EXPECT_EQ(codec.value()->signing_kid(), kid.value());
}

// Byte order is creation order even within one second, or when the clock
// steps back: a new key always signs.
TEST_F(KeyDirTest, KeysMadeInOneSecondOrAfterAClockStepStillSortByAge) {
  auto first = LoadOrCreateKeyDir(dir_, kNow);
  ASSERT_TRUE(first.ok());
  std::string newest = first.value()[0].kid();
  for (int64_t now : {kNow, kNow, kNow - 3600, kNow}) {
    auto kid = CreateKey(dir_, now);
    ASSERT_TRUE(kid.ok()) << kid.status().message();
    EXPECT_GT(kid.value(), newest);
    newest = kid.value();
  }
  EXPECT_EQ(newest.substr(0, 17), "20231114T221324Z-");
  auto codec = EdDsaCodec::Create(LoadKeyDir(dir_).value(), JwtSettings{});
  ASSERT_TRUE(codec.ok());
  EXPECT_EQ(codec.value()->signing_kid(), newest);
  // A key named by hand that sorts after any stamp: refused, not ignored.
  Write("zz.key", std::string(32, 'z'));
  auto refused = CreateKey(dir_, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'zz'"), std::string::npos);
}

TEST_F(KeyDirTest, RetireRecordsTheTimeAndRefusesTheLastSigner) {
  auto first = LoadOrCreateKeyDir(dir_, kNow);
  ASSERT_TRUE(first.ok());
  const std::string old_kid = first.value()[0].kid();
  Status s = RetireKey(dir_, old_kid, kNow + 10);
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("keys new"), std::string::npos) << s.message();

  ASSERT_TRUE(CreateKey(dir_, kNow + 20).ok());
  ASSERT_TRUE(RetireKey(dir_, old_kid, kNow + 30).ok());
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/" + old_kid + ".retired").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  auto keys = LoadKeyDir(dir_);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value()[0].kid(), old_kid);
  EXPECT_EQ(keys.value()[0].retired_at(), kNow + 30);
  EXPECT_FALSE(keys.value()[1].retired());

  EXPECT_EQ(RetireKey(dir_, old_kid, kNow + 40).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(RetireKey(dir_, "20991231T000000Z-nokey0", kNow).code(), Status::Code::kNotFound);
}

// The retirement window, end to end through the files: a key retired at T
// verifies tokens until T + ttl + leeway, then is dropped by itself.
TEST_F(KeyDirTest, ARetiredKeyExpiresOnItsOwn) {
  auto first = LoadOrCreateKeyDir(dir_, kNow);
  ASSERT_TRUE(first.ok());
  const JwtSettings settings{
      .issuer = "keel", .audience = "", .ttl_seconds = 60, .leeway_seconds = 5};
  const std::string token =
      EdDsaCodec::Create(first.value(), settings).value()->Sign(1, "user", 1, kNow);
  ASSERT_TRUE(CreateKey(dir_, kNow + 1).ok());
  ASSERT_TRUE(RetireKey(dir_, first.value()[0].kid(), kNow).ok());
  auto codec = EdDsaCodec::Create(LoadKeyDir(dir_).value(), settings).value();
  EXPECT_NE(codec->signing_kid(), first.value()[0].kid());
  Claims c;
  EXPECT_TRUE(codec->Verify(token, kNow + 64, &c).ok());
  EXPECT_NE(codec->JwksJson(kNow + 64).find(first.value()[0].kid()), std::string::npos);
  EXPECT_EQ(codec->Verify(token, kNow + 65, &c).message(), "unknown key");
  EXPECT_EQ(codec->JwksJson(kNow + 65).find(first.value()[0].kid()), std::string::npos);
}

TEST_F(KeyDirTest, OnlyRetiredKeysLeftMeansANewKeyAtStart) {
  MakeDir();
  Write("20200101T000000Z-old000.key", std::string(32, 'o'));
  Write("20200101T000000Z-old000.retired", "1577836800\n");
  auto r = LoadOrCreateKeyDir(dir_, kNow);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_TRUE(r.value()[0].retired());
  EXPECT_FALSE(r.value()[1].retired());
}

TEST_F(KeyDirTest, RefusesAKeyOthersCanRead) {
  MakeDir();
  Write("20200101T000000Z-abc000.key", std::string(32, 'k'), 0640);
  const std::string message = LoadError("20200101T000000Z-abc000.key");
  EXPECT_NE(message.find("0640"), std::string::npos) << message;
  EXPECT_NE(message.find("chmod 600"), std::string::npos) << message;
  // keel's start refuses too, and makes no key beside it.
  EXPECT_FALSE(LoadOrCreateKeyDir(dir_, kNow).ok());
  EXPECT_EQ(Files().size(), 1u);
}

TEST_F(KeyDirTest, RefusesADirOthersCanWrite) {
  MakeDir();
  ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
  auto r = LoadOrCreateKeyDir(dir_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("chmod 700"), std::string::npos) << r.status().message();
  EXPECT_TRUE(Files().empty());
}

TEST_F(KeyDirTest, RefusesAKeyOfTheWrongSize) {
  MakeDir();
  for (size_t size : {0, 31, 33, 64, 100}) {
    Write("20200101T000000Z-abc000.key", std::string(size, 'k'));
    const std::string message = LoadError("20200101T000000Z-abc000.key");
    EXPECT_NE(message.find("32-byte seed"), std::string::npos) << message;
  }
}

TEST_F(KeyDirTest, RefusesAMalformedRetirement) {
  MakeDir();
  Write("20200101T000000Z-abc000.key", std::string(32, 'k'));
  for (const char* text : {"", "soon", "-5\n", "0\n", "12 \n", "99999999999999999999\n"}) {
    Write("20200101T000000Z-abc000.retired", text);
    const std::string message = LoadError("20200101T000000Z-abc000.retired");
    EXPECT_NE(message.find("retirement time"), std::string::npos) << text << ": " << message;
  }
}

TEST_F(KeyDirTest, RefusesUnexpectedFilesAndIgnoresHiddenOnes) {
  MakeDir();
  Write("20200101T000000Z-abc000.key", std::string(32, 'k'));
  Write(".20200101T000000Z-abc001.key.tmp.1.x", "partial");
  Write(".swp", "editor");
  ASSERT_TRUE(LoadKeyDir(dir_).ok());
  EXPECT_EQ(LoadKeyDir(dir_).value().size(), 1u);
  for (const char* name : {"README", "jwt.key.pem", "bad kid.key", "x.key.bak"}) {
    Write(name, std::string(32, 'k'));
    const std::string message = LoadError(name);
    EXPECT_NE(message.find("unexpected file"), std::string::npos) << message;
    ASSERT_EQ(::unlink((dir_ + "/" + name).c_str()), 0);
  }
  ASSERT_EQ(::mkdir((dir_ + "/sub.key").c_str(), 0700), 0);
  EXPECT_NE(LoadError("sub.key").find("not a regular file"), std::string::npos);
}

TEST_F(KeyDirTest, MissingDirIsNotFoundForLoads) {
  auto r = LoadKeyDir(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(RetireKey(dir_, "x", kNow).code(), Status::Code::kNotFound);
}

TEST_F(KeyDirTest, AnEmptyDirLoadsAsNoKeys) {
  MakeDir();
  auto r = LoadKeyDir(dir_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
}

}  // namespace
}  // namespace keel::auth
