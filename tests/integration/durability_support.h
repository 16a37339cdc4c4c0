// Helpers for tests that stop, kill and restart keel on one data dir
// (durability_test.cc, crash_loop_test.cc).
//
// SignUpLoad and PatchLoad are background write traffic: threads that each
// keep one keep-alive connection busy with sign-ups or PATCHes until told to
// stop, remembering what the server acknowledged (a 2xx) and what was only
// attempted. A transport error (the server being killed) ends a thread
// quietly; so does a connection the server closes. Both start their threads
// in the constructor; the TestServer must outlive them. acks()/attempts()
// may be read only after Stop(), which joins the threads (the destructor
// calls it too).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {

// Server options on a data dir that outlives the server.
ServerOptions OnDir(const TempDir& dir, std::vector<std::string> args,
                    std::vector<std::string> env = {});

// The emails of every user, as the admin (AdminEnv()) lists them; nullopt,
// with a test failure, when the login or a page fails.
std::optional<std::set<std::string>> AllEmails(const Api& api);

// POST /api/users with a fresh email per request, `threads` connections.
class SignUpLoad {
 public:
  struct Ack {
    std::string email;
    std::chrono::steady_clock::time_point at;  // when the 201 arrived
  };

  // Emails are "<prefix><thread>-<n>@example.com".
  SignUpLoad(const TestServer& server, int threads, std::string prefix);
  ~SignUpLoad() { Stop(); }
  SignUpLoad(const SignUpLoad&) = delete;
  SignUpLoad& operator=(const SignUpLoad&) = delete;

  void Stop();
  const std::vector<Ack>& acks() const { return acks_; }
  // Answers other than 201 (none is expected).
  int other_statuses() const { return other_statuses_; }

 private:
  void Run(const TestServer& server, const std::string& prefix);

  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<Ack> acks_;  // guarded by mu_ until Stop()
  int other_statuses_ = 0;
};

// PATCH /api/users/{id} (a merge patch of the name) as each account itself,
// one thread and connection per account, names "<prefix>-<n>".
class PatchLoad {
 public:
  // What one account's thread sent.
  struct Attempts {
    int64_t id = 0;
    std::vector<std::string> sent;  // every name sent, in order
    int last_acked = -1;            // index in `sent` of the last 2xx; -1: none
    int other_statuses = 0;         // answers that were not 2xx
  };

  PatchLoad(const TestServer& server, const std::vector<Account>& accounts, std::string prefix);
  ~PatchLoad() { Stop(); }
  PatchLoad(const PatchLoad&) = delete;
  PatchLoad& operator=(const PatchLoad&) = delete;

  void Stop();
  // One entry per account, in the order given.
  const std::vector<Attempts>& attempts() const { return attempts_; }

 private:
  void Run(const TestServer& server, const Account& account, const std::string& prefix,
           Attempts* out);

  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::vector<Attempts> attempts_;  // entry i is written only by thread i
};

}  // namespace keel::integration
