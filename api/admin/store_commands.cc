// stats and backup: the store as a whole.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "api/admin/commands.h"

namespace keel::api::admin {
namespace {

using core::Status;

constexpr char kKeyFile[] = "jwt.key";  // see auth/secret_key.h
constexpr char kKeysDir[] = "keys";     // keel's default --jwt-keys-dir, auth/key_dir.h
constexpr char kDataFile[] = "data.mdb";

void PrintStatsJson(const storage::StoreStats& st) {
  std::printf("{\"map_size\":%" PRIu64 ",\"page_size\":%" PRIu64 ",\"pages_used\":%" PRIu64
              ",\"bytes_used\":%" PRIu64 ",\"readers_used\":%" PRIu32 ",\"max_readers\":%" PRIu32
              ",\"entries\":{\"users\":%" PRIu64 ",\"emails\":%" PRIu64 ",\"credentials\":%" PRIu64
              ",\"sessions\":%" PRIu64 "}}\n",
              st.map_size, st.page_size, st.pages_used, st.pages_used * st.page_size,
              st.readers_used, st.max_readers, st.users, st.emails, st.credentials, st.sessions);
}

void PrintStatsText(const std::string& dir, const storage::StoreStats& st) {
  uint64_t used = st.pages_used * st.page_size;
  double percent =
      st.map_size == 0 ? 0 : 100.0 * static_cast<double>(used) / static_cast<double>(st.map_size);
  std::printf("database     %s/%s\n", dir.c_str(), kDataFile);
  std::printf("map size     %s (%" PRIu64 " bytes)\n", HumanBytes(st.map_size).c_str(),
              st.map_size);
  std::printf("page size    %" PRIu64 " bytes\n", st.page_size);
  std::printf("pages used   %" PRIu64 " (%s, %.2f%% of the map)\n", st.pages_used,
              HumanBytes(used).c_str(), percent);
  std::printf("readers      %" PRIu32 " of %" PRIu32 " slots in use\n", st.readers_used,
              st.max_readers);
  std::printf("entries\n");
  std::printf("  users        %" PRIu64 "\n", st.users);
  std::printf("  emails       %" PRIu64 "\n", st.emails);
  std::printf("  credentials  %" PRIu64 "\n", st.credentials);
  std::printf("  sessions     %" PRIu64 "\n", st.sessions);
}

Status Errno(const std::string& what, int err) {
  return Status::IoError(what + ": " + std::strerror(err));
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// Reads all of `fd` into `out`; errno is left set on failure.
bool ReadFd(int fd, std::string* out) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

bool WriteFd(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Copies one key file as keel would have made it: owner-only, never over
// an existing file, synced before we say the backup is done. `*copied` is
// false, with Ok, when there is no such file.
Status CopyKeyFile(const std::string& from_dir, const std::string& to_dir, const std::string& name,
                   bool* copied) {
  *copied = false;
  const std::string from = from_dir + "/" + name;
  const std::string to = to_dir + "/" + name;
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0 && errno == ENOENT) return Status::Ok();
  if (in < 0) return Errno("cannot open '" + from + "'", errno);
  std::string key;
  bool read_ok = ReadFd(in, &key);
  int read_errno = errno;
  ::close(in);
  if (!read_ok) return Errno("cannot read '" + from + "'", read_errno);

  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) return Errno("cannot create '" + to + "'", errno);
  bool ok = WriteFd(out, key) && ::fsync(out) == 0;
  int write_errno = errno;
  if (::close(out) != 0 && ok) {
    ok = false;
    write_errno = errno;
  }
  if (!ok) {
    ::unlink(to.c_str());
    return Errno("cannot write '" + to + "'", write_errno);
  }
  // The key's directory entry must be as durable as the database's.
  int dir = ::open(to_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  *copied = true;
  return Status::Ok();
}

// Copies <data dir>/keys (the Ed25519 keys, when keel keeps them in the
// data dir) to DIR/keys, owner-only. `*count` files copied; 0, with Ok,
// when there is no such directory. Hidden files (temporaries) are skipped.
Status CopyKeysDir(const std::string& from_data_dir, const std::string& to_dir, int* count) {
  *count = 0;
  const std::string from = from_data_dir + "/" + kKeysDir;
  const std::string to = to_dir + "/" + kKeysDir;
  std::error_code ec;
  if (!std::filesystem::is_directory(from, ec)) return Status::Ok();
  if (::mkdir(to.c_str(), 0700) != 0) return Errno("cannot create '" + to + "'", errno);
  for (const auto& entry : std::filesystem::directory_iterator(from, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".")) continue;
    bool copied = false;
    if (Status s = CopyKeyFile(from, to, name, &copied); !s.ok()) return s;
    *count += copied ? 1 : 0;
  }
  if (ec) return Status::IoError("cannot read '" + from + "': " + ec.message());
  return Status::Ok();
}

}  // namespace

Status RunStats(const Invocation& inv) {
  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/false);
  if (!store.ok()) return store.status();
  storage::StoreStats st;
  if (Status s = store.value()->Stats(&st); !s.ok()) return s;
  if (inv.args.Has("json")) {
    PrintStatsJson(st);
  } else {
    PrintStatsText(inv.global.data_dir, st);
  }
  return Status::Ok();
}

Status RunBackup(const Invocation& inv) {
  const std::string& dir = inv.args.positionals()[0];
  if (dir.empty()) return Status::InvalidArgument("the backup DIR is empty");
  // Checked before copying anything, so a refused backup leaves DIR as it
  // was. Store::Backup checks again with O_EXCL, against races.
  for (const char* file : {kDataFile, kKeyFile, kKeysDir}) {
    if (Exists(dir + "/" + file)) {
      return Status::FailedPrecondition("'" + dir + "' already holds " + file +
                                        ": refusing to overwrite it");
    }
  }
  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/false);
  if (!store.ok()) return store.status();
  if (Status s = store.value()->Backup(dir); !s.ok()) return s;

  bool key_copied = false;
  int keys_copied = 0;
  Status s = CopyKeyFile(inv.global.data_dir, dir, kKeyFile, &key_copied);
  if (s.ok()) s = CopyKeysDir(inv.global.data_dir, dir, &keys_copied);
  if (!s.ok()) {
    return Status::IoError("the database was copied to '" + dir + "/" + kDataFile +
                           "' but the signing keys were not: " + s.message());
  }
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(dir + "/" + kDataFile, ec);
  std::printf("backed up the database to %s/%s (%s)\n", dir.c_str(), kDataFile,
              ec ? "size unknown" : HumanBytes(size).c_str());
  if (key_copied) std::printf("copied the signing key to %s/%s\n", dir.c_str(), kKeyFile);
  if (keys_copied > 0) {
    std::printf("copied %d files of signing keys to %s/%s\n", keys_copied, dir.c_str(), kKeysDir);
  }
  if (!key_copied && keys_copied == 0) {
    std::printf(
        "no signing keys in '%s' (keel --jwt-secret-file or --jwt-keys-dir elsewhere?): keep "
        "them with the backup\n",
        inv.global.data_dir.c_str());
  }
  // DIR is printed as given, so the hint holds from the caller's directory.
  std::printf(
      "restore: copy it into an empty data dir and start keel there, e.g.\n"
      "  mkdir NEWDIR && cp -p %s/* NEWDIR/ && keel --data-dir NEWDIR\n",
      dir.c_str());
  return Status::Ok();
}

}  // namespace keel::api::admin
