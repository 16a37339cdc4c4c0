#include "auth/key_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <system_error>

#include "auth/file_util.h"
#include "auth/tokens.h"

namespace keel::auth {

namespace {

using core::Status;
using internal::ErrnoText;
using internal::Fd;

constexpr std::string_view kKeySuffix = ".key";
constexpr std::string_view kRetiredSuffix = ".retired";

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Holds an exclusive flock() on the directory while it lives, so that two
// processes (two keels starting at once, keel-admin beside keel) do not
// both decide the directory needs a key, or retire its last one.
class DirLock {
 public:
  explicit DirLock(const std::string& dir)
      : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_.get() < 0) {
      status_ = Status::IoError("cannot open " + dir + ": " + ErrnoText(errno));
      return;
    }
    while (::flock(fd_.get(), LOCK_EX) != 0) {
      if (errno != EINTR) {
        status_ = Status::IoError("cannot lock " + dir + ": " + ErrnoText(errno));
        return;
      }
    }
  }
  const Status& status() const { return status_; }

 private:
  Fd fd_;
  Status status_;
};

// Reads one file of the directory: a regular file of at most `limit` bytes.
// With `secret`, others must not be able to read it.
Status ReadKeyDirFile(const std::string& path, size_t limit, bool secret, std::string* out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return Status::IoError("cannot open " + path + ": " + ErrnoText(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    return Status::IoError("cannot stat " + path + ": " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  if (secret && (st.st_mode & 077) != 0) {
    return Status::PermissionDenied(path + ": mode " + Octal(st.st_mode) +
                                    " lets other users read this private key; "
                                    "run chmod 600 on it (and consider it leaked)");
  }
  if (!internal::ReadAll(fd.get(), limit, out)) {
    return Status::IoError("cannot read " + path + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

// "<seconds>\n" (the newline optional), seconds > 0.
bool ParseRetired(std::string_view text, int64_t* out) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.empty() || text[0] < '1' || text[0] > '9') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Status CheckDir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("keys dir " + dir + " does not exist");
    return Status::IoError("cannot stat " + dir + ": " + ErrnoText(errno));
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + ": not a directory");
  // Whoever can add a file here can add a signing key.
  if ((st.st_mode & 022) != 0) {
    return Status::PermissionDenied(dir + ": mode " + Octal(st.st_mode) +
                                    " lets other users add keys; run chmod 700 on it");
  }
  return Status::Ok();
}

Status ListNames(const std::string& dir, std::vector<std::string>* names) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::IoError("cannot read " + dir + ": " + ErrnoText(errno));
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names->emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names->begin(), names->end());
  return Status::Ok();
}

constexpr size_t kStampBytes = 16;  // YYYYMMDDTHHMMSSZ

std::string Stamp(int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return stamp;
}

// The time a kid made by NewKid starts with; false for other kids.
bool ParseStamp(std::string_view kid, int64_t* t) {
  if (kid.size() < kStampBytes + 1 || kid[kStampBytes] != '-') return false;
  std::tm tm{};
  const std::string stamp(kid.substr(0, kStampBytes));
  const char* end = ::strptime(stamp.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr || *end != '\0') return false;
  *t = static_cast<int64_t>(::timegm(&tm));
  return true;
}

// A kid that sorts after `newest` (the greatest kid in the directory, or
// empty): stamped with the time, but at least a second after `newest`'s
// stamp, so two keys made within one second, or after the clock stepped
// back, still sort in the order they were made.
core::Result<std::string> NewKid(int64_t now, const std::string& newest) {
  int64_t t = now;
  if (int64_t last = 0; ParseStamp(newest, &last) && last >= t) t = last + 1;
  std::string kid = Stamp(t) + "-" + Base64UrlEncode(RandomBytes(6)).substr(0, 6);
  if (kid <= newest) {
    return Status::FailedPrecondition("the key '" + newest +
                                      "' sorts after any key made now, so it would keep "
                                      "signing; rename or remove it");
  }
  return kid;
}

Status MakeDir(const std::string& dir) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::IoError("cannot create " + parent.string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IoError("cannot create " + dir + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

Status CreateKeyLocked(const std::string& dir, int64_t now, std::string* kid) {
  std::vector<std::string> names;
  if (Status s = ListNames(dir, &names); !s.ok()) return s;
  std::string newest;
  for (const std::string& name : names) {
    if (name.ends_with(kKeySuffix)) {
      newest = std::max(newest, name.substr(0, name.size() - kKeySuffix.size()));
    }
  }
  core::Result<std::string> made = NewKid(now, newest);
  if (!made.ok()) return made.status();
  *kid = std::move(made).value();
  std::string seed = RandomBytes(kEd25519SeedBytes);
  Status s = internal::WriteFileAtomically(dir, *kid + std::string(kKeySuffix), seed,
                                           /*replace=*/false);
  std::fill(seed.begin(), seed.end(), '\0');
  return s;
}

bool AnyMaySign(const std::vector<Ed25519Key>& keys) {
  return std::any_of(keys.begin(), keys.end(), [](const Ed25519Key& k) { return !k.retired(); });
}

}  // namespace

core::Result<std::vector<Ed25519Key>> LoadKeyDir(const std::string& dir) {
  if (Status s = CheckDir(dir); !s.ok()) return s;
  std::vector<std::string> names;
  if (Status s = ListNames(dir, &names); !s.ok()) return s;

  std::map<std::string, std::string, std::less<>> seeds;  // kid -> seed
  std::map<std::string, int64_t, std::less<>> retired;    // kid -> when
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    const bool is_key = name.ends_with(kKeySuffix);
    const bool is_retired = name.ends_with(kRetiredSuffix);
    const std::string kid =
        name.substr(0, name.size() - (is_key ? kKeySuffix.size() : kRetiredSuffix.size()));
    if ((!is_key && !is_retired) || !IsValidKid(kid)) {
      return Status::InvalidArgument(path +
                                     ": unexpected file in the keys dir (only KID.key and "
                                     "KID.retired belong there, KID being 1-64 of A-Z a-z "
                                     "0-9 - _); move it elsewhere");
    }
    std::string bytes;
    if (Status s = ReadKeyDirFile(path, 64, is_key, &bytes); !s.ok()) return s;
    if (is_key) {
      if (bytes.size() != kEd25519SeedBytes) {
        const size_t size = bytes.size();
        std::fill(bytes.begin(), bytes.end(), '\0');
        return Status::Corruption(path + ": an Ed25519 key file holds a 32-byte seed, this one " +
                                  (size > 64 ? "more than 64" : std::to_string(size)) +
                                  " bytes (not a keel key?)");
      }
      seeds.emplace(kid, std::move(bytes));
    } else {
      int64_t when = 0;
      if (!ParseRetired(bytes, &when)) {
        return Status::Corruption(path +
                                  ": expected the retirement time in seconds since the epoch");
      }
      retired.emplace(kid, when);
    }
  }

  std::vector<Ed25519Key> keys;
  for (auto& [kid, seed] : seeds) {
    // A .retired without its .key is left over from a deleted key: harmless.
    auto r = retired.find(kid);
    core::Result<Ed25519Key> key =
        Ed25519Key::FromSeed(kid, seed, r == retired.end() ? 0 : r->second);
    std::fill(seed.begin(), seed.end(), '\0');
    if (!key.ok()) return key.status();
    keys.push_back(std::move(key).value());
  }
  return keys;
}

core::Result<std::vector<Ed25519Key>> LoadOrCreateKeyDir(const std::string& dir, int64_t now) {
  if (Status s = MakeDir(dir); !s.ok()) return s;
  if (Status s = CheckDir(dir); !s.ok()) return s;
  DirLock lock(dir);
  if (!lock.status().ok()) return lock.status();
  core::Result<std::vector<Ed25519Key>> keys = LoadKeyDir(dir);
  if (!keys.ok() || AnyMaySign(keys.value())) return keys;
  std::string kid;
  if (Status s = CreateKeyLocked(dir, now, &kid); !s.ok()) return s;
  return LoadKeyDir(dir);
}

core::Result<std::string> CreateKey(const std::string& dir, int64_t now) {
  if (Status s = MakeDir(dir); !s.ok()) return s;
  if (Status s = CheckDir(dir); !s.ok()) return s;
  DirLock lock(dir);
  if (!lock.status().ok()) return lock.status();
  std::string kid;
  if (Status s = CreateKeyLocked(dir, now, &kid); !s.ok()) return s;
  return kid;
}

Status RetireKey(const std::string& dir, std::string_view kid, int64_t now) {
  if (Status s = CheckDir(dir); !s.ok()) return s;
  DirLock lock(dir);
  if (!lock.status().ok()) return lock.status();
  core::Result<std::vector<Ed25519Key>> keys = LoadKeyDir(dir);
  if (!keys.ok()) return keys.status();
  const Ed25519Key* target = nullptr;
  size_t may_sign = 0;
  for (const Ed25519Key& key : keys.value()) {
    if (key.kid() == kid) target = &key;
    if (!key.retired()) ++may_sign;
  }
  if (target == nullptr) return Status::NotFound("no key '" + std::string(kid) + "' in " + dir);
  if (target->retired()) {
    return Status::FailedPrecondition("key '" + std::string(kid) + "' was already retired at " +
                                      std::to_string(target->retired_at()));
  }
  if (may_sign == 1) {
    return Status::FailedPrecondition("key '" + std::string(kid) +
                                      "' is the only key that may sign; make a new one first "
                                      "(keel-admin keys new)");
  }
  return internal::WriteFileAtomically(dir, std::string(kid) + std::string(kRetiredSuffix),
                                       std::to_string(now) + "\n", /*replace=*/false);
}

}  // namespace keel::auth
