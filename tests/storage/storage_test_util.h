// Helpers shared by the storage tests: a fresh temporary directory per
// test, synchronous wrappers around Submit, and a canned "create user" op.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "core/status.h"
#include "storage/store.h"

namespace keel::storage::testing {

// mkdtemp under gtest's temp dir; removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "keel_storage_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline StoreOptions Options(const std::string& dir) {
  StoreOptions o;
  o.dir = dir;
  o.map_size = 64ull << 20;  // small: tests do not need 64 GiB of address space
  o.max_readers = 32;
  return o;
}

inline std::unique_ptr<Store> OpenOrDie(const StoreOptions& options) {
  core::Result<std::unique_ptr<Store>> r = Store::Open(options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

// Submits `op` and waits for its done; a refused Submit is returned as is.
inline core::Status SubmitSync(Store& store, Store::WriteOp op) {
  auto done = std::make_shared<std::promise<core::Status>>();
  std::future<core::Status> result = done->get_future();
  core::Status s = store.Submit(std::move(op), [done](core::Status st) { done->set_value(st); });
  if (!s.ok()) return s;
  return result.get();
}

inline std::string JsonOf(const UserRecord& u) {
  return "{\"id\":" + std::to_string(u.id) + ",\"email\":\"" + u.email + "\",\"name\":\"" + u.name +
         "\"}";
}

// Allocates an id and stores a user with it; the id goes to *id_out (if
// set) when the op succeeds.
inline Store::WriteOp CreateUserOp(std::string email, std::string name = "N",
                                   uint64_t* id_out = nullptr) {
  return [email = std::move(email), name = std::move(name), id_out](WriteTxn& txn) {
    core::Result<uint64_t> id = txn.NextUserId();
    if (!id.ok()) return id.status();
    UserRecord u;
    u.id = id.value();
    u.email = email;
    u.name = name;
    u.role = std::string(kRoleUser);
    u.created_at = u.updated_at = 1700000000;
    u.revision = 1;
    core::Status s = txn.PutUser(u, JsonOf(u));
    if (s.ok() && id_out != nullptr) *id_out = u.id;
    return s;
  };
}

inline core::Result<uint64_t> CreateUser(Store& store, std::string email, std::string name = "N") {
  uint64_t id = 0;
  core::Status s = SubmitSync(store, CreateUserOp(std::move(email), std::move(name), &id));
  if (!s.ok()) return s;
  return id;
}

}  // namespace keel::storage::testing
