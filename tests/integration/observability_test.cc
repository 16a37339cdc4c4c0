// Request ids, trace context, the access log and the metrics listener,
// seen from outside (issue 8).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "api_client.h"
#include "test_server.h"

namespace keel::integration {
namespace {

const std::regex kOurTraceparent(R"(^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$)");
constexpr char kIncoming[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

bool ValidId(const std::string& id) {
  static const std::regex kId(R"(^[A-Za-z0-9._:-]{1,128}$)");
  return std::regex_match(id, kId);
}

class RequestIds : public SharedServerTest<RequestIds> {};

TEST_F(RequestIds, AValidIncomingIdIsEchoed) {
  auto r = server_->RoundTrip(Get("/healthz", {"X-Request-Id: client.id:42_x-y"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("X-Request-Id"), "client.id:42_x-y");
  std::string longest(128, 'a');
  r = server_->RoundTrip(Get("/healthz", {"X-Request-Id: " + longest}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("X-Request-Id"), longest);
}

TEST_F(RequestIds, AnInvalidOrMissingIdIsReplaced) {
  std::set<std::string> seen;
  for (std::string header :
       {"X-Request-Id: " + std::string(129, 'a'), std::string("X-Request-Id: has/slash"),
        std::string("X-Request-Id: a\"quote"), std::string("Accept: */*")}) {
    auto r = server_->RoundTrip(Get("/healthz", {header}));
    ASSERT_TRUE(r);
    auto id = r->Header("X-Request-Id");
    ASSERT_TRUE(id) << header;
    EXPECT_TRUE(ValidId(*id)) << *id;
    EXPECT_EQ(id->find('/'), std::string::npos);
    EXPECT_TRUE(seen.insert(*id).second) << "repeated id " << *id;
  }
}

TEST_F(RequestIds, HandlerErrorsCarryTheIdInHeaderAndBody) {
  auto r = server_->RoundTrip(Get("/no/such/thing", {"X-Request-Id: err-1"}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 404));
  EXPECT_EQ(JsonString(r->body, "request_id"), "err-1");
  r = server_->RoundTrip(Request("DELETE", "/healthz"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 405));
}

// The prebuilt answers (parse errors, limits) have them too.
TEST_F(RequestIds, PrebuiltErrorAnswersCarryIdAndTraceparent) {
  auto r = server_->RoundTrip("GET /healthz HTTP/1.1\r\n\r\n");  // no Host
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 400));
  auto tp = r->Header("traceparent");
  ASSERT_TRUE(tp);
  EXPECT_TRUE(std::regex_match(*tp, kOurTraceparent)) << *tp;
  r = server_->RoundTrip("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_TRUE(IsHouseError(*r, 400));
}

TEST_F(RequestIds, AValidTraceparentIsContinued) {
  auto r = server_->RoundTrip(Get("/healthz", {std::string("traceparent: ") + kIncoming}));
  ASSERT_TRUE(r);
  auto tp = r->Header("traceparent");
  ASSERT_TRUE(tp);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(*tp, m, kOurTraceparent)) << *tp;
  EXPECT_EQ(m[1].str(), "4bf92f3577b34da6a3ce929d0e0e4736");  // same trace
  EXPECT_NE(m[2].str(), "00f067aa0ba902b7");                  // our own span
  EXPECT_NE(m[2].str(), std::string(16, '0'));
  EXPECT_EQ(m[3].str(), "01");  // sampled kept
}

TEST_F(RequestIds, AnInvalidOrMissingTraceparentStartsANewTrace) {
  for (std::vector<std::string> headers :
       {std::vector<std::string>{
            "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01"},
        std::vector<std::string>{
            "traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"},
        std::vector<std::string>{
            "traceparent: ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
        std::vector<std::string>{std::string("traceparent: ") + kIncoming,
                                 std::string("traceparent: ") + kIncoming},
        std::vector<std::string>{}}) {
    auto r = server_->RoundTrip(Get("/healthz", headers));
    ASSERT_TRUE(r);
    auto tp = r->Header("traceparent");
    ASSERT_TRUE(tp);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(*tp, m, kOurTraceparent)) << *tp;
    EXPECT_NE(m[1].str(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_NE(m[1].str(), std::string(32, '0'));
    EXPECT_EQ(m[3].str(), "00");
  }
}

// Polls `path` until it holds at least `lines` lines (3 s at most).
std::vector<std::string> WaitForLines(const std::string& path, size_t lines) {
  std::vector<std::string> out;
  for (int i = 0; i < 150; ++i) {
    out.clear();
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line)) out.push_back(line);
    if (out.size() >= lines) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return out;
}

TEST(AccessLog, OneJsonLinePerRequestWithoutSecrets) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string log = dir.path() + "/access.log";
  TestServer server({"--access-log", log});
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/healthz?token=sekrit-query",
                                {"Authorization: Bearer sekrit-bearer", "Cookie: c=sekrit-cookie",
                                 "User-Agent: probe/1.0", "X-Request-Id: log-1"}));
  ASSERT_TRUE(r);
  r = server.RoundTrip(Request("POST", "/api/auth/login", {"Content-Type: application/json"},
                               R"({"email":"x@example.com","password":"sekrit-password"})"));
  ASSERT_TRUE(r);
  std::vector<std::string> lines = WaitForLines(log, 2);
  ASSERT_GE(lines.size(), 2u);
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_EQ(all.find("sekrit"), std::string::npos) << all;
  std::string first;
  for (const std::string& l : lines)
    if (JsonString(l, "request_id") == "log-1") first = l;
  ASSERT_FALSE(first.empty()) << all;
  EXPECT_EQ(first.front(), '{');
  EXPECT_EQ(first.back(), '}');
  static const std::regex kTime(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");
  EXPECT_TRUE(std::regex_match(JsonString(first, "time").value_or(""), kTime)) << first;
  EXPECT_EQ(JsonString(first, "method"), "GET");
  EXPECT_EQ(JsonString(first, "route"), "/healthz");
  EXPECT_EQ(JsonString(first, "path"), "/healthz");
  EXPECT_EQ(JsonString(first, "remote"), "127.0.0.1");
  EXPECT_EQ(JsonString(first, "user_agent"), "probe/1.0");
  EXPECT_EQ(JsonRaw(first, "status"), "200");
  EXPECT_EQ(JsonString(first, "trace_id").value_or("").size(), 32u);
  EXPECT_EQ(JsonString(first, "span_id").value_or("").size(), 16u);
  for (const char* key : {"bytes_in", "bytes_out", "duration_us"}) {
    EXPECT_TRUE(JsonRaw(first, key)) << key << " in " << first;
  }
  EXPECT_FALSE(JsonRaw(first, "user_id")) << "not authenticated: " << first;
}

std::string LineFor(const std::vector<std::string>& lines, std::string_view route) {
  for (const std::string& l : lines)
    if (JsonString(l, "route") == route) return l;
  return "";
}

// A deferred answer (login waits for a hash, then a commit) keeps its own
// record; an authenticated one names the user.
TEST(AccessLog, DeferredAndAuthenticatedRequests) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string log = dir.path() + "/access.log";
  TestServer server(CheapHashArgs({"--access-log", log}));
  ASSERT_TRUE(server.ok()) << server.error();
  Api api(server);
  std::optional<Account> a = api.NewAccount();  // sign-up, then login
  ASSERT_TRUE(a);
  EXPECT_EQ(api.GetAs(a->access_token, "/api/users/" + std::to_string(a->id)).status, 200);
  std::vector<std::string> lines = WaitForLines(log, 3);
  std::string login = LineFor(lines, "/api/auth/login");
  ASSERT_FALSE(login.empty()) << lines.size();
  EXPECT_EQ(JsonRaw(login, "status"), "200");
  EXPECT_EQ(JsonString(login, "method"), "POST");
  EXPECT_EQ(login.find(a->password), std::string::npos);
  EXPECT_EQ(login.find(a->refresh_token), std::string::npos);
  std::string get = LineFor(lines, "/api/users/{id}");
  ASSERT_FALSE(get.empty());
  EXPECT_EQ(JsonString(get, "path"), "/api/users/" + std::to_string(a->id));
  EXPECT_EQ(JsonRaw(get, "user_id"), std::to_string(a->id));
  EXPECT_EQ(get.find(a->access_token), std::string::npos);
}

TEST(AccessLog, SighupReopensTheFile) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string log = dir.path() + "/access.log";
  TestServer server({"--access-log", log});
  ASSERT_TRUE(server.ok()) << server.error();
  ASSERT_TRUE(server.RoundTrip(Get("/healthz", {"X-Request-Id: before"})));
  ASSERT_EQ(WaitForLines(log, 1).size(), 1u);
  std::filesystem::rename(log, log + ".1");  // what logrotate does
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  // The reopen happens at the writer's next turn: retry until a line lands.
  std::vector<std::string> lines;
  for (int i = 0; i < 50 && lines.empty(); ++i) {
    ASSERT_TRUE(server.RoundTrip(Get("/healthz", {"X-Request-Id: after"})));
    lines = WaitForLines(log, 1);
  }
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(JsonString(lines[0], "request_id"), "after");
  std::vector<std::string> old = WaitForLines(log + ".1", 1);
  ASSERT_FALSE(old.empty());
  EXPECT_EQ(JsonString(old[0], "request_id"), "before");
  EXPECT_TRUE(server.Stop(SIGTERM).exited);
}

TEST(AccessLog, AFileThatCannotBeOpenedStopsTheStart) {
  RunResult r = RunKeel({"--access-log", "/nonexistent-dir/x/access.log", "--port", "0",
                         "--data-dir", TempDir().path()});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status << r.err;
  EXPECT_NE(r.err.find("--access-log"), std::string::npos) << r.err;
}

int MetricsPort(const TestServer& server) {
  static const std::regex kLine(R"(metrics on http://127\.0\.0\.1:([0-9]+)/metrics)");
  std::smatch m;
  std::string out = server.Stdout();
  if (!std::regex_search(out, m, kLine)) return 0;
  return std::stoi(m[1].str());
}

std::optional<HttpResponse> GetFrom(int port, std::string_view path) {
  Connection c(ConnectTcp(port), std::chrono::milliseconds(5000));
  if (!c.ok() || !c.SendAll(Get(path))) return std::nullopt;
  return c.ReadResponse();
}

TEST(Metrics, ServedOnlyOnTheMetricsListener) {
  TestServer server({"--metrics-listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error();
  int port = MetricsPort(server);
  ASSERT_GT(port, 0) << server.Stdout();
  ASSERT_TRUE(server.RoundTrip(Get("/healthz")));
  auto main_port = server.RoundTrip(Get("/metrics"));
  ASSERT_TRUE(main_port);
  EXPECT_EQ(main_port->status, 404);
  auto r = GetFrom(port, "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r->body.find(R"(keel_http_requests_total{method="GET",route="/healthz",code="200"} 1)"),
            std::string::npos)
      << r->body;
  EXPECT_NE(
      r->body.find(R"(keel_http_requests_total{method="GET",route="unmatched",code="404"} 1)"),
      std::string::npos);
  for (const char* family :
       {"keel_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
        "healthz\",le=\"0.0001\"}",
        "keel_store_commit_duration_seconds_bucket", "keel_store_map_size_bytes",
        "keel_logins_total{result=\"success\"}", "keel_password_hash_queue_depth",
        "process_open_fds", "keel_build_info{version=", "keel_http_connections_open"}) {
    EXPECT_NE(r->body.find(family), std::string::npos) << family;
  }
}

uint64_t Value(const std::string& body, const std::string& series) {
  size_t at = body.find("\n" + series + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(body.substr(at + series.size() + 2));
}

TEST(Metrics, AuthCountersFollowLoginsRefreshesAndTokens) {
  TestServer server(CheapHashArgs({"--metrics-listen", "127.0.0.1:0"}));
  ASSERT_TRUE(server.ok()) << server.error();
  int port = MetricsPort(server);
  ASSERT_GT(port, 0);
  Api api(server);
  std::optional<Account> a = api.NewAccount();
  ASSERT_TRUE(a);
  EXPECT_EQ(api.Login(a->email, "not the password").status, 401);
  HttpResponse ok = api.Refresh(a->refresh_token);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(api.Refresh(a->refresh_token).status, 401);  // reuse
  EXPECT_EQ(api.Refresh("no-such-token").status, 401);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(api.GetAs(a->access_token, "/api/users/" + std::to_string(a->id)).status, 200);
  }
  auto r = GetFrom(port, "/metrics");
  ASSERT_TRUE(r);
  const std::string& m = r->body;
  EXPECT_EQ(Value(m, R"(keel_logins_total{result="success"})"), 1u) << m;
  EXPECT_EQ(Value(m, R"(keel_logins_total{result="failure"})"), 1u);
  EXPECT_EQ(Value(m, R"(keel_refreshes_total{result="ok"})"), 1u);
  EXPECT_EQ(Value(m, R"(keel_refreshes_total{result="reuse"})"), 1u);
  EXPECT_EQ(Value(m, R"(keel_refreshes_total{result="invalid"})"), 1u);
  uint64_t hits = Value(m, "keel_token_cache_hits_total");
  EXPECT_GE(hits, 1u);
  EXPECT_NE(hits, UINT64_MAX);
  EXPECT_EQ(
      Value(m, R"(keel_http_requests_total{method="GET",route="/api/users/{id}",code="200"})"), 3u);
  EXPECT_EQ(
      Value(m, R"(keel_http_requests_total{method="POST",route="/api/auth/refresh",code="401"})"),
      2u);
}

TEST(Metrics, ABusyMetricsAddressStopsTheStart) {
  TestServer other;
  ASSERT_TRUE(other.ok()) << other.error();
  TempDir dir;
  RunResult r = RunKeel({"--port", "0", "--data-dir", dir.path(), "--metrics-listen",
                         "127.0.0.1:" + std::to_string(other.port())});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status << r.err;
  EXPECT_NE(r.err.find("already in use"), std::string::npos) << r.err;
}

TEST(LogFormat, JsonMakesTheDiagnosticLogJson) {
  TestServer other;
  ASSERT_TRUE(other.ok()) << other.error();
  TempDir dir;
  // Starts far enough to log the store opening, then fails on the port.
  RunResult r = RunKeel(
      {"--log-format", "json", "--data-dir", dir.path(), "--port", std::to_string(other.port())});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status << r.err;
  std::istringstream lines(r.err);
  std::string line;
  bool saw_json = false;
  while (std::getline(lines, line)) {
    if (line.rfind("{\"time\":", 0) != 0) continue;
    saw_json = true;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_TRUE(JsonString(line, "level")) << line;
    EXPECT_TRUE(JsonString(line, "msg")) << line;
  }
  EXPECT_TRUE(saw_json) << r.err;
}

}  // namespace
}  // namespace keel::integration
