// The crash loop: keel is SIGKILLed again and again while several clients
// sign users up and PATCH names, and after every restart each acknowledged
// write must be there. Acknowledged means a 2xx arrived; for a PATCH, the
// stored name must be the last acknowledged one or one sent after it (a
// write the server committed but had no time to answer).
//
// The store is a parameter: each backend is one instantiation with the
// keel options that select and configure it, so a second backend is one
// more line at the bottom of this file.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "durability_support.h"
#include "test_server.h"

namespace keel::integration {
namespace {

using Clock = std::chrono::steady_clock;

struct Backend {
  std::string name;               // the test's name suffix
  std::vector<std::string> args;  // keel options that select the store
  int kills = 50;
};

void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class CrashLoop : public ::testing::TestWithParam<Backend> {};

// The name the store holds for one user, read as that user.
std::optional<std::string> StoredName(const Api& api, const Account& a) {
  HttpResponse r = api.GetAs(a.access_token, "/api/users/" + std::to_string(a.id));
  if (r.status != 200) {
    ADD_FAILURE() << "GET user " << a.id << ": " << r.status << " " << r.body;
    return std::nullopt;
  }
  auto body = JsonValue::Parse(r.body);
  return body ? body->GetString("name") : std::nullopt;
}

TEST_P(CrashLoop, EveryAcknowledgedWriteSurvivesEveryKill) {
  const Backend& backend = GetParam();
  constexpr int kSignUpThreads = 3;
  constexpr int kPatchAccounts = 3;
  std::vector<std::string> args = CheapHashArgs();
  args.insert(args.end(), backend.args.begin(), backend.args.end());
  TempDir dir;
  ASSERT_TRUE(dir.ok());

  auto server = std::make_unique<TestServer>(OnDir(dir, args, AdminEnv()));
  ASSERT_TRUE(server->ok()) << server->error();
  std::vector<Account> patched;
  for (int i = 0; i < kPatchAccounts; ++i) {
    auto a = Api(*server).NewAccount("Patched");
    ASSERT_TRUE(a);
    patched.push_back(*a);
  }
  // What each patched user's name may be after the next restart; before any
  // PATCH, the name it signed up with.
  std::vector<std::set<std::string>> allowed(kPatchAccounts, std::set<std::string>{"Patched"});
  std::set<std::string> acked_emails;
  size_t acked_patches = 0;
  // A fixed seed: a failure can be replayed with the same kill timings.
  std::mt19937 rng(20261202);
  std::uniform_int_distribution<int> load_ms(100, 400);
  const Clock::time_point began = Clock::now();

  for (int kill = 1; kill <= backend.kills; ++kill) {
    SCOPED_TRACE("kill " + std::to_string(kill));
    {
      SignUpLoad signups(*server, kSignUpThreads, "k" + std::to_string(kill) + "-t");
      PatchLoad patches(*server, patched, "k" + std::to_string(kill));
      std::this_thread::sleep_for(milliseconds(load_ms(rng)));
      ExitStatus st = server->Stop(SIGKILL);
      ASSERT_EQ(st.signal, SIGKILL) << st;
      signups.Stop();
      patches.Stop();
      EXPECT_EQ(signups.other_statuses(), 0);
      for (const auto& ack : signups.acks()) acked_emails.insert(ack.email);
      for (int i = 0; i < kPatchAccounts; ++i) {
        const PatchLoad::Attempts& at = patches.attempts()[i];
        EXPECT_EQ(at.other_statuses, 0) << "user " << at.id;
        // After an acknowledged PATCH only it and later attempts can hold;
        // without one, the name from before this round can too.
        auto first = at.sent.begin() + std::max(at.last_acked, 0);
        if (at.last_acked >= 0) {
          allowed[i].clear();
          ++acked_patches;
        }
        allowed[i].insert(first, at.sent.end());
      }
    }
    server = std::make_unique<TestServer>(OnDir(dir, args));
    ASSERT_TRUE(server->ok()) << server->error();
    Api api(*server);
    auto emails = AllEmails(api);
    ASSERT_TRUE(emails);
    int missing = 0;
    for (const std::string& email : acked_emails) {
      if (emails->count(email)) continue;
      if (++missing <= 5) ADD_FAILURE() << "acknowledged sign-up lost: " << email;
    }
    ASSERT_EQ(missing, 0) << "of " << acked_emails.size() << " acknowledged sign-ups";
    for (int i = 0; i < kPatchAccounts; ++i) {
      auto name = StoredName(api, patched[i]);
      ASSERT_TRUE(name);
      ASSERT_TRUE(allowed[i].count(*name))
          << "user " << patched[i].id << " holds '" << *name << "', which is neither the last "
          << "acknowledged name nor one sent after it";
      // Now known exactly: the start of the next round.
      allowed[i] = {*name};
    }
  }
  ExitStatus st = server->Stop(SIGTERM);
  EXPECT_TRUE(st.exited && st.code == 0) << st;

  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  RecordProperty("kills", backend.kills);
  RecordProperty("acknowledged_signups", static_cast<int>(acked_emails.size()));
  RecordProperty("acknowledged_patch_rounds", static_cast<int>(acked_patches));
  std::cout << "crash loop (" << backend.name << "): " << backend.kills << " kills in "
            << static_cast<int>(seconds) << " s; " << acked_emails.size()
            << " acknowledged sign-ups and the names of " << kPatchAccounts
            << " patched users verified after every restart (" << acked_patches
            << " rounds with an acknowledged PATCH)\n";
  // A loop that acknowledged nothing proved nothing.
  EXPECT_GT(acked_emails.size(), static_cast<size_t>(backend.kills));
  EXPECT_GT(acked_patches, static_cast<size_t>(backend.kills));
}

// --sync full is keel's default, named here because the loop is about it.
INSTANTIATE_TEST_SUITE_P(Stores, CrashLoop, ::testing::Values(Backend{"Lmdb", {"--sync", "full"}}),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace keel::integration
