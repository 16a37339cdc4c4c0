// TLS for the integration harness: a throwaway certificate authority made
// with the `openssl` command at test time, leaf certificates for 127.0.0.1
// (ECDSA P-256 or RSA 2048), and the OpenSSL client context that
// Connection::StartTls uses.
//
// KEEL_TEST_TLS=1 in the test's environment makes every TestServer speak
// TLS with a leaf from SharedPki() and every Connection wrap its socket, so
// a suite written for cleartext runs over TLS unchanged (see the
// integration_over_tls ctest entry).
#pragma once

#include <optional>
#include <string>

#include "test_server.h"

struct ssl_ctx_st;

namespace keel::integration {

// True when KEEL_TEST_TLS is set to a non-empty value other than "0".
bool TlsFromEnv();

// The absolute path of `name` found on PATH; "" if it is not there.
std::string FindProgram(const std::string& name);

class TestPki {
 public:
  enum class KeyType { kEcdsaP256, kRsa2048 };
  struct Leaf {
    std::string chain_file;  // leaf then CA, PEM
    std::string key_file;
  };

  // Makes the CA in a fresh temp dir (removed by the destructor). Check ok().
  TestPki();
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_.path(); }

  // A leaf for CN=localhost, SAN 127.0.0.1 and localhost, with `serial_hex`
  // as its serial, written as `dir`/`name`.{chain.pem,key} (`dir` empty: the
  // PKI's own dir). nullopt, with *error set, if openssl failed.
  std::optional<Leaf> Issue(const std::string& name, const std::string& serial_hex, KeyType type,
                            std::string* error, std::string dir = "") const;

 private:
  TempDir dir_;
  std::string ca_file_;
  std::string ca_key_;
  std::string error_;
};

// One PKI per test process, with one ECDSA leaf ("shared", serial 0x5EED),
// made on first use. Thread-safe.
const TestPki& SharedPki();
const TestPki::Leaf& SharedLeaf();

// The client side of every harness TLS connection: TLS 1.2+, ALPN
// http/1.1, no certificate verification (the tests check the server's
// behaviour; curl and openssl s_client check the chain).
ssl_ctx_st* ClientTlsContext();

}  // namespace keel::integration
