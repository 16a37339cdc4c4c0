// What survives a restart, a SIGKILL and a full map, and what a hot backup
// holds, against the real binary on a data dir that outlives one process.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "api_client.h"
#include "durability_support.h"
#include "test_server.h"

namespace keel::integration {
namespace {

using Clock = std::chrono::steady_clock;

TEST(Durability, RestartKeepsUsersSessionsAndKey) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::vector<Account> accounts;
  std::vector<std::string> bodies;
  {
    TestServer server(OnDir(dir, CheapHashArgs(), AdminEnv()));
    ASSERT_TRUE(server.ok()) << server.error();
    Api api(server);
    for (const char* name : {"Ada", "Grace", "Edsger"}) {
      auto a = api.NewAccount(name);
      ASSERT_TRUE(a);
      accounts.push_back(*a);
    }
    HttpResponse patched = api.SendJsonAs(
        accounts[1].access_token, "PATCH", "/api/users/" + std::to_string(accounts[1].id),
        Obj({Str("name", "Grace Hopper")}), {}, "application/merge-patch+json");
    ASSERT_EQ(patched.status, 200) << patched.body;
    for (const Account& a : accounts) {
      HttpResponse r = api.GetAs(a.access_token, "/api/users/" + std::to_string(a.id));
      ASSERT_EQ(r.status, 200);
      bodies.push_back(r.body + " " + r.Header("ETag").value_or(""));
    }
    ExitStatus st = server.Stop(SIGTERM);
    EXPECT_TRUE(st.exited && st.code == 0) << st;
  }
  // A different admin in the environment: not a first start, so ignored.
  TestServer server(OnDir(
      dir, CheapHashArgs(),
      {"KEEL_ADMIN_EMAIL=second-admin@example.com", "KEEL_ADMIN_PASSWORD=second-admin-password"}));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  for (size_t i = 0; i < accounts.size(); ++i) {
    const Account& a = accounts[i];
    SCOPED_TRACE(a.email);
    // Tokens from before the restart still work: the key and the sessions
    // were kept.
    HttpResponse r = api.GetAs(a.access_token, "/api/users/" + std::to_string(a.id));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body + " " + r.Header("ETag").value_or(""), bodies[i]);
    EXPECT_EQ(api.Refresh(a.refresh_token).status, 200);
    EXPECT_EQ(api.Login(a.email, a.password).status, 200);
  }
  EXPECT_EQ(api.Login("second-admin@example.com", "second-admin-password").status, 401);
  auto emails = AllEmails(api);
  ASSERT_TRUE(emails);
  EXPECT_EQ(emails->size(), accounts.size() + 1);
  // Ids keep growing across the restart.
  auto fresh = api.NewAccount("New");
  ASSERT_TRUE(fresh);
  EXPECT_GT(fresh->id, accounts.back().id);
}

TEST(Durability, EverySyncModeKeepsDataOverACleanRestart) {
  for (std::string_view mode : {"full", "meta", "none"}) {
    SCOPED_TRACE(mode);
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    std::string email = UniqueEmail("sync");
    {
      TestServer server(OnDir(dir, CheapHashArgs({"--sync", std::string(mode)})));
      ASSERT_TRUE(server.ok()) << server.error();
      ASSERT_EQ(Api(server).SignUp(email, "Ada", "correct horse").status, 201);
      EXPECT_EQ(server.Stop(SIGTERM).code, 0);
    }
    TestServer server(OnDir(dir, CheapHashArgs({"--sync", std::string(mode)})));
    ASSERT_TRUE(server.ok()) << server.error();
    EXPECT_EQ(Api(server).Login(email, "correct horse").status, 200);
  }
}

// A 201 is sent only after the commit that holds it is durable, so a
// SIGKILL in the middle of a burst loses no acknowledged sign-up.
TEST(Durability, AcknowledgedSignUpsSurviveSigkill) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::vector<SignUpLoad::Ack> acks;
  {
    TestServer server(OnDir(dir, CheapHashArgs(), AdminEnv()));
    ASSERT_TRUE(server.ok()) << server.error();
    SignUpLoad load(server, 8, "crash");
    std::this_thread::sleep_for(milliseconds(1500));
    ExitStatus st = server.Stop(SIGKILL);
    EXPECT_EQ(st.signal, SIGKILL) << st;
    load.Stop();
    acks = load.acks();
    EXPECT_EQ(load.other_statuses(), 0);
  }
  RecordProperty("acknowledged", static_cast<int>(acks.size()));
  ASSERT_GT(acks.size(), 0u) << "no sign-up was acknowledged before the kill";
  TestServer server(OnDir(dir, CheapHashArgs()));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto emails = AllEmails(api);
  ASSERT_TRUE(emails);
  int missing = 0;
  for (const auto& ack : acks) {
    if (!emails->count(ack.email)) {
      ++missing;
      ADD_FAILURE() << "acknowledged but lost: " << ack.email;
      if (missing > 10) break;
    }
  }
  EXPECT_EQ(missing, 0) << "of " << acks.size() << " acknowledged";
  // The store is usable after the crash.
  EXPECT_EQ(api.SignUp(UniqueEmail("after-crash"), "Ada", "correct horse").status, 201);
}

// A full map answers 507 to writes while reads go on; a restart with a
// larger --map-size makes room again.
TEST(Durability, FullMapIs507ThenARestartWithALargerMapHelps) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::optional<Account> reader;
  int created = 0;
  {
    // The smallest map the server accepts among these.
    std::unique_ptr<TestServer> server;
    for (const char* size : {"1M", "2M", "4M", "8M"}) {
      server = std::make_unique<TestServer>(
          OnDir(dir, CheapHashArgs({"--map-size", size, "--sync", "none"})));
      if (server->ok()) break;
      std::cerr << "--map-size " << size << " refused: " << server->error() << "\n";
    }
    ASSERT_TRUE(server->ok()) << server->error();
    Api api(*server);
    reader = api.NewAccount("Reader");
    ASSERT_TRUE(reader);

    std::string name;
    for (int i = 0; i < 100; ++i) name += "\xF0\x9F\x98\x80";  // 100 x U+1F600
    Connection c = server->Connect();
    ASSERT_TRUE(c.ok());
    std::optional<HttpResponse> full;
    for (int i = 0; i < 50000 && !full; ++i) {
      // Long but valid: a local part under 64 bytes, labels under 64.
      std::string email = std::string(58, 'm') + std::to_string(i) + "@" + std::string(60, 'x') +
                          "." + std::string(60, 'y') + "." + std::string(50, 'z') + ".com";
      std::string body =
          Obj({Str("email", email), Str("name", name), Str("password", "correct horse")});
      ASSERT_TRUE(c.SendAll(JsonRequest("POST", "/api/users", body))) << c.error();
      auto r = c.ReadResponse();
      ASSERT_TRUE(r) << c.error();
      if (r->status == 201) {
        ++created;
      } else {
        full = std::move(r);
      }
    }
    ASSERT_TRUE(full) << "the map never filled";
    RecordProperty("created_before_full", created);
    EXPECT_TRUE(IsHouseError(*full, 507)) << "after " << created << " sign-ups";
    // Reads go on; writes keep failing cleanly.
    HttpResponse me = api.GetAs(reader->access_token, "/api/users/me");
    EXPECT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(api.Send(Get("/healthz")).status, 200);
    // A write of the same size still does not fit (a smaller one might).
    std::string email = std::string(58, 'n') + "@" + std::string(60, 'x') + "." +
                        std::string(60, 'y') + "." + std::string(50, 'z') + ".com";
    EXPECT_TRUE(IsHouseError(api.SignUp(email, name, "correct horse"), 507));
    ExitStatus st = server->Stop(SIGTERM);
    EXPECT_TRUE(st.exited && st.code == 0) << st;
  }
  TestServer server(OnDir(dir, CheapHashArgs({"--map-size", "64M"})));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  EXPECT_EQ(api.SignUp(UniqueEmail("roomy"), "Ada", "correct horse").status, 201);
  EXPECT_EQ(api.GetAs(reader->access_token, "/api/users/me").status, 200);
  EXPECT_EQ(api.Login(reader->email, reader->password).status, 200);
}

std::string KeelAdminBinary() {
  return (std::filesystem::path(KeelBinary()).parent_path() / "keel-admin").string();
}

// keel-admin backup copies a live store: every user acknowledged before the
// backup began is in the copy, and keel starts on it.
TEST(Durability, HotBackupHoldsEveryEarlierUser) {
  if (!std::filesystem::exists(KeelAdminBinary())) {
    GTEST_SKIP() << KeelAdminBinary() << " is not built";
  }
  TempDir dir, backup;
  ASSERT_TRUE(dir.ok() && backup.ok());
  std::vector<std::string> before;
  {
    TestServer server(OnDir(dir, CheapHashArgs(), AdminEnv()));
    ASSERT_TRUE(server.ok()) << server.error();
    Api api(server);
    for (int i = 0; i < 20; ++i) {
      std::string email = UniqueEmail("early");
      ASSERT_EQ(api.SignUp(email, "Early", "correct horse").status, 201);
      before.push_back(email);
    }
    SignUpLoad load(server, 2, "during");
    std::this_thread::sleep_for(milliseconds(200));
    Clock::time_point began = Clock::now();
    RunResult r = RunProgram({KeelAdminBinary(), "backup", backup.path(), "--data-dir", dir.path()},
                             {}, milliseconds(20000));
    load.Stop();
    ASSERT_TRUE(r.status.exited && r.status.code == 0)
        << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err;
    for (const auto& ack : load.acks()) {
      if (ack.at < began) before.push_back(ack.email);
    }
  }
  TestServer server(OnDir(backup, CheapHashArgs()));
  ASSERT_TRUE(server.ok()) << server.error();
  auto emails = AllEmails(Api(server));
  ASSERT_TRUE(emails);
  for (const std::string& email : before) EXPECT_TRUE(emails->count(email)) << email;
}

}  // namespace
}  // namespace keel::integration
