#include "auth/secret_key.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace keel::auth {
namespace {

using core::Status;

// A fresh directory per test, removed (with its files) afterwards.
class SecretKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "keel_auth_key_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& name : Files()) ::unlink((dir_ + "/" + name).c_str());
    ::rmdir(dir_.c_str());
  }

  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir_.c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(d);
    }
    return names;
  }

  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string dir_;
};

TEST_F(SecretKeyTest, SecretFileDropsOneTrailingNewline) {
  const std::string key(40, 'k');
  auto r = LoadSigningKey(Write("secret", key + "\n"), dir_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value(), key);

  r = LoadSigningKey(Write("secret2", key + "\n\n"), dir_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), key + "\n");

  // Only "\n" is dropped; a CR stays part of the key.
  r = LoadSigningKey(Write("secret3", key + "\r\n"), dir_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), key + "\r");
}

TEST_F(SecretKeyTest, SecretFileKeepsBinaryBytes) {
  const std::string key = std::string("\0\xff\n\x01", 4) + std::string(30, 'z');
  auto r = LoadSigningKey(Write("secret", key), dir_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), key);
}

TEST_F(SecretKeyTest, SecretFileMustHold32Bytes) {
  auto r = LoadSigningKey(Write("short", std::string(31, 'k') + "\n"), dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "--jwt-secret-file: the key must be at least 32 bytes");

  EXPECT_FALSE(LoadSigningKey(Write("empty", ""), dir_).ok());
  EXPECT_TRUE(LoadSigningKey(Write("exact", std::string(32, 'k') + "\n"), dir_).ok());
}

TEST_F(SecretKeyTest, MissingSecretFileIsAClearError) {
  const std::string path = dir_ + "/does-not-exist";
  auto r = LoadSigningKey(path, dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("No such file"), std::string::npos);
}

TEST_F(SecretKeyTest, SecretFileThatIsADirectoryIsAnError) {
  EXPECT_FALSE(LoadSigningKey(dir_, dir_).ok());
}

TEST_F(SecretKeyTest, SecretFileWinsOverTheDataDir) {
  ASSERT_TRUE(LoadSigningKey(Write("secret", std::string(32, 'k')), dir_).ok());
  EXPECT_EQ(Files(), std::vector<std::string>{"secret"});
}

TEST_F(SecretKeyTest, GeneratesAKeyWithMode0600) {
  const mode_t old_umask = ::umask(0);  // a lax umask must not widen the mode
  auto r = LoadSigningKey("", dir_);
  ::umask(old_umask);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().size(), 64u);
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/jwt.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 64);
  EXPECT_EQ(Files(), std::vector<std::string>{"jwt.key"});  // no temporary left
}

TEST_F(SecretKeyTest, GeneratedKeyIsStable) {
  auto first = LoadSigningKey("", dir_);
  auto second = LoadSigningKey("", dir_);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first.value(), second.value());
}

TEST_F(SecretKeyTest, KeysDifferBetweenDataDirs) {
  auto first = LoadSigningKey("", dir_);
  ASSERT_TRUE(first.ok());
  ::unlink((dir_ + "/jwt.key").c_str());
  auto second = LoadSigningKey("", dir_);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first.value(), second.value());
}

TEST_F(SecretKeyTest, ConcurrentStartsAgreeOnOneKey) {
  constexpr int kThreads = 8;
  std::vector<std::string> keys(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = LoadSigningKey("", dir_);
      if (r.ok()) keys[i] = r.value();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& key : keys) {
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(key, keys[0]);
  }
  EXPECT_EQ(Files(), std::vector<std::string>{"jwt.key"});
}

TEST_F(SecretKeyTest, CorruptKeyFileIsAnError) {
  Write("jwt.key", "too short");
  auto r = LoadSigningKey("", dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("jwt.key"), std::string::npos);

  Write("jwt.key", std::string(65, 'x'));
  EXPECT_EQ(LoadSigningKey("", dir_).status().code(), Status::Code::kCorruption);
}

TEST_F(SecretKeyTest, ReadsAnExisting64ByteKey) {
  const std::string key(64, '\x07');
  Write("jwt.key", key);
  auto r = LoadSigningKey("", dir_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), key);
}

TEST_F(SecretKeyTest, MissingDataDirIsAnError) {
  auto r = LoadSigningKey("", dir_ + "/missing");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace keel::auth
