// The command line and its environment fallbacks, as a user meets them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <utility>

#include "test_server.h"

namespace keel::integration {
namespace {

// A temporary directory removed at scope exit, so a server that wrongly
// starts never writes ./data into the working directory.
class TempDir {
 public:
  TempDir() : path_(MakeTempDir()) {}
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs keel with `args` plus a throwaway --data-dir; it must fail to start.
RunResult RunExpectingFailure(std::vector<std::string> args, std::vector<std::string> env = {}) {
  TempDir dir;
  args.insert(args.end(), {"--data-dir", dir.path()});
  RunResult r = RunKeel(args, env, milliseconds(3000));
  EXPECT_FALSE(r.status.timed_out) << "keel started instead of failing; stdout: " << r.out;
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << r.status;
  EXPECT_FALSE(r.err.empty()) << "no message on stderr";
  return r;
}

TEST(Options, HelpPrintsUsageAndExitsZero) {
  RunResult r = RunKeel({"--help"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.status;
  EXPECT_NE((r.out + r.err).find("--port"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("--port"), std::string::npos) << "usage should go to stdout";
}

TEST(Options, VersionExitsZero) {
  RunResult r = RunKeel({"--version"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.status;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"([0-9]+\.[0-9]+\.[0-9]+)"))) << r.out;
}

TEST(Options, BadPortIsRejected) {
  RunResult r = RunExpectingFailure({"--port", "nope"});
  EXPECT_NE(r.err.find("--port"), std::string::npos) << r.err;
}

TEST(Options, PortOutOfRangeIsRejected) {
  RunResult r = RunExpectingFailure({"--port", "70000"});
  EXPECT_NE(r.err.find("--port"), std::string::npos) << r.err;
}

TEST(Options, MissingValueIsRejected) {
  RunResult r = RunExpectingFailure({"--max-body-bytes"});
  EXPECT_NE(r.err.find("--max-body-bytes"), std::string::npos) << r.err;
}

TEST(Options, UnknownOptionIsRejected) {
  RunResult r = RunExpectingFailure({"--no-such-option"});
  EXPECT_NE(r.err.find("--no-such-option"), std::string::npos) << r.err;
}

// One error line and one hint: the message itself must not point at --help
// again before main's "Try 'keel --help'."
TEST(Options, AnUnknownOptionGetsOneHint) {
  const std::pair<const char*, const char*> kCases[] = {
      {"--bogus", "unknown option '--bogus'"},
      {"-x", "unknown option '-x'"},
      {"serve", "unexpected argument 'serve'"},
  };
  for (const auto& [arg, message] : kCases) {
    RunResult r = RunExpectingFailure({arg});
    EXPECT_EQ(r.err, "keel: " + std::string(message) + "\nTry 'keel --help'.\n") << arg;
  }
}

TEST(Options, BadEnvironmentValueIsRejected) {
  RunResult r = RunExpectingFailure({}, {"KEEL_PORT=nope"});
  EXPECT_NE(r.err.find("KEEL_PORT"), std::string::npos) << r.err;
}

TEST(Options, UnusableDataDirIsRejected) {
  TempDir dir;
  const std::string file = dir.path() + "/not-a-dir";
  std::ofstream(file) << "x";
  RunResult r = RunKeel({"--port", "0", "--data-dir", file}, {}, milliseconds(3000));
  EXPECT_FALSE(r.status.timed_out)
      << "keel started on a data dir that is a file; stdout: " << r.out;
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << r.status;
  EXPECT_FALSE(r.err.empty()) << "no message on stderr";
}

TEST(Options, KeelPortEnvironmentVariableWorks) {
  TestServer server(ServerOptions{.env = {"KEEL_PORT=0"}, .pass_port = false});
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Options, CommandLineWinsOverEnvironment) {
  // --port 0 is given, so the bad KEEL_PORT is never read.
  TestServer server(ServerOptions{.env = {"KEEL_PORT=nope"}});
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Options, BooleanFromEnvironment) {
  TestServer server(ServerOptions{.env = {"KEEL_BENCH_ENDPOINTS=1"}});
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/plaintext"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Hello, World!");
}

TEST(Options, EqualsFormIsAccepted) {
  TestServer server(ServerOptions{.args = {"--max-body-bytes=10"}});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 11\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r) << c.error();
  EXPECT_TRUE(IsHouseError(*r, 413));
}

}  // namespace
}  // namespace keel::integration
