// Storage: LMDB reads (a user record, a user's ready-to-send JSON) and
// writes (user updates one per transaction, many per transaction, and
// through the writer thread's group commit), in each sync mode whose cost
// matters: kNone shows LMDB's own work, kFull adds the fsync a durable 2xx
// waits for.
//
// Every store lives in a fresh directory under $TMPDIR (or /tmp), seeded
// with kUsers users, and is closed and removed when the process exits. The
// fsync numbers are only as real as that directory's file system: on tmpfs
// fsync is free, and the benchmarks say so in their label.
#include <benchmark/benchmark.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/vfs.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "api/user_ops.h"
#include "bench/micro/alloc_counter.h"
#include "core/status.h"
#include "storage/store.h"

namespace keel::storage {
namespace {

constexpr int kUsers = 10000;
constexpr int kSeedBatch = 1000;  // users per seeding transaction
constexpr int64_t kNow = 1735689600;
// The shape and length of a real argon2id hash; nothing ever verifies it.
constexpr char kFakeHash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$3q2+7w/2Jc3GkVx1bQm0Ng$"
    "h5Hc0Yx6pJ5h0Qm9w4y0W1sV1c4uOqk6m3QyH9a8xZk";

// A directory made with mkdtemp and removed, with its contents, on
// destruction.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "keel-micro-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }  // empty if mkdtemp failed
  bool on_tmpfs() const {
    struct statfs fs;
    return statfs(path_.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
  }

 private:
  std::string path_;
};

// A store seeded with kUsers users. `dir` is declared first so the store
// closes before its directory is removed.
struct SeededStore {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::vector<uint64_t> ids;
  std::string error;  // why the store is unusable; empty when it is fine
};

core::Status Seed(Store& store, std::vector<uint64_t>& ids) {
  for (int first = 0; first < kUsers; first += kSeedBatch) {
    core::Status s = store.WriteNow([&](WriteTxn& txn) {
      UserRecord created;
      std::string json;
      for (int i = first; i < first + kSeedBatch; ++i) {
        api::NewUser user{"user" + std::to_string(i) + "@example.com",
                          "Example User " + std::to_string(i), std::string(kRoleUser), kFakeHash};
        if (core::Status c = api::CreateUser(txn, user, kNow, &created, &json); !c.ok()) return c;
        ids.push_back(created.id);
      }
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
  }
  return core::Status::Ok();
}

std::unique_ptr<SeededStore> OpenSeeded(SyncMode sync) {
  auto fx = std::make_unique<SeededStore>();
  if (fx->dir.path().empty()) {
    fx->error = "cannot make a temporary directory";
    return fx;
  }
  StoreOptions options;
  options.dir = fx->dir.path();
  options.sync = sync;
  core::Result<std::unique_ptr<Store>> opened = Store::Open(options);
  if (!opened.ok()) {
    fx->error = "cannot open the store: " + opened.status().message();
    return fx;
  }
  fx->store = std::move(opened).value();
  if (core::Status s = Seed(*fx->store, fx->ids); !s.ok()) {
    fx->error = "cannot seed the store: " + s.message();
    fx->store.reset();
  }
  return fx;
}

// One store for the reads and one per sync mode for the writes, so updates
// never change the pages the reads walk. Made on first use: a --filter that
// selects no storage benchmark creates none.
enum class Use { kReads, kWritesNone, kWritesFull };

SeededStore& StoreFor(Use use) {
  static std::array<std::unique_ptr<SeededStore>, 3> stores;
  std::unique_ptr<SeededStore>& fx = stores[static_cast<size_t>(use)];
  if (!fx) fx = OpenSeeded(use == Use::kWritesNone ? SyncMode::kNone : SyncMode::kFull);
  return *fx;
}

// Random ids of seeded users, drawn before the timed loop (a fixed seed, so
// runs compare); the loop walks them with a mask.
class IdStream {
 public:
  explicit IdStream(const std::vector<uint64_t>& ids) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
    for (uint64_t& id : ids_) id = ids[pick(rng)];
  }
  uint64_t Next() { return ids_[next_++ & (kCount - 1)]; }

 private:
  static constexpr size_t kCount = 8192;  // a power of two
  std::array<uint64_t, kCount> ids_;
  size_t next_ = 0;
};

bool Usable(benchmark::State& state, const SeededStore& fx) {
  if (fx.error.empty()) return true;
  state.SkipWithError(fx.error.c_str());
  return false;
}

void BM_LmdbGetUser(benchmark::State& state) {
  SeededStore& fx = StoreFor(Use::kReads);
  if (!Usable(state, fx)) return;
  std::unique_ptr<Reader> reader = fx.store->NewReader();
  IdStream ids(fx.ids);
  UserRecord user;
  // Warm-up with the longest email and name: sizes the reused strings.
  (void)reader->GetUser(fx.ids.back(), &user);
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    if (!reader->GetUser(ids.Next(), &user).ok()) {
      state.SkipWithError("a seeded user was not found");
      break;
    }
    benchmark::DoNotOptimize(user.id);
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LmdbGetUser);

void BM_LmdbGetUserJson(benchmark::State& state) {
  SeededStore& fx = StoreFor(Use::kReads);
  if (!Usable(state, fx)) return;
  std::unique_ptr<Reader> reader = fx.store->NewReader();
  IdStream ids(fx.ids);
  std::string json;
  uint64_t revision = 0;
  int64_t bytes = 0;
  (void)reader->GetUserJson(fx.ids.back(), &json, &revision);  // warm-up, as above
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    if (!reader->GetUserJson(ids.Next(), &json, &revision).ok()) {
      state.SkipWithError("a seeded user was not found");
      break;
    }
    bytes += static_cast<int64_t>(json.size());
    benchmark::DoNotOptimize(json.data());
  }
  allocs.Stop();
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LmdbGetUserJson);

// What an update does in its transaction: read the user, change it, store
// it with a new revision and public JSON (as PUT /api/users/{id} does).
core::Status UpdateUser(WriteTxn& txn, uint64_t id, UserRecord& user, std::string& json) {
  if (core::Status s = txn.GetUser(id, &user); !s.ok()) return s;
  user.name = user.name.back() == '*' ? user.name.substr(0, user.name.size() - 1) : user.name + "*";
  return api::SaveUser(txn, user, kNow, &json);
}

void LabelSync(benchmark::State& state, const SeededStore& fx, SyncMode sync) {
  if (sync == SyncMode::kFull && fx.dir.on_tmpfs()) state.SetLabel("tmpfs: fsync is free");
}

// WriteNow: `batch` updates in one transaction, one commit per iteration.
void BM_LmdbPut(benchmark::State& state, SyncMode sync, int batch) {
  SeededStore& fx = StoreFor(sync == SyncMode::kNone ? Use::kWritesNone : Use::kWritesFull);
  if (!Usable(state, fx)) return;
  IdStream ids(fx.ids);
  UserRecord user;
  std::string json;
  const Store::WriteOp op = [&](WriteTxn& txn) {
    for (int i = 0; i < batch; ++i) {
      if (core::Status s = UpdateUser(txn, ids.Next(), user, json); !s.ok()) return s;
    }
    return core::Status::Ok();
  };
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    if (!fx.store->WriteNow(op).ok()) {
      state.SkipWithError("an update failed");
      break;
    }
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations() * batch);
  LabelSync(state, fx, sync);
}

// Counts the `done` callbacks of one round of Submits. The callback
// notifies while holding the lock, so once Wait returns no writer-thread
// callback can still touch the waiter.
class DoneWaiter {
 public:
  void Expect(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = n;
  }
  void Done(const core::Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) failed_ = true;
    if (--pending_ == 0) cv_.notify_one();
  }
  // Returns false if any operation failed.
  bool Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return pending_ == 0; });
    return !failed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_ = 0;
  bool failed_ = false;
};

// Submit: `ops` updates queued at once for the writer thread, then a wait
// for every `done`. The writer runs whatever has queued in one transaction,
// so this measures the server's real write path, group commit included.
void BM_LmdbSubmit(benchmark::State& state, SyncMode sync, int ops) {
  SeededStore& fx = StoreFor(sync == SyncMode::kNone ? Use::kWritesNone : Use::kWritesFull);
  if (!Usable(state, fx)) return;
  IdStream ids(fx.ids);
  DoneWaiter waiter;
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    waiter.Expect(ops);
    for (int i = 0; i < ops; ++i) {
      core::Status s = fx.store->Submit(
          [id = ids.Next()](WriteTxn& txn) {
            UserRecord user;
            std::string json;
            return UpdateUser(txn, id, user, json);
          },
          [&waiter](core::Status st) { waiter.Done(st); });
      if (!s.ok()) waiter.Done(s);  // by contract its `done` never runs
    }
    if (!waiter.Wait()) {
      state.SkipWithError("an update failed");
      break;
    }
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations() * ops);
  LabelSync(state, fx, sync);
}

// Named by hand: Google Benchmark's Args would print the sync mode as a
// number. Writes are waited for, not computed, so real time is the measure.
[[maybe_unused]] const bool kWritesRegistered = [] {
  struct Mode {
    SyncMode sync;
    const char* name;
  };
  for (Mode m : {Mode{SyncMode::kNone, "none"}, Mode{SyncMode::kFull, "full"}}) {
    for (int batch : {1, 16, 256}) {
      std::string name =
          "BM_LmdbPut/sync:" + std::string(m.name) + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), BM_LmdbPut, m.sync, batch)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
    for (int ops : {1, 64}) {
      std::string name =
          "BM_LmdbSubmit/sync:" + std::string(m.name) + "/ops:" + std::to_string(ops);
      benchmark::RegisterBenchmark(name.c_str(), BM_LmdbSubmit, m.sync, ops)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}();

}  // namespace
}  // namespace keel::storage
