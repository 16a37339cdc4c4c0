// keel-admin, the data dir's command-line tool, run as a real process
// beside a real keel on the same data dir: what it writes, keel serves at
// once, and what keel writes, it sees.
//
// The binary is found next to keel (KEEL_BINARY); both land in the build
// dir. Hashing is cheap on both sides (--argon2-ops 1 --argon2-mem-kib 64).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "json_value.h"
#include "test_server.h"

namespace keel::integration {
namespace {

using std::chrono::milliseconds;

std::string AdminBinary() {
  return (std::filesystem::path(KeelBinary()).parent_path() / "keel-admin").string();
}

// keel-admin with `args` as given (no --data-dir added).
RunResult RunAdmin(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), AdminBinary());
  return RunProgram(args, env, milliseconds(60000));
}

// keel-admin --data-dir `dir` `args`..., plus the cheap hash cost when the
// command hashes.
RunResult Admin(const std::string& dir, std::vector<std::string> args,
                const std::vector<std::string>& env = {}) {
  const std::string command = args.front();
  if (command == "create-admin" || command == "seed") {
    for (const std::string& a : CheapHashCost()) args.push_back(a);
  }
  args.insert(args.begin(), {"--data-dir", dir});
  return RunAdmin(std::move(args), env);
}

::testing::AssertionResult ExitedWith(const RunResult& r, int code) {
  if (r.status.exited && r.status.code == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected exit " << code << ", got " << r.status
                                       << "\nstdout: " << r.out << "\nstderr: " << r.err;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `stats --json` parsed; nullopt (with a failure) otherwise.
std::optional<JsonValue> StatsJson(const std::string& dir) {
  RunResult r = Admin(dir, {"stats", "--json"});
  EXPECT_TRUE(ExitedWith(r, 0));
  std::string error;
  std::optional<JsonValue> v = JsonValue::Parse(r.out, &error);
  EXPECT_TRUE(v && v->is_object()) << error << ": " << r.out;
  return v && v->is_object() ? v : std::nullopt;
}

std::optional<int64_t> Entries(const JsonValue& stats, std::string_view db) {
  const JsonValue* entries = stats.Find("entries");
  return entries ? entries->GetInt(db) : std::nullopt;
}

TEST(KeelAdmin, HelpExitsZero) {
  RunResult r = RunAdmin({"--help"});
  ASSERT_TRUE(ExitedWith(r, 0));
  for (const char* command :
       {"create-admin", "list", "set-role", "revoke-sessions", "stats", "backup", "seed", "keys"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << command;
  }
  EXPECT_NE(r.out.find("--data-dir"), std::string::npos);

  r = RunAdmin({"create-admin", "--help"});
  ASSERT_TRUE(ExitedWith(r, 0));
  EXPECT_NE(r.out.find("--email"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("KEEL_ADMIN_PASSWORD"), std::string::npos) << r.out;
  r = RunAdmin({"backup", "-h"});
  ASSERT_TRUE(ExitedWith(r, 0));
  EXPECT_NE(r.out.find("jwt.key"), std::string::npos) << r.out;
  r = RunAdmin({"--version"});
  ASSERT_TRUE(ExitedWith(r, 0));
  EXPECT_EQ(r.out.rfind("keel-admin ", 0), 0u) << r.out;
}

TEST(KeelAdmin, UsageErrorsExitTwo) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  RunResult r = RunAdmin({"frobnicate"});
  EXPECT_TRUE(ExitedWith(r, 2));
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  EXPECT_TRUE(ExitedWith(RunAdmin({}), 2));
  EXPECT_TRUE(ExitedWith(RunAdmin({"--bogus", "list"}), 2));
  EXPECT_TRUE(ExitedWith(RunAdmin({"--data-dir"}), 2));
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"list", "--bogus"}), 2));
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"list", "--limit", "lots"}), 2));
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"set-role", "1"}), 2));
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"set-role", "1", "root"}), 2));
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"revoke-sessions", "x"}), 2));
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"create-admin", "--password", "long-enough"}), 2));
  // No --password and no KEEL_ADMIN_PASSWORD (the harness clears KEEL_*).
  EXPECT_TRUE(ExitedWith(Admin(dir.path(), {"create-admin", "--email", "a@example.com"}), 2));
  EXPECT_TRUE(
      ExitedWith(Admin(dir.path(), {"seed", "--count", "5", "--email-format", "u%s@x.io"}), 2));
  // None of these made a database.
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/data.mdb"));
}

TEST(KeelAdmin, ReadingCommandsNeedAnExistingDatabase) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  for (std::vector<std::string> args : {std::vector<std::string>{"list"},
                                        {"stats"},
                                        {"set-role", "1", "admin"},
                                        {"revoke-sessions", "1"},
                                        {"backup", dir.path() + "/copy"}}) {
    RunResult r = Admin(dir.path(), args);
    EXPECT_TRUE(ExitedWith(r, 1)) << args.front();
    EXPECT_NE(r.err.find("no database"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/data.mdb"));
}

// A keel of its own for each test, on a fresh data dir that keel-admin
// shares with it.
class KeelAdminBeside : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }
  const std::string& dir() const { return server_.data_dir(); }
  Api api() const { return Api(server_); }

  // create-admin --json; the new id, or 0 with a failure.
  int64_t CreateAdmin(const std::string& email, const std::string& password) {
    RunResult r =
        Admin(dir(), {"create-admin", "--email", email, "--password", password, "--json"});
    EXPECT_TRUE(ExitedWith(r, 0));
    std::optional<JsonValue> user = JsonValue::Parse(r.out, nullptr);
    EXPECT_TRUE(user && user->is_object()) << r.out;
    return user && user->is_object() ? user->GetInt("id").value_or(0) : 0;
  }

  TestServer server_{ServerOptions{.args = CheapHashArgs()}};
};

TEST_F(KeelAdminBeside, CreatedAdminLogsInAndListsUsers) {
  RunResult r = Admin(dir(), {"create-admin", "--email", "Boss@Example.com", "--name", "The Boss",
                              "--password", "boss-password-1"});
  ASSERT_TRUE(ExitedWith(r, 0));
  // A sentence for people, like the other commands print.
  EXPECT_EQ(r.out, "created user 1 (Boss@Example.com) with the admin role\n");
  const int64_t id = 1;

  auto someone = api().NewAccount("Someone");
  ASSERT_TRUE(someone);
  // Emails match case-insensitively, as for every user.
  auto tokens = api().LoginTokens("boss@example.com", "boss-password-1");
  ASSERT_TRUE(tokens);
  HttpResponse me = api().GetAs(tokens->access_token, "/api/users/me");
  ASSERT_EQ(me.status, 200) << me.body;
  auto body = ParseBody(me);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->GetInt("id"), id);
  EXPECT_EQ(body->GetString("role"), "admin");
  EXPECT_EQ(body->GetString("name"), "The Boss");
  EXPECT_EQ(body->GetString("email"), "Boss@Example.com");

  auto users = api().ListAll(tokens->access_token);
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[1].GetString("email"), someone->email);
}

// --json: the user as GET /api/users/{id} shows it, on one line.
TEST_F(KeelAdminBeside, CreateAdminJsonPrintsTheUserForScripts) {
  ASSERT_TRUE(api().NewAccount("First"));
  RunResult r = Admin(dir(), {"create-admin", "--email", "script@example.com", "--password",
                              "script-password", "--json"});
  ASSERT_TRUE(ExitedWith(r, 0));
  ASSERT_EQ(Lines(r.out).size(), 1u) << r.out;
  std::string error;
  std::optional<JsonValue> user = JsonValue::Parse(r.out, &error);
  ASSERT_TRUE(user && user->is_object()) << error << ": " << r.out;
  EXPECT_EQ(user->GetInt("id"), 2);
  EXPECT_EQ(user->GetString("email"), "script@example.com");
  EXPECT_EQ(user->GetString("role"), "admin");
  EXPECT_EQ(user->Find("password_hash"), nullptr) << r.out;
}

TEST_F(KeelAdminBeside, CreateAdminReadsThePasswordFromTheEnvironment) {
  RunResult r = Admin(dir(), {"create-admin", "--email", "env@example.com"},
                      {"KEEL_ADMIN_PASSWORD=from-the-environment"});
  ASSERT_TRUE(ExitedWith(r, 0));
  auto tokens = api().LoginTokens("env@example.com", "from-the-environment");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(api().GetAs(tokens->access_token, "/api/users").status, 200);
}

TEST_F(KeelAdminBeside, CreateAdminWithATakenEmailExitsOne) {
  ASSERT_EQ(api().SignUp("taken@example.com", "First", "first-password").status, 201);
  RunResult r = Admin(
      dir(), {"create-admin", "--email", "TAKEN@example.com", "--password", "second-password"});
  EXPECT_TRUE(ExitedWith(r, 1));
  EXPECT_NE(r.err.find("already taken"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  // Still the one user, still a plain user.
  RunResult list = Admin(dir(), {"list"});
  ASSERT_TRUE(ExitedWith(list, 0));
  std::vector<std::string> lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 1u) << list.out;
  EXPECT_EQ(lines[0], "1\ttaken@example.com\tFirst\tuser");
  // A second create-admin with a new email still works.
  EXPECT_GT(CreateAdmin("second@example.com", "second-password"), 1);
}

TEST_F(KeelAdminBeside, ListPagesInIdOrder) {
  std::vector<std::string> emails;
  for (int i = 0; i < 5; ++i) {
    emails.push_back(UniqueEmail("lst"));
    ASSERT_EQ(api().SignUp(emails.back(), "Lister " + std::to_string(i), "password-123").status,
              201);
  }
  RunResult all = Admin(dir(), {"list"});
  ASSERT_TRUE(ExitedWith(all, 0));
  std::vector<std::string> lines = Lines(all.out);
  ASSERT_EQ(lines.size(), 5u) << all.out;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(lines[i], std::to_string(i + 1) + "\t" + emails[i] + "\tLister " + std::to_string(i) +
                            "\tuser");
  }
  RunResult page = Admin(dir(), {"list", "--after", "2", "--limit", "2"});
  ASSERT_TRUE(ExitedWith(page, 0));
  EXPECT_EQ(Lines(page.out), std::vector<std::string>(lines.begin() + 2, lines.begin() + 4));
  RunResult past = Admin(dir(), {"list", "--after", "5"});
  ASSERT_TRUE(ExitedWith(past, 0));
  EXPECT_TRUE(past.out.empty()) << past.out;
}

TEST_F(KeelAdminBeside, SetRolePromotesAndDemotes) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  EXPECT_EQ(api().GetAs(ada->access_token, "/api/users").status, 403);

  RunResult r = Admin(dir(), {"set-role", std::to_string(ada->id), "admin"});
  ASSERT_TRUE(ExitedWith(r, 0));
  EXPECT_NE(r.out.find("user -> admin"), std::string::npos) << r.out;
  auto tokens = api().LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(tokens);
  HttpResponse list = api().GetAs(tokens->access_token, "/api/users");
  EXPECT_EQ(list.status, 200) << list.body;
  auto me = ParseBody(api().GetAs(tokens->access_token, "/api/users/me"));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->GetString("role"), "admin");

  // Setting it again changes nothing; demoting takes the admin rights away.
  EXPECT_TRUE(ExitedWith(Admin(dir(), {"set-role", std::to_string(ada->id), "admin"}), 0));
  ASSERT_TRUE(ExitedWith(Admin(dir(), {"set-role", std::to_string(ada->id), "user"}), 0));
  EXPECT_EQ(api().GetAs(tokens->access_token, "/api/users").status, 403);

  RunResult missing = Admin(dir(), {"set-role", "999999", "admin"});
  EXPECT_TRUE(ExitedWith(missing, 1));
  EXPECT_NE(missing.err.find("no such user"), std::string::npos) << missing.err;
}

TEST_F(KeelAdminBeside, RevokeSessionsEndsAccessAndRefreshTokens) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto bob = api().NewAccount("Bob");
  ASSERT_TRUE(bob);
  ASSERT_EQ(api().GetAs(ada->access_token, "/api/users/me").status, 200);

  ASSERT_TRUE(ExitedWith(Admin(dir(), {"revoke-sessions", std::to_string(ada->id)}), 0));
  HttpResponse me = api().GetAs(ada->access_token, "/api/users/me");
  EXPECT_TRUE(IsHouseError(me, 401)) << me.body;
  HttpResponse refresh = api().Refresh(ada->refresh_token);
  EXPECT_TRUE(IsHouseError(refresh, 401)) << refresh.body;
  // Ada can sign in again; Bob was not touched.
  auto again = api().LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(again);
  EXPECT_EQ(api().GetAs(again->access_token, "/api/users/me").status, 200);
  EXPECT_EQ(api().GetAs(bob->access_token, "/api/users/me").status, 200);
  EXPECT_EQ(api().Refresh(bob->refresh_token).status, 200);

  RunResult missing = Admin(dir(), {"revoke-sessions", "999999"});
  EXPECT_TRUE(ExitedWith(missing, 1));
  EXPECT_NE(missing.err.find("no such user"), std::string::npos) << missing.err;
}

TEST_F(KeelAdminBeside, StatsCountsEntries) {
  auto ada = api().NewAccount("Ada");
  ASSERT_TRUE(ada);
  ASSERT_EQ(api().SignUp(UniqueEmail("stats"), "Bob", "password-123").status, 201);

  RunResult text = Admin(dir(), {"stats"});
  ASSERT_TRUE(ExitedWith(text, 0));
  for (const char* word : {"map size", "page size", "pages used", "readers", "users", "emails",
                           "credentials", "sessions"}) {
    EXPECT_NE(text.out.find(word), std::string::npos) << word << " in\n" << text.out;
  }

  auto stats = StatsJson(dir());
  ASSERT_TRUE(stats);
  EXPECT_EQ(Entries(*stats, "users"), 2);
  EXPECT_EQ(Entries(*stats, "emails"), 2);
  EXPECT_EQ(Entries(*stats, "credentials"), 2);
  EXPECT_EQ(Entries(*stats, "sessions"), 1);  // Ada's login
  int64_t page_size = stats->GetInt("page_size").value_or(0);
  int64_t pages = stats->GetInt("pages_used").value_or(0);
  EXPECT_GT(page_size, 0);
  EXPECT_GT(pages, 0);
  EXPECT_EQ(stats->GetInt("bytes_used"), page_size * pages);
  EXPECT_EQ(stats->GetInt("map_size"), int64_t{1} << 36);  // keel's default
  // keel's workers keep their reader slots between requests.
  EXPECT_GE(stats->GetInt("readers_used").value_or(0), 1);
  EXPECT_GE(stats->GetInt("max_readers").value_or(0), stats->GetInt("readers_used").value_or(0));
}

// Sign-ups run in a thread while the backup is taken. Every sign-up that
// was answered 201 before the backup started must be in the copy, and a
// keel started on the copy must accept tokens the original issued.
TEST(KeelAdminBackup, HotCopyHoldsEveryAcknowledgedUser) {
  TestServer server({.args = CheapHashArgs(), .env = AdminEnv()});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto admin = api.Admin();
  ASSERT_TRUE(admin);

  std::mutex mu;
  std::vector<std::string> acknowledged;  // guarded by mu
  std::atomic<bool> stop{false};
  std::thread signups([&] {
    while (!stop.load()) {
      std::string email = UniqueEmail("hot");
      if (api.SignUp(email, "Hot", "password-123").status == 201) {
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.push_back(email);
      }
    }
  });
  auto count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acknowledged.size();
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (count() < 30 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::vector<std::string> before;
  {
    std::lock_guard<std::mutex> lock(mu);
    before = acknowledged;
  }
  TempDir backups;
  ASSERT_TRUE(backups.ok());
  const std::string copy = backups.path() + "/copy";  // created by the backup
  RunResult r = Admin(server.data_dir(), {"backup", copy});
  // Sign-ups kept running through the backup; how many landed in it is
  // timing, so it is not checked.
  stop.store(true);
  signups.join();
  ASSERT_TRUE(ExitedWith(r, 0));
  ASSERT_GE(before.size(), 30u) << "sign-ups too slow";
  // The restore hint copies into an empty data dir, as backup --help says.
  EXPECT_NE(r.out.find("cp -p " + copy + "/* NEWDIR/"), std::string::npos) << r.out;

  // The signing keys came along, owner-only.
  struct stat st {};
  size_t keys = 0;
  for (const auto& entry : std::filesystem::directory_iterator(server.data_dir() + "/keys")) {
    const std::string name = entry.path().filename().string();
    ASSERT_EQ(::stat((copy + "/keys/" + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(ReadFile(copy + "/keys/" + name), ReadFile(entry.path().string()));
    ++keys;
  }
  EXPECT_EQ(keys, 1u);
  ASSERT_EQ(::stat((copy + "/keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((copy + "/data.mdb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A second backup into the same place is refused and changes nothing.
  std::string data_before = ReadFile(copy + "/data.mdb");
  RunResult again = Admin(server.data_dir(), {"backup", copy});
  EXPECT_TRUE(ExitedWith(again, 1));
  EXPECT_NE(again.err.find("already holds"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(copy + "/data.mdb"), data_before);

  TestServer restored({.args = CheapHashArgs(), .data_dir = copy});
  ASSERT_TRUE(restored.ok()) << restored.error();
  Api restored_api(restored);
  // Signed with the copied key, checked against the copied token version.
  EXPECT_EQ(restored_api.GetAs(admin->access_token, "/api/users/me").status, 200);
  auto users = restored_api.ListAll(admin->access_token);
  ASSERT_TRUE(users);
  std::set<std::string> present;
  for (const JsonValue& u : *users) present.insert(u.GetString("email").value_or(""));
  for (const std::string& email : before) EXPECT_TRUE(present.count(email)) << email;
}

TEST(KeelAdminSeed, CreatesUsersKeelServes) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  RunResult r = Admin(dir.path(), {"seed", "--count", "2000", "--batch", "300"});
  ASSERT_TRUE(ExitedWith(r, 0));
  EXPECT_EQ(r.out.rfind("created 2000 users in ", 0), 0u) << r.out;

  RunResult list = Admin(dir.path(), {"list", "--limit", "5000"});
  ASSERT_TRUE(ExitedWith(list, 0));
  std::vector<std::string> lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 2000u);
  EXPECT_EQ(lines[0], "1\tuser1@example.com\tUser 1\tuser");
  EXPECT_EQ(lines[1233], "1234\tuser1234@example.com\tUser 1234\tuser");
  EXPECT_EQ(lines[1999], "2000\tuser2000@example.com\tUser 2000\tuser");

  // Seeding again skips the taken emails.
  RunResult again = Admin(dir.path(), {"seed", "--count", "2000"});
  ASSERT_TRUE(ExitedWith(again, 0));
  EXPECT_EQ(again.out.rfind("created 0 users", 0), 0u) << again.out;
  EXPECT_NE(again.out.find("skipped 2000"), std::string::npos) << again.out;
  auto stats = StatsJson(dir.path());
  ASSERT_TRUE(stats);
  EXPECT_EQ(Entries(*stats, "users"), 2000);
  EXPECT_EQ(Entries(*stats, "credentials"), 2000);

  TestServer server({.args = CheapHashArgs(), .data_dir = dir.path()});
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  auto tokens = api.LoginTokens("user1234@example.com", "benchmark-password");
  ASSERT_TRUE(tokens);
  auto me = ParseBody(api.GetAs(tokens->access_token, "/api/users/me"));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->GetInt("id"), 1234);
  EXPECT_EQ(me->GetString("name"), "User 1234");
  EXPECT_EQ(api.Login("user7@example.com", "wrong-password").status, 401);
  EXPECT_EQ(api.SignUp("USER5@example.com", "Dup", "password-123").status, 409);
}

// keel-admin is not a server: a full map asks for another run, with the
// map size the message names, and that run works.
TEST(KeelAdminSeed, AFullMapSaysRunAgainWithALargerMapSize) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  RunResult r = Admin(dir.path(), {"seed", "--count", "5000", "--map-size", "256K"});
  EXPECT_TRUE(ExitedWith(r, 1));
  EXPECT_NE(r.err.find("keel-admin seed: the database is full: run again with a larger "
                       "--map-size\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("restart"), std::string::npos) << r.err;

  r = Admin(dir.path(), {"seed", "--count", "5000", "--map-size", "64M"});
  ASSERT_TRUE(ExitedWith(r, 0));
  EXPECT_EQ(r.out.rfind("created 5000 users in ", 0), 0u) << r.out;
}

TEST(KeelAdminSeed, FormatsAndPasswordAreConfigurable) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  RunResult r =
      Admin(dir.path(), {"seed", "--count", "3", "--password", "shared-secret", "--email-format",
                         "load-%d@bench.test", "--name-format", "Load 100%% #%d"});
  ASSERT_TRUE(ExitedWith(r, 0));
  RunResult list = Admin(dir.path(), {"list"});
  ASSERT_TRUE(ExitedWith(list, 0));
  EXPECT_EQ(Lines(list.out),
            (std::vector<std::string>{"1\tload-1@bench.test\tLoad 100% #1\tuser",
                                      "2\tload-2@bench.test\tLoad 100% #2\tuser",
                                      "3\tload-3@bench.test\tLoad 100% #3\tuser"}));
  TestServer server({.args = CheapHashArgs(), .data_dir = dir.path()});
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_TRUE(Api(server).LoginTokens("load-2@bench.test", "shared-secret"));
}

}  // namespace
}  // namespace keel::integration
