// Store::Open: unusable directories and files, schema versions, options,
// and clearing reader slots left by a crashed process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "storage/keys.h"
#include "storage/lmdb_env.h"
#include "storage/store.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using testing::OpenOrDie;
using testing::Options;
using testing::TempDir;
using Code = core::Status::Code;

// Opens the environment with plain LMDB calls, as another process would.
int OpenRaw(const std::string& dir, MDB_env** env) {
  int rc = mdb_env_create(env);
  if (rc == 0) rc = mdb_env_set_maxdbs(*env, 8);
  if (rc == 0) rc = mdb_env_open(*env, dir.c_str(), MDB_NOTLS, 0600);
  return rc;
}

TEST(StoreOpen, CreatesMissingParents) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.Sub("a/b/c")));
  EXPECT_NE(store, nullptr);
}

TEST(StoreOpen, AFileInPlaceOfTheDirIsAClearError) {
  TempDir tmp;
  const std::string file = tmp.Sub("data");
  std::ofstream(file) << "not a directory";
  auto r = Store::Open(Options(file));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(file), std::string::npos) << r.status().message();

  r = Store::Open(Options(file + "/sub"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(file + "/sub"), std::string::npos) << r.status().message();
}

TEST(StoreOpen, AForeignDataFileIsRefused) {
  TempDir tmp;
  std::ofstream(tmp.Sub("data.mdb")) << std::string(16384, 'g');
  auto r = Store::Open(Options(tmp.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption) << r.status().message();
  EXPECT_NE(r.status().message().find(tmp.path()), std::string::npos);
}

TEST(StoreOpen, RejectsBadOptions) {
  TempDir tmp;
  StoreOptions o = Options("");
  EXPECT_EQ(Store::Open(o).status().code(), Code::kInvalidArgument);
  o = Options(tmp.path());
  o.max_queued_writes = 0;
  EXPECT_EQ(Store::Open(o).status().code(), Code::kInvalidArgument);
  o = Options(tmp.path());
  o.max_readers = 0;
  EXPECT_EQ(Store::Open(o).status().code(), Code::kInvalidArgument);
}

TEST(StoreOpen, RefusesAnotherSchemaVersion) {
  TempDir tmp;
  { ASSERT_NE(OpenOrDie(Options(tmp.path())), nullptr); }
  MDB_env* env = nullptr;
  ASSERT_EQ(OpenRaw(tmp.path(), &env), 0);
  MDB_txn* txn = nullptr;
  MDB_dbi meta;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  ASSERT_EQ(mdb_dbi_open(txn, kMetaDbName, 0, &meta), 0);
  MDB_val key = ToVal(kMetaSchemaVersion);
  IdKey two(2);
  MDB_val val = two.val();
  ASSERT_EQ(mdb_put(txn, meta, &key, &val, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);

  auto r = Store::Open(Options(tmp.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("schema version 2"), std::string::npos)
      << r.status().message();
}

// A reader slot only goes stale while another process keeps the lock file
// in use (the first opener resets the table), so: one child holds the
// environment open, a second takes a reader slot and dies without
// releasing it, then the store opens.
TEST(StoreOpen, ClearsReaderSlotsOfDeadProcesses) {
  TempDir tmp;
  { ASSERT_NE(OpenOrDie(Options(tmp.path())), nullptr); }  // no thread left after this

  int ready[2], hold[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(hold), 0);
  pid_t holder = fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    close(ready[0]);
    close(hold[1]);
    MDB_env* env = nullptr;
    char c = OpenRaw(tmp.path(), &env) == 0 ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    while (read(hold[0], &c, 1) > 0) {
    }
    _exit(0);  // parent closed the pipe
  }
  close(ready[1]);
  close(hold[0]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');

  pid_t crasher = fork();
  ASSERT_GE(crasher, 0);
  if (crasher == 0) {
    MDB_env* env = nullptr;
    MDB_txn* txn = nullptr;
    if (OpenRaw(tmp.path(), &env) != 0) _exit(1);
    if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) != 0) _exit(1);
    _exit(0);  // "crashes" holding the slot
  }
  int status = 0;
  ASSERT_EQ(waitpid(crasher, &status, 0), crasher);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  {
    auto store = OpenOrDie(Options(tmp.path()));
    ASSERT_NE(store, nullptr);
    StoreStats stats;
    ASSERT_TRUE(store->Stats(&stats).ok());
    EXPECT_EQ(stats.readers_used, 0u);  // the dead child's slot is free
    auto reader = store->NewReader();
    ASSERT_TRUE(store->Stats(&stats).ok());
    EXPECT_EQ(stats.readers_used, 1u);
  }
  close(hold[1]);
  ASSERT_EQ(waitpid(holder, &status, 0), holder);
  close(ready[0]);
}

}  // namespace
}  // namespace keel::storage
