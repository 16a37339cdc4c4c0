// keys new|list|retire: the Ed25519 signing keys in keel's key directory
// (auth/key_dir.h). keel reads the directory only at start and on SIGHUP,
// so each change is followed by a SIGHUP to every keel that uses it; this
// tool does not know keel's pid and sends none.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "api/admin/commands.h"
#include "auth/eddsa.h"
#include "auth/key_dir.h"

namespace keel::api::admin {
namespace {

using core::Status;

// keel's clock leeway (api/token_keys.cc): a token is accepted up to this
// long after its exp, so a retired key verifies that much longer.
constexpr int64_t kLeewaySeconds = 30;

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

core::Result<std::string> KeysDir(const Invocation& inv) {
  if (const std::string* dir = inv.args.Value("jwt-keys-dir")) {
    if (dir->empty()) return Status::InvalidArgument("--jwt-keys-dir is empty");
    return *dir;
  }
  return EnvOr("KEEL_JWT_KEYS_DIR", inv.global.data_dir + "/keys");
}

// keel's --access-token-ttl, for when retired keys stop verifying.
core::Result<int64_t> AccessTokenTtl(const Invocation& inv) {
  const std::string* given = inv.args.Value("access-token-ttl");
  const std::string text = given ? *given : EnvOr("KEEL_ACCESS_TOKEN_TTL", "900");
  core::Result<uint64_t> n =
      ParseNumber(given ? "--access-token-ttl" : "KEEL_ACCESS_TOKEN_TTL", text, 1, 31536000);
  if (!n.ok()) return n.status();
  return static_cast<int64_t>(n.value());
}

std::string Utc(int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status RunNew(const std::string& dir) {
  core::Result<std::string> kid = auth::CreateKey(dir, Now());
  if (!kid.ok()) return kid.status();
  std::printf("%s\n", kid.value().c_str());
  std::fprintf(stderr,
               "made key %s in %s; send SIGHUP to keel (on every node sharing the keys) for it "
               "to start signing\n",
               kid.value().c_str(), dir.c_str());
  return Status::Ok();
}

Status RunKeyList(const std::string& dir, int64_t ttl) {
  core::Result<std::vector<auth::Ed25519Key>> keys = auth::LoadKeyDir(dir);
  if (!keys.ok()) return keys.status();
  const int64_t now = Now();
  // Mirrors EdDsaCodec: the greatest kid not retired signs.
  std::string signer;
  for (const auth::Ed25519Key& key : keys.value()) {
    if (!key.retired() && key.kid() > signer) signer = key.kid();
  }
  for (auto it = keys.value().rbegin(); it != keys.value().rend(); ++it) {
    const auth::Ed25519Key& key = *it;
    std::string state;
    if (!key.retired()) {
      state = key.kid() == signer ? "signing" : "verifying";
    } else {
      const int64_t until = key.retired_at() + ttl + kLeewaySeconds;
      state = until > now ? "retired, verifies until " + Utc(until)
                          : "expired since " + Utc(until) + " (may be deleted)";
    }
    std::printf("%s\t%s\t%s\n", key.kid().c_str(), state.c_str(), key.PublicKeyBase64().c_str());
  }
  return Status::Ok();
}

Status RunRetire(const std::string& dir, const std::string& kid, int64_t ttl) {
  const int64_t now = Now();
  if (Status s = auth::RetireKey(dir, kid, now); !s.ok()) return s;
  std::printf("retired %s: it stops signing at keel's next SIGHUP and verifies until %s\n",
              kid.c_str(), Utc(now + ttl + kLeewaySeconds).c_str());
  return Status::Ok();
}

}  // namespace

Status RunKeys(const Invocation& inv) {
  const std::vector<std::string>& words = inv.args.positionals();
  core::Result<std::string> dir = KeysDir(inv);
  if (!dir.ok()) return dir.status();
  core::Result<int64_t> ttl = AccessTokenTtl(inv);
  if (!ttl.ok()) return ttl.status();
  const std::string& action = words[0];
  if (action == "retire") {
    if (words.size() != 2) return Status::InvalidArgument("usage: keys retire KID");
    return RunRetire(dir.value(), words[1], ttl.value());
  }
  if (words.size() != 1) {
    return Status::InvalidArgument("unexpected argument '" + words.back() + "'");
  }
  if (action == "new") return RunNew(dir.value());
  if (action == "list") return RunKeyList(dir.value(), ttl.value());
  return Status::InvalidArgument("unknown keys action '" + action + "' (new, list or retire KID)");
}

}  // namespace keel::api::admin
