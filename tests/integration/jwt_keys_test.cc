// Ed25519 tokens end to end: the key directory keel makes, the JWK Set it
// publishes, rotation with keel-admin keys and SIGHUP, and the checks that
// depend on the deployment (alg pinned, issuer, audience). The jose
// interoperability test (tests/interop/) verifies the same tokens with an
// independent implementation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "hmac_sha256.h"
#include "json_value.h"
#include "test_server.h"

namespace keel::integration {
namespace {

using std::chrono::milliseconds;

std::string AdminBinary() {
  return (std::filesystem::path(KeelBinary()).parent_path() / "keel-admin").string();
}

// keel-admin --data-dir `dir` keys `args`...
RunResult Keys(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {AdminBinary(), "--data-dir", dir, "keys"});
  return RunProgram(args, {}, milliseconds(20000));
}

std::string Kid(const std::string& token) {
  auto header = JwtPart(token, 0);
  return header ? header->GetString("kid").value_or("") : "";
}

// The kids GET /.well-known/jwks.json lists, in order.
std::vector<std::string> JwksKids(const TestServer& server) {
  HttpResponse r = Api(server).Send(Get("/.well-known/jwks.json"));
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> kids;
  auto body = JsonValue::Parse(r.body);
  const JsonValue* keys = body ? body->Find("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) return kids;
  for (const JsonValue& k : keys->items()) kids.push_back(k.GetString("kid").value_or(""));
  return kids;
}

// Waits (up to 5 s) for a SIGHUP's reload to show in the JWK Set.
bool WaitForKids(const TestServer& server, const std::vector<std::string>& want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (JwksKids(server) == want) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ADD_FAILURE() << "the JWK Set never became the expected one";
  return false;
}

std::string NewKey(const std::string& data_dir) {
  RunResult r = Keys(data_dir, {"new"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.status << r.err;
  std::string kid = r.out;
  while (!kid.empty() && kid.back() == '\n') kid.pop_back();
  return kid;
}

int MeStatus(const TestServer& server, const std::string& token) {
  return Api(server).GetAs(token, "/api/users/me").status;
}

TEST(JwtKeys, FirstStartMakesAKeyAndPublishesIt) {
  TestServer server(CheapHashArgs());
  ASSERT_TRUE(server.ok()) << server.error();
  auto ada = Api(server).NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string kid = Kid(ada->access_token);
  ASSERT_FALSE(kid.empty()) << ada->access_token;
  struct stat st {};
  ASSERT_EQ(::stat((server.data_dir() + "/keys/" + kid + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);

  HttpResponse r = Api(server).Send(Get("/.well-known/jwks.json"));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(HasCommonHeaders(r));
  EXPECT_EQ(r.Header("Content-Type"), "application/jwk-set+json");
  EXPECT_EQ(r.Header("Cache-Control"), "public, max-age=900");  // = --access-token-ttl
  auto body = JsonValue::Parse(r.body);
  ASSERT_TRUE(body);
  const JsonValue* keys = body->Find("keys");
  ASSERT_TRUE(keys && keys->is_array() && keys->items().size() == 1u) << r.body;
  const JsonValue& jwk = keys->items()[0];
  EXPECT_EQ(jwk.GetString("kty"), "OKP");
  EXPECT_EQ(jwk.GetString("crv"), "Ed25519");
  EXPECT_EQ(jwk.GetString("kid"), kid);
  EXPECT_EQ(jwk.GetString("use"), "sig");
  EXPECT_EQ(jwk.GetString("alg"), "EdDSA");
  EXPECT_EQ(jwk.GetString("x").value_or("").size(), 43u);
  EXPECT_EQ(jwk.members().size(), 6u) << r.body;  // no private member ("d")
}

TEST(JwtKeys, CacheControlIsCappedAtAnHour) {
  TestServer server(CheapHashArgs({"--access-token-ttl", "86400"}));
  ASSERT_TRUE(server.ok()) << server.error();
  HttpResponse r = Api(server).Send(Get("/.well-known/jwks.json"));
  EXPECT_EQ(r.Header("Cache-Control"), "public, max-age=3600");
}

TEST(JwtKeys, Hs256HasNoKeySet) {
  TempDir dir;
  const std::string key = dir.path() + "/secret";
  std::ofstream(key) << std::string(40, 's');
  TestServer server(CheapHashArgs({"--jwt-secret-file", key}));
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_TRUE(IsHouseError(Api(server).Send(Get("/.well-known/jwks.json")), 404));
  auto ada = Api(server).NewAccount("Ada");
  ASSERT_TRUE(ada);
  auto header = JwtPart(ada->access_token, 0);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->GetString("alg"), "HS256");
  EXPECT_EQ(header->Find("kid"), nullptr);
  EXPECT_FALSE(std::filesystem::exists(server.data_dir() + "/keys"));
}

// An EdDSA deployment takes no other alg, whatever key signed it.
TEST(JwtKeys, OtherAlgsAre401) {
  TestServer server(CheapHashArgs());
  ASSERT_TRUE(server.ok()) << server.error();
  auto ada = Api(server).NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string payload =
      ada->access_token.substr(ada->access_token.find('.') + 1,
                               ada->access_token.rfind('.') - ada->access_token.find('.') - 1);
  const std::string kid = Kid(ada->access_token);
  for (const std::string& header :
       {R"({"alg":"none","kid":")" + kid + "\"}", R"({"alg":"HS256","kid":")" + kid + "\"}"}) {
    const std::string input = Base64UrlEncode(header) + "." + payload;
    EXPECT_EQ(MeStatus(server, input + "."), 401) << header;
    EXPECT_EQ(MeStatus(server, input + "." + Base64UrlEncode(HmacSha256("x", input))), 401);
  }
  EXPECT_EQ(MeStatus(server, ada->access_token), 200);  // the control
}

// keys new + SIGHUP: the new key signs, the old one still verifies. Retiring
// the new one + SIGHUP: it stops signing at once but stays published and
// verifying.
TEST(JwtKeys, RotationWithSighup) {
  TestServer server(CheapHashArgs());
  ASSERT_TRUE(server.ok()) << server.error();
  auto ada = Api(server).NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string first = Kid(ada->access_token);

  const std::string second = NewKey(server.data_dir());
  ASSERT_GT(second, first);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForKids(server, {first, second}));
  auto tokens = Api(server).LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(Kid(tokens->access_token), second);
  EXPECT_EQ(MeStatus(server, ada->access_token), 200);
  EXPECT_EQ(MeStatus(server, tokens->access_token), 200);

  RunResult r = Keys(server.data_dir(), {"retire", second});
  ASSERT_TRUE(r.status.exited && r.status.code == 0) << r.status << r.err;
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  std::string signer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (signer != first && std::chrono::steady_clock::now() < deadline) {
    auto again = Api(server).LoginTokens(ada->email, ada->password);
    ASSERT_TRUE(again);
    signer = Kid(again->access_token);
  }
  EXPECT_EQ(signer, first);
  EXPECT_EQ(JwksKids(server), (std::vector<std::string>{first, second}));
  EXPECT_EQ(MeStatus(server, tokens->access_token), 200);

  RunResult list = Keys(server.data_dir(), {"list"});
  ASSERT_TRUE(list.status.exited && list.status.code == 0) << list.err;
  EXPECT_EQ(list.out.find(second + "\tretired, verifies until "), 0u) << list.out;
  EXPECT_NE(list.out.find(first + "\tsigning\t"), std::string::npos) << list.out;
}

// A key deleted from the directory stops verifying at the SIGHUP, also for
// a token each worker has already verified and cached.
TEST(JwtKeys, ADeletedKeyStopsVerifyingCachedTokens) {
  TestServer server(CheapHashArgs({"--threads", "1"}));
  ASSERT_TRUE(server.ok()) << server.error();
  auto ada = Api(server).NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string first = Kid(ada->access_token);
  EXPECT_EQ(MeStatus(server, ada->access_token), 200);  // now cached
  EXPECT_EQ(MeStatus(server, ada->access_token), 200);
  const std::string second = NewKey(server.data_dir());
  ASSERT_EQ(std::remove((server.data_dir() + "/keys/" + first + ".key").c_str()), 0);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForKids(server, {second}));
  EXPECT_EQ(MeStatus(server, ada->access_token), 401);
  auto tokens = Api(server).LoginTokens(ada->email, ada->password);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(MeStatus(server, tokens->access_token), 200);
}

// A reload that finds a broken directory changes nothing.
TEST(JwtKeys, ABrokenDirectoryOnSighupKeepsTheOldKeys) {
  TestServer server(CheapHashArgs());
  ASSERT_TRUE(server.ok()) << server.error();
  auto ada = Api(server).NewAccount("Ada");
  ASSERT_TRUE(ada);
  const std::string first = Kid(ada->access_token);
  const std::string second = NewKey(server.data_dir());
  const std::string stray = server.data_dir() + "/keys/notes.txt";
  std::ofstream(stray) << "oops";
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(JwksKids(server), std::vector<std::string>{first});
  EXPECT_EQ(MeStatus(server, ada->access_token), 200);
  // Fixed, the next SIGHUP takes it.
  ASSERT_EQ(std::remove(stray.c_str()), 0);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitForKids(server, {first, second}));
}

TEST(JwtKeys, AKeyOthersCanReadIsRefusedAtStart) {
  TempDir dir;
  const std::string keys = dir.path() + "/keys";
  ASSERT_EQ(::mkdir(keys.c_str(), 0700), 0);
  const std::string key = keys + "/20240101T000000Z-abcdef.key";
  std::ofstream(key) << std::string(32, 'k');
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  RunResult r =
      RunKeel({"--port", "0", "--data-dir", dir.path() + "/data", "--jwt-keys-dir", keys});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
}

TEST(JwtKeys, SecretFileAndKeysDirTogetherAreRefused) {
  TempDir dir;
  RunResult r = RunKeel({"--port", "0", "--data-dir", dir.path(), "--jwt-secret-file",
                         dir.path() + "/s", "--jwt-keys-dir", dir.path() + "/k"});
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status;
  EXPECT_NE(r.err.find("cannot be used together"), std::string::npos) << r.err;
}

// iss and aud come from the options and are checked: a token from the same
// keys but for another audience is refused.
TEST(JwtKeys, IssuerAndAudience) {
  TempDir data;
  std::string token;
  {
    TestServer server({.args = CheapHashArgs({"--jwt-issuer", "https://auth.example.com",
                                              "--jwt-audience", "api-one"}),
                       .data_dir = data.path()});
    ASSERT_TRUE(server.ok()) << server.error();
    auto ada = Api(server).NewAccount("Ada");
    ASSERT_TRUE(ada);
    token = ada->access_token;
    auto claims = JwtPart(token, 1);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->GetString("iss"), "https://auth.example.com");
    EXPECT_EQ(claims->GetString("aud"), "api-one");
    EXPECT_EQ(MeStatus(server, token), 200);
  }
  TestServer other({.args = CheapHashArgs(
                        {"--jwt-issuer", "https://auth.example.com", "--jwt-audience", "api-two"}),
                    .data_dir = data.path()});
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_EQ(MeStatus(other, token), 401);
}

TEST(KeelAdminKeys, ListNewRetireAndTheirRefusals) {
  TempDir dir;
  RunResult r = Keys(dir.path(), {"list"});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status;  // no keys dir yet
  const std::string first = NewKey(dir.path());
  ASSERT_FALSE(first.empty());
  r = Keys(dir.path(), {"retire", first});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status;
  EXPECT_NE(r.err.find("only key that may sign"), std::string::npos) << r.err;
  r = Keys(dir.path(), {"list"});
  ASSERT_TRUE(r.status.exited && r.status.code == 0) << r.err;
  EXPECT_EQ(r.out.find(first + "\tsigning\t"), 0u) << r.out;
  EXPECT_TRUE(Keys(dir.path(), {"rotate"}).status.code == 2);
  EXPECT_TRUE(Keys(dir.path(), {"retire"}).status.code == 2);
  EXPECT_TRUE(Keys(dir.path(), {"new", "extra"}).status.code == 2);
  EXPECT_TRUE(Keys(dir.path(), {}).status.code == 2);
  r = Keys(dir.path(), {"retire", "20991231T000000Z-nokey0"});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.status;
  // --jwt-keys-dir points elsewhere.
  const std::string other = dir.path() + "/elsewhere";
  r = RunProgram({AdminBinary(), "keys", "new", "--jwt-keys-dir", other});
  ASSERT_TRUE(r.status.exited && r.status.code == 0) << r.err;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(other),
                          std::filesystem::directory_iterator{}),
            1);
}

}  // namespace
}  // namespace keel::integration
