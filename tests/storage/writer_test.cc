// The writer thread: group commit with per-op rollback, callbacks after the
// commit, the bounded queue, shutdown, and writes from many threads.
#include "storage/writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/lmdb_env.h"
#include "storage/store.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using core::Status;
using testing::CreateUser;
using testing::CreateUserOp;
using testing::OpenOrDie;
using testing::Options;
using testing::TempDir;
using Code = core::Status::Code;

// Holds the writer inside an op until Release(), so that everything
// submitted meanwhile queues up and runs as the next batch.
class Gate {
 public:
  Gate() : release_(release_promise_.get_future().share()) {}
  // Wraps `op`: signals Started(), waits for Release(), then runs it.
  Store::WriteOp Hold(Store::WriteOp op) {
    return [this, op = std::move(op)](WriteTxn& t) {
      started_.set_value();
      release_.wait();
      return op(t);
    };
  }
  void WaitStarted() { started_.get_future().wait(); }
  void Release() { release_promise_.set_value(); }

 private:
  std::promise<void> started_;
  std::promise<void> release_promise_;
  std::shared_future<void> release_;
};

// Collects each submitted op's status, in submission order.
class Results {
 public:
  Store::Done Next() {
    auto p = std::make_shared<std::promise<Status>>();
    futures_.push_back(p->get_future());
    return [p](Status s) { p->set_value(std::move(s)); };
  }
  Status Get(size_t i) { return futures_.at(i).get(); }

 private:
  std::vector<std::future<Status>> futures_;
};

TEST(StoreWriter, OneBatchCommitsSuccessesAndRollsBackTheFailure) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  Gate gate;
  Results results;
  uint64_t a = 0, b = 0, c = 0;

  ASSERT_TRUE(store->Submit(gate.Hold(CreateUserOp("a@x.io", "A", &a)), results.Next()).ok());
  gate.WaitStarted();
  ASSERT_TRUE(store->Submit(CreateUserOp("b@x.io", "B", &b), results.Next()).ok());
  // Writes an id, a hash and then fails: none of it may remain.
  ASSERT_TRUE(store
                  ->Submit(
                      [](WriteTxn& t) {
                        auto id = t.NextUserId();
                        if (!id.ok()) return id.status();
                        Status s = t.PutPasswordHash(id.value(), "h");
                        if (!s.ok()) return s;
                        UserRecord u;
                        u.id = id.value();
                        u.email = "B@X.IO";  // taken by the previous op, same batch
                        return t.PutUser(u, "{}");
                      },
                      results.Next())
                  .ok());
  bool b_seen_by_txn = false, b_seen_by_reader = true;
  auto probe_b = [&](WriteTxn& t) {
    UserRecord u;
    b_seen_by_txn = t.GetUser(b, &u).ok();
    // A separate snapshot sees only committed data: b is not, so b and
    // this op share one uncommitted transaction.
    b_seen_by_reader = reader->GetUser(b, &u).ok();
    return CreateUserOp("c@x.io", "C", &c)(t);
  };
  ASSERT_TRUE(store->Submit(probe_b, results.Next()).ok());
  gate.Release();

  EXPECT_TRUE(results.Get(0).ok());
  EXPECT_TRUE(results.Get(1).ok());
  Status failed = results.Get(2);
  EXPECT_EQ(failed.code(), Code::kAlreadyExists);
  EXPECT_TRUE(results.Get(3).ok());

  EXPECT_TRUE(b_seen_by_txn);
  EXPECT_FALSE(b_seen_by_reader);
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 2u);
  EXPECT_EQ(c, 3u);  // the failed op's id allocation was rolled back
  StoreStats stats;
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.users, 3u);
  EXPECT_EQ(stats.credentials, 0u);  // the failed op's hash is gone
  UserRecord u;
  EXPECT_TRUE(reader->GetUser(b, &u).ok());
}

TEST(StoreWriter, SwallowedLmdbErrorStillFailsTheOp) {
  TempDir tmp;
  StoreOptions o = Options(tmp.path());
  o.map_size = 1 << 20;
  auto store = OpenOrDie(o);
  ASSERT_NE(store, nullptr);
  // An op that ignores the full-map error from its own write must still be
  // reported as a full map, and its partial writes must vanish.
  Status s = testing::SubmitSync(*store, [](WriteTxn& t) {
    std::string big(4000, 'x');
    for (int i = 1; i < 1000; ++i) {
      if (!t.PutPasswordHash(i, big).ok()) break;
    }
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  StoreStats stats;
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.credentials, 0u);
}

TEST(StoreWriter, DoneRunsAfterTheCommit) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  auto reader = store->NewReader();
  uint64_t id = 0;
  std::promise<bool> visible;
  ASSERT_TRUE(store
                  ->Submit(CreateUserOp("d@x.io", "D", &id),
                           [&](Status s) {
                             UserRecord u;
                             visible.set_value(s.ok() && reader->GetUser(id, &u).ok());
                           })
                  .ok());
  EXPECT_TRUE(visible.get_future().get());
}

TEST(StoreWriter, SubmitAnswersBusyWhenTheQueueIsFull) {
  TempDir tmp;
  StoreOptions o = Options(tmp.path());
  o.max_queued_writes = 2;
  auto store = OpenOrDie(o);
  ASSERT_NE(store, nullptr);
  Gate gate;
  Results results;
  ASSERT_TRUE(store->Submit(gate.Hold(CreateUserOp("a@x.io")), results.Next()).ok());
  gate.WaitStarted();  // the first op left the queue: two places are free
  ASSERT_TRUE(store->Submit(CreateUserOp("b@x.io"), results.Next()).ok());
  ASSERT_TRUE(store->Submit(CreateUserOp("c@x.io"), results.Next()).ok());
  std::atomic<int> refused_calls{0};
  Status busy = store->Submit(
      [&](WriteTxn&) {
        ++refused_calls;
        return Status::Ok();
      },
      [&](Status) { ++refused_calls; });
  EXPECT_EQ(busy.code(), Code::kBusy);
  gate.Release();
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(results.Get(i).ok());
  // Room again once the batch ran.
  EXPECT_TRUE(CreateUser(*store, "d@x.io").ok());
  EXPECT_EQ(refused_calls.load(), 0);
}

TEST(StoreWriter, DestructorFinishesQueuedWrites) {
  TempDir tmp;
  std::atomic<int> calls{0}, ok{0};
  {
    auto store = OpenOrDie(Options(tmp.path()));
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(store
                      ->Submit(CreateUserOp("u" + std::to_string(i) + "@x.io"),
                               [&](Status s) {
                                 ++calls;
                                 if (s.ok()) ++ok;
                               })
                      .ok());
    }
  }
  EXPECT_EQ(calls.load(), 50);
  EXPECT_EQ(ok.load(), 50);
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  StoreStats stats;
  ASSERT_TRUE(store->Stats(&stats).ok());
  EXPECT_EQ(stats.users, 50u);
}

TEST(StoreWriter, RefusesWithUnavailableOnceStopBegan) {
  TempDir tmp;
  auto env = LmdbEnv::Open(Options(tmp.path()));
  ASSERT_TRUE(env.ok()) << env.status().message();
  Writer writer(env.value(), 16);
  Gate gate;
  Results results;
  ASSERT_TRUE(writer.Submit(gate.Hold(CreateUserOp("a@x.io")), results.Next()).ok());
  gate.WaitStarted();
  ASSERT_TRUE(writer.Submit(CreateUserOp("b@x.io"), results.Next()).ok());

  std::thread stopper([&] { writer.Stop(); });
  // Until Stop takes effect, ops are still accepted and will run.
  std::atomic<int> accepted_done{0};
  int accepted = 0;
  Status s;
  for (;;) {
    s = writer.Submit([](WriteTxn&) { return Status::Ok(); }, [&](Status) { ++accepted_done; });
    if (s.ok()) {
      ++accepted;
    } else if (s.code() != Code::kBusy) {  // Busy: the stopper has not run yet
      break;
    }
    std::this_thread::yield();
  }
  EXPECT_EQ(s.code(), Code::kUnavailable);
  gate.Release();
  stopper.join();
  EXPECT_TRUE(results.Get(0).ok());
  EXPECT_TRUE(results.Get(1).ok());
  EXPECT_EQ(accepted_done.load(), accepted);
  EXPECT_EQ(writer.Submit([](WriteTxn&) { return Status::Ok(); }, nullptr).code(),
            Code::kUnavailable);
}

TEST(StoreWriter, OneEmailWinsAmongConcurrentWriters) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 6;
  std::atomic<int> won{0}, taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::string email = (i % 2 == 0) ? "Same@X.io" : "same@x.IO";
      // Half go through the queue, half through WriteNow on their own thread.
      Status s = (i < kThreads / 2) ? testing::SubmitSync(*store, CreateUserOp(email))
                                    : store->WriteNow(CreateUserOp(email));
      if (s.ok()) ++won;
      if (s.code() == Code::kAlreadyExists) ++taken;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(taken.load(), kThreads - 1);
}

TEST(StoreWriter, ManySubmittersGetDistinctIds) {
  TempDir tmp;
  auto store = OpenOrDie(Options(tmp.path()));
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4, kEach = 40;
  std::vector<std::vector<uint64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto id = CreateUser(*store, "t" + std::to_string(t) + "-" + std::to_string(i) + "@x");
        if (id.ok()) ids[t].push_back(id.value());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach));
}

}  // namespace
}  // namespace keel::storage
