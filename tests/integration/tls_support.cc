#include "tls_support.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace keel::integration {
namespace {

bool RunOpenssl(const std::vector<std::string>& args, std::string* error) {
  std::vector<std::string> argv{FindProgram("openssl")};
  if (argv[0].empty()) {
    *error = "openssl not found on PATH (tools/deps installs it)";
    return false;
  }
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = RunProgram(argv, {}, milliseconds(30000));
  if (r.status.exited && r.status.code == 0) return true;
  *error = "openssl " + args[0] + " failed: " + r.err;
  return false;
}

bool Concatenate(const std::vector<std::string>& parts, const std::string& out) {
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  for (const auto& p : parts) {
    std::ifstream i(p, std::ios::binary);
    if (!i) return false;
    o << i.rdbuf();
  }
  return static_cast<bool>(o);
}

}  // namespace

bool TlsFromEnv() {
  const char* v = std::getenv("KEEL_TEST_TLS");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

TestPki::TestPki() {
  if (!dir_.ok()) {
    error_ = "mkdtemp failed";
    return;
  }
  ca_file_ = dir_.path() + "/ca.pem";
  ca_key_ = dir_.path() + "/ca.key";
  RunOpenssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", ca_key_, "-out", ca_file_, "-days", "2", "-subj", "/CN=keel test CA"},
             &error_);
}

std::optional<TestPki::Leaf> TestPki::Issue(const std::string& name, const std::string& serial_hex,
                                            KeyType type, std::string* error,
                                            std::string dir) const {
  if (dir.empty()) dir = dir_.path();
  std::string base = dir + "/" + name;
  Leaf leaf{base + ".chain.pem", base + ".key"};
  std::string ext = base + ".ext";
  {
    std::ofstream e(ext);
    e << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
         "basicConstraints=CA:FALSE\n"
         "extendedKeyUsage=serverAuth\n";
  }
  std::vector<std::string> keygen =
      type == KeyType::kRsa2048
          ? std::vector<std::string>{"genpkey",    "-algorithm",           "RSA",
                                     "-pkeyopt",   "rsa_keygen_bits:2048", "-out",
                                     leaf.key_file}
          : std::vector<std::string>{
                "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out",    leaf.key_file};
  if (!RunOpenssl(keygen, error) ||
      !RunOpenssl(
          {"req", "-new", "-key", leaf.key_file, "-subj", "/CN=localhost", "-out", base + ".csr"},
          error) ||
      !RunOpenssl(
          {"x509", "-req", "-in", base + ".csr", "-CA", ca_file_, "-CAkey", ca_key_, "-set_serial",
           "0x" + serial_hex, "-days", "2", "-extfile", ext, "-out", base + ".crt"},
          error)) {
    return std::nullopt;
  }
  if (!Concatenate({base + ".crt", ca_file_}, leaf.chain_file)) {
    *error = "cannot write " + leaf.chain_file;
    return std::nullopt;
  }
  return leaf;
}

const TestPki& SharedPki() {
  static TestPki* pki = new TestPki();  // lives until exit: servers use its files
  return *pki;
}

const TestPki::Leaf& SharedLeaf() {
  static std::once_flag once;
  static TestPki::Leaf leaf;
  std::call_once(once, [] {
    std::string error;
    if (!SharedPki().ok()) {
      ADD_FAILURE() << "test CA: " << SharedPki().error();
      return;
    }
    auto issued = SharedPki().Issue("shared", "5EED", TestPki::KeyType::kEcdsaP256, &error);
    if (!issued) {
      ADD_FAILURE() << "test certificate: " << error;
      return;
    }
    leaf = *issued;
  });
  return leaf;
}

ssl_ctx_st* ClientTlsContext() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    // A peer closing without close_notify reads as EOF, as on a plain
    // socket; the tests judge the HTTP framing themselves.
    SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    static const unsigned char kAlpn[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(c, kAlpn, sizeof kAlpn - 1);
    return c;
  }();
  return ctx;
}

}  // namespace keel::integration
