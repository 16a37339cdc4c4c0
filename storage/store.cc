// Store::Open and the LMDB-backed Store. The pieces live in their own files:
// lmdb_env (environment, schema), reader (Reader), write_txn (WriteTxn),
// writer (the writer thread), user_codec (stored records).
#include "storage/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "storage/lmdb_env.h"
#include "storage/lmdb_error.h"
#include "storage/reader.h"
#include "storage/txn.h"
#include "storage/write_txn.h"
#include "storage/writer.h"

namespace keel::storage {
namespace {

// Counts the slots mdb_reader_list reports. It calls back once per live
// slot, plus a header line before the first and a "(no active readers)"
// line when there are none; neither of those starts with a pid column.
int CountReaderLine(const char* msg, void* ctx) {
  std::string_view line(msg);
  if (line.find("pid") == std::string_view::npos && !line.starts_with("(")) {
    ++*static_cast<uint32_t*>(ctx);
  }
  return 0;
}

core::Status Errno(const std::string& what) {
  return core::Status::IoError(what + ": " + std::strerror(errno));
}

// fsync of an fd opened on a directory makes a new entry in it durable.
core::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open '" + dir + "'");
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? core::Status::Ok() : Errno("cannot sync '" + dir + "'");
}

class LmdbStore final : public Store {
 public:
  LmdbStore(std::shared_ptr<LmdbEnv> env, size_t max_queued)
      : env_(std::move(env)), writer_(env_, max_queued) {}
  // writer_ is destroyed first (reverse order): it drains and joins while
  // the environment is still open.
  ~LmdbStore() override = default;

  std::unique_ptr<Reader> NewReader() override { return std::make_unique<LmdbReader>(env_); }

  core::Status Submit(WriteOp op, Done done) override {
    return writer_.Submit(std::move(op), std::move(done));
  }

  // LMDB serialises write transactions with its own lock, so this may run
  // beside the writer thread; it just waits for the current batch.
  core::Status WriteNow(const WriteOp& op) override {
    LmdbWriteTxn txn(*env_);
    return RunInTxn(*env_, nullptr, op, &txn);
  }

  core::Status Stats(StoreStats* out) override;
  const StoreMetrics* metrics() const override { return &writer_.metrics(); }
  core::Status Backup(const std::string& dir) override;

 private:
  std::shared_ptr<LmdbEnv> env_;
  Writer writer_;
};

core::Status LmdbStore::Stats(StoreStats* out) {
  MDB_envinfo info;
  MDB_stat st;
  int rc = mdb_env_info(env_->env(), &info);
  if (rc == 0) rc = mdb_env_stat(env_->env(), &st);
  if (rc != 0) return MdbStatus(rc, "cannot read database statistics");
  out->map_size = info.me_mapsize;
  out->page_size = st.ms_psize;
  out->pages_used = info.me_last_pgno + 1;
  out->max_readers = info.me_maxreaders;
  out->readers_used = 0;
  rc = mdb_reader_list(env_->env(), CountReaderLine, &out->readers_used);
  if (rc < 0) return MdbStatus(rc, "cannot list readers");

  // A short-lived snapshot of its own: Stats is a cold path.
  ScopedTxn txn;
  rc = txn.Begin(env_->env(), nullptr, MDB_RDONLY);
  if (rc != 0) return MdbStatus(rc, "cannot start a read transaction");
  const Dbis& d = env_->dbis();
  struct {
    MDB_dbi dbi;
    uint64_t* count;
  } counted[] = {{d.users, &out->users},
                 {d.emails, &out->emails},
                 {d.credentials, &out->credentials},
                 {d.sessions, &out->sessions}};
  for (const auto& c : counted) {
    rc = mdb_stat(txn.get(), c.dbi, &st);
    if (rc != 0) return MdbStatus(rc, "cannot read database statistics");
    *c.count = st.ms_entries;
  }
  return core::Status::Ok();
}

// mdb_env_copyfd2 rather than mdb_env_copy2: the copy holds password
// hashes, so the file is created owner-only (copy2 uses 0666 & umask), and
// it is fsynced, so a backup that returned Ok survives a power cut.
core::Status LmdbStore::Backup(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::Status::IoError("cannot create backup dir '" + dir + "': " + ec.message());
  const std::string file = dir + "/data.mdb";
  // O_EXCL: never overwrite, even if another backup races to the same dir.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    return core::Status::FailedPrecondition("backup dir '" + dir + "' already holds a database");
  }
  if (fd < 0) return Errno("cannot create '" + file + "'");
  int rc = mdb_env_copyfd2(env_->env(), fd, MDB_CP_COMPACT);
  if (rc == 0 && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != 0) {
    std::filesystem::remove(file, ec);  // a torn copy must not be restored
    return MdbStatus(rc, "backup to '" + dir + "' failed");
  }
  return SyncDir(dir);
}

}  // namespace

core::Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.map_size == 0) return core::Status::InvalidArgument("map_size must be > 0");
  if (options.max_queued_writes == 0) {
    return core::Status::InvalidArgument("max_queued_writes must be > 0");
  }
  core::Result<std::shared_ptr<LmdbEnv>> env = LmdbEnv::Open(options);
  if (!env.ok()) return env.status();
  return std::unique_ptr<Store>(
      std::make_unique<LmdbStore>(std::move(env).value(), options.max_queued_writes));
}

}  // namespace keel::storage
