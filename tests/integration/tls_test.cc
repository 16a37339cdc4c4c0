// Native TLS, from outside: curl, openssl s_client and testssl.sh against
// the real binary with certificates the test makes itself (tls_support.h).
// Each check runs against 127.0.0.1 only.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "json_value.h"
#include "test_server.h"
#include "tls_support.h"

namespace keel::integration {
namespace {

using std::chrono::steady_clock;

const std::string kHealth = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Replaces `to` with `from`'s contents in one rename, as a deploy would.
void InstallFile(const std::string& from, const std::string& to) {
  WriteFile(to + ".new", ReadFile(from));
  std::filesystem::rename(to + ".new", to);
}

// curl -v against the server; stdout + stderr together.
std::string Curl(int port, std::vector<std::string> extra, bool* ok = nullptr,
                 const std::string& path = "/healthz") {
  std::vector<std::string> argv{FindProgram("curl"),  "-sS", "-v", "--max-time", "10", "--cacert",
                                SharedPki().ca_file()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("https://127.0.0.1:" + std::to_string(port) + path);
  RunResult r = RunProgram(argv, {}, milliseconds(15000));
  if (ok != nullptr) *ok = r.status.exited && r.status.code == 0;
  return r.out + r.err;
}

// openssl s_client sending one `Connection: close` request; -ign_eof keeps
// it reading until the server closes, so a TLS 1.3 ticket (sent before the
// response) is always seen. Output of both streams.
std::string SClient(int port, const std::string& extra) {
  std::string cmd =
      "printf 'GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: "
      "close\\r\\n\\r\\n' | " +
      FindProgram("openssl") + " s_client -connect 127.0.0.1:" + std::to_string(port) +
      " -CAfile " + SharedPki().ca_file() + " -ign_eof " + extra + " 2>&1";
  RunResult r = RunProgram({"/bin/sh", "-c", cmd}, {}, milliseconds(15000));
  return r.out + r.err;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Polls `pred` every 50 ms for up to `limit`.
template <typename Pred>
bool Eventually(Pred pred, milliseconds limit = milliseconds(5000)) {
  auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return pred();
}

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(SharedPki().ok()) << SharedPki().error();
    ASSERT_FALSE(SharedLeaf().chain_file.empty());
    ASSERT_FALSE(FindProgram("curl").empty()) << "curl missing: run tools/deps";
  }
};

TEST_F(Tls, CurlSpeaksTls13AndTls12WithAnEcdsaCertificate) {
  TestServer server(ServerOptions{.tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  bool ok = false;
  std::string v13 = Curl(server.port(), {"--tlsv1.3"}, &ok);
  EXPECT_TRUE(ok) << v13;
  EXPECT_TRUE(Contains(v13, "SSL connection using TLSv1.3")) << v13;
  EXPECT_TRUE(Contains(v13, "ALPN: server accepted http/1.1")) << v13;
  EXPECT_TRUE(Contains(v13, "< HTTP/1.1 200")) << v13;

  std::string v12 = Curl(server.port(), {"--tlsv1.2", "--tls-max", "1.2"}, &ok);
  EXPECT_TRUE(ok) << v12;
  EXPECT_TRUE(Contains(v12, "SSL connection using TLSv1.2 / ECDHE-ECDSA-")) << v12;
  EXPECT_TRUE(Contains(v12, "-GCM-") || Contains(v12, "CHACHA20")) << v12;
  EXPECT_TRUE(Contains(v12, "ALPN: server accepted http/1.1")) << v12;
  EXPECT_TRUE(Contains(v12, "< HTTP/1.1 200")) << v12;
}

TEST_F(Tls, RsaCertificateNegotiatesEcdheRsaWithAead) {
  TempDir dir;
  std::string error;
  auto leaf = SharedPki().Issue("rsa", "5A", TestPki::KeyType::kRsa2048, &error, dir.path());
  ASSERT_TRUE(leaf) << error;
  TestServer server(
      ServerOptions{.tls = true, .tls_cert = leaf->chain_file, .tls_key = leaf->key_file});
  ASSERT_TRUE(server.ok()) << server.error();
  bool ok = false;
  std::string v12 = Curl(server.port(), {"--tlsv1.2", "--tls-max", "1.2"}, &ok);
  EXPECT_TRUE(ok) << v12;
  EXPECT_TRUE(Contains(v12, "SSL connection using TLSv1.2 / ECDHE-RSA-")) << v12;
  EXPECT_TRUE(Contains(v12, "< HTTP/1.1 200")) << v12;
  std::string v13 = Curl(server.port(), {"--tlsv1.3"}, &ok);
  EXPECT_TRUE(ok) << v13;
  EXPECT_TRUE(Contains(v13, "SSL connection using TLSv1.3")) << v13;
  // RSA key exchange and CBC suites are refused outright.
  std::string rsa_kx =
      Curl(server.port(), {"--tls-max", "1.2", "--ciphers", "AES128-SHA256:AES128-SHA"}, &ok);
  EXPECT_FALSE(ok) << rsa_kx;
  std::string cbc =
      Curl(server.port(), {"--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-SHA"}, &ok);
  EXPECT_FALSE(ok) << cbc;
}

TEST_F(Tls, MinVersion13RefusesTls12) {
  TestServer server(ServerOptions{.args = {"--tls-min-version", "1.3"}, .tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  bool ok = true;
  std::string v12 = Curl(server.port(), {"--tlsv1.2", "--tls-max", "1.2"}, &ok);
  EXPECT_FALSE(ok) << v12;
  std::string v13 = Curl(server.port(), {}, &ok);
  EXPECT_TRUE(ok) << v13;
  EXPECT_TRUE(Contains(v13, "SSL connection using TLSv1.3")) << v13;
}

TEST_F(Tls, AlpnSelectsHttp11AndRefusesH2Only) {
  TestServer server(ServerOptions{.tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  std::string both = SClient(server.port(), "-alpn h2,http/1.1");
  EXPECT_TRUE(Contains(both, "ALPN protocol: http/1.1")) << both;
  EXPECT_TRUE(Contains(both, "HTTP/1.1 200")) << both;
  // RFC 7301: no protocol in common is a fatal no_application_protocol.
  std::string h2 = SClient(server.port(), "-alpn h2");
  EXPECT_TRUE(Contains(h2, "no application protocol")) << h2;
  EXPECT_FALSE(Contains(h2, "HTTP/1.1 200")) << h2;
  // A client without ALPN is served as HTTP/1.1.
  std::string none = SClient(server.port(), "");
  EXPECT_TRUE(Contains(none, "HTTP/1.1 200")) << none;
}

TEST_F(Tls, ResumesSessionsFromTickets) {
  TestServer server(ServerOptions{.tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  TempDir dir;
  for (std::string version : {"-tls1_2", "-tls1_3"}) {
    std::string sess = dir.path() + "/sess" + version;
    std::string first = SClient(server.port(), version + " -sess_out " + sess);
    EXPECT_TRUE(Contains(first, "New, TLSv1.")) << first;
    std::string again = SClient(server.port(), version + " -sess_in " + sess);
    EXPECT_TRUE(Contains(again, "Reused, TLSv1.")) << version << "\n" << again;
    EXPECT_TRUE(Contains(again, "HTTP/1.1 200")) << again;
  }
}

TEST_F(Tls, SighupSwapsTheCertificateAndKeepsOpenConnections) {
  TempDir dir;
  std::string error;
  auto a = SharedPki().Issue("a", "A1", TestPki::KeyType::kEcdsaP256, &error, dir.path());
  ASSERT_TRUE(a) << error;
  auto b = SharedPki().Issue("b", "B2", TestPki::KeyType::kEcdsaP256, &error, dir.path());
  ASSERT_TRUE(b) << error;
  const std::string cert = dir.path() + "/live.chain.pem";
  const std::string key = dir.path() + "/live.key";
  InstallFile(a->chain_file, cert);
  InstallFile(a->key_file, key);
  const std::string log = dir.path() + "/stderr.log";
  TestServer server(
      ServerOptions{.tls = true, .tls_cert = cert, .tls_key = key, .stderr_path = log});
  ASSERT_TRUE(server.ok()) << server.error();

  Connection open = server.Connect();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open.PeerSerial(), "A1");
  ASSERT_TRUE(open.SendAll(kHealth));
  auto r = open.ReadResponse();
  ASSERT_TRUE(r) << open.error();
  EXPECT_EQ(r->status, 200);

  InstallFile(b->chain_file, cert);
  InstallFile(b->key_file, key);
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(Eventually([&] { return server.Connect().PeerSerial() == "B2"; }));
  // The keep-alive connection made before the reload carries on.
  ASSERT_TRUE(open.SendAll(kHealth));
  r = open.ReadResponse();
  ASSERT_TRUE(r) << open.error();
  EXPECT_EQ(r->status, 200);

  // A broken pair is refused, loudly, and the current one stays.
  WriteFile(cert, "not a certificate\n");
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(Eventually([&] { return Contains(ReadFile(log), "TLS reload refused"); }))
      << ReadFile(log);
  Connection after = server.Connect();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.PeerSerial(), "B2");
  ASSERT_TRUE(after.SendAll(kHealth));
  r = after.ReadResponse();
  ASSERT_TRUE(r) << after.error();
  EXPECT_EQ(r->status, 200);
  // A key that does not match the certificate is refused too.
  InstallFile(a->chain_file, cert);
  InstallFile(b->key_file, key);
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(Eventually([&] { return Contains(ReadFile(log), "does not match"); }))
      << ReadFile(log);
  EXPECT_EQ(server.Connect().PeerSerial(), "B2");
}

// Reads until the server closes; the time it took.
milliseconds TimeToClose(Connection& c, CloseResult* out) {
  auto start = steady_clock::now();
  *out = c.ReadUntilClose();
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

TEST_F(Tls, CleartextGarbageAndStalledHandshakesAreClosedAndCounted) {
  TempDir dir;
  const std::string log = dir.path() + "/stderr.log";
  TestServer server(
      ServerOptions{.args = {"--header-timeout", "1", "--threads", "1", "--log-level", "debug"},
                    .tls = true,
                    .stderr_path = log});
  ASSERT_TRUE(server.ok()) << server.error();

  // Plain HTTP: a plain-text 400 naming the problem, then close.
  Connection plain(ConnectTcp(server.port()), milliseconds(5000));
  ASSERT_TRUE(plain.SendAll(kHealth));
  CloseResult closed;
  TimeToClose(plain, &closed);
  EXPECT_TRUE(closed.closed);
  EXPECT_TRUE(Contains(closed.data, "HTTP/1.1 400 Bad Request")) << closed.data;
  EXPECT_TRUE(Contains(closed.data, "HTTPS only")) << closed.data;

  // Bytes that are neither TLS nor HTTP: closed at once, nothing said.
  Connection garbage(ConnectTcp(server.port()), milliseconds(5000));
  ASSERT_TRUE(garbage.SendAll(std::string("\x01\x02\x03 not tls\r\n", 13)));
  milliseconds took = TimeToClose(garbage, &closed);
  EXPECT_TRUE(closed.closed);
  EXPECT_TRUE(closed.data.empty());
  EXPECT_LT(took.count(), 1000);

  // A TLS record header and then silence: the header timeout (1 s) ends it.
  Connection stalled(ConnectTcp(server.port()), milliseconds(5000));
  ASSERT_TRUE(stalled.SendAll(std::string("\x16\x03\x01\x02\x00", 5)));
  took = TimeToClose(stalled, &closed);
  EXPECT_TRUE(closed.closed);
  EXPECT_GE(took.count(), 700);
  EXPECT_LT(took.count(), 3000);

  // A connection that never sends a byte is also a stalled handshake.
  Connection silent(ConnectTcp(server.port()), milliseconds(5000));
  took = TimeToClose(silent, &closed);
  EXPECT_TRUE(closed.closed);
  EXPECT_LT(took.count(), 3000);

  // A real client on the same server is still served afterwards.
  auto ok = server.RoundTrip(kHealth);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);

  EXPECT_TRUE(server.Stop(SIGTERM).exited);
  std::string text = ReadFile(log);
  // The worker's totals, logged when it stops (debug level).
  EXPECT_TRUE(Contains(text,
                       "tls: worker totals: handshakes=1 resumed=0 cleartext_http=1 "
                       "not_tls=1 handshake_failed=0 handshake_timeout=2"))
      << text;
}

TEST_F(Tls, PipelinedRequestsAcrossManyRecordsAreAllAnswered) {
  TestServer server(ServerOptions{.args = {"--bench-endpoints"}, .tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection c = server.Connect();
  ASSERT_TRUE(c.ok());
  // 200 requests in one write: several TLS records, more than one turn's
  // worth for the session's fairness cap.
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += Get("/plaintext");
  ASSERT_TRUE(c.SendAll(burst));
  for (int i = 0; i < 200; ++i) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << "response " << i << ": " << c.error();
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(r->body, "Hello, World!");
  }
}

TEST_F(Tls, OverCapacityConnectionsAreClosedWithoutAHandshake) {
  TestServer server(
      ServerOptions{.args = {"--max-connections", "1", "--threads", "1"}, .tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  Connection first = server.Connect();
  ASSERT_TRUE(first.ok());
  Connection second(ConnectTcp(server.port()), milliseconds(5000));
  ASSERT_TRUE(second.ok());
  CloseResult closed = second.ReadUntilClose();
  EXPECT_TRUE(closed.closed);
  EXPECT_TRUE(closed.data.empty());
  ASSERT_TRUE(first.SendAll(kHealth));
  auto r = first.ReadResponse();
  ASSERT_TRUE(r) << first.error();
  EXPECT_EQ(r->status, 200);
}

TEST_F(Tls, StartupRefusesHalfAConfigurationOrAMismatchedPair) {
  RunResult r = RunKeel({"--port", "0", "--tls-cert", SharedLeaf().chain_file});
  EXPECT_EQ(r.status.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "--tls-cert needs --tls-key")) << r.err;

  TempDir dir;
  std::string error;
  auto other = SharedPki().Issue("other", "0E", TestPki::KeyType::kEcdsaP256, &error, dir.path());
  ASSERT_TRUE(other) << error;
  r = RunKeel({"--port", "0", "--data-dir", dir.path() + "/data", "--tls-cert",
               SharedLeaf().chain_file, "--tls-key", other->key_file});
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "does not match the certificate")) << r.err;

  r = RunKeel({"--port", "0", "--data-dir", dir.path() + "/data", "--tls-cert",
               dir.path() + "/missing.pem", "--tls-key", other->key_file});
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "--tls-cert " + dir.path() + "/missing.pem")) << r.err;
}

// testssl.sh (Debian's `testssl`): protocols, cipher categories and the
// known vulnerabilities, on loopback; about 40 s.
TEST_F(Tls, TestsslReportsNoWeakProtocolCipherOrVulnerability) {
  std::string testssl = FindProgram("testssl");
  if (testssl.empty()) testssl = FindProgram("testssl.sh");
  ASSERT_FALSE(testssl.empty()) << "testssl missing: run tools/deps";
  TestServer server(ServerOptions{.tls = true});
  ASSERT_TRUE(server.ok()) << server.error();
  TempDir dir;
  const std::string json = dir.path() + "/testssl.json";
  RunResult r =
      RunProgram({testssl, "--quiet", "--color", "0", "--warnings", "off", "--fast", "--protocols",
                  "--std", "--vulnerable", "--ip", "127.0.0.1", "--jsonfile", json,
                  "https://127.0.0.1:" + std::to_string(server.port())},
                 {}, milliseconds(170000));
  ASSERT_FALSE(r.status.timed_out) << r.out;
  std::string error;
  auto findings = JsonValue::Parse(ReadFile(json), &error);
  ASSERT_TRUE(findings && findings->is_array()) << error << "\n" << r.out << r.err;

  std::map<std::string, std::string> by_id;
  for (const JsonValue& f : findings->items()) {
    std::string id = f.GetString("id").value_or("");
    std::string severity = f.GetString("severity").value_or("");
    std::string finding = f.GetString("finding").value_or("");
    by_id[id] = finding;
    // testssl grades every problem LOW or worse; OK, INFO and WARN (a
    // limit of the local openssl, like its lack of RC4) are not findings.
    EXPECT_TRUE(severity == "OK" || severity == "INFO" || severity == "WARN")
        << id << ": " << severity << ": " << finding;
  }
  for (const char* id : {"SSLv2", "SSLv3", "TLS1", "TLS1_1"}) {
    EXPECT_EQ(by_id[id], "not offered") << id;
  }
  EXPECT_EQ(by_id["TLS1_2"], "offered");
  EXPECT_TRUE(by_id["TLS1_3"].starts_with("offered")) << by_id["TLS1_3"];
  EXPECT_EQ(by_id["ALPN"], "http/1.1");
  for (const char* id : {"cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
                         "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"}) {
    EXPECT_EQ(by_id[id], "not offered") << id;
  }
  for (const char* id :
       {"heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_client_renego", "CRIME_TLS",
        "POODLE_SSL", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST", "LUCKY13"}) {
    ASSERT_TRUE(by_id.count(id)) << id << " was not checked";
    EXPECT_TRUE(by_id[id].starts_with("not vulnerable")) << id << ": " << by_id[id];
  }
}

}  // namespace
}  // namespace keel::integration
