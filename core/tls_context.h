// The process-wide TLS server configuration: one OpenSSL SSL_CTX built from a
// PEM certificate chain and key, swapped whole on reload, plus the session
// ticket keys that outlive every swap.
//
// Settings (fixed, not options): TLS 1.2 and 1.3 only (the minimum is
// configurable), ECDHE with AEAD ciphers only for TLS 1.2 (no CBC, no SHA-1
// MACs, no RSA key exchange), the server's cipher order, no renegotiation, no
// compression, ALPN "http/1.1" only (a client offering ALPN without it gets
// the no_application_protocol alert, RFC 7301 section 3.2), and stateless
// resumption: tickets sealed with in-process keys that rotate every hour,
// the previous key still opening tickets for another hour. There is no
// server-side session cache, so resumption costs no memory per session.
//
// Threads: Create and Reload run on the main thread (Reload may also run
// from any thread); workers call generation() on every accept and Acquire()
// only when it changed. Each SSL holds its own reference to the SSL_CTX it
// was made from, so a reload never disturbs a connection already open.
//
// OpenSSL's types stay out of this header (style rule 1): the SSL_CTX is an
// opaque pointer here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace keel::core {

enum class TlsVersion : uint8_t { kTls12, kTls13 };

struct TlsConfig {
  std::string cert_file;  // PEM: the leaf first, then its chain
  std::string key_file;   // PEM private key matching the leaf
  TlsVersion min_version = TlsVersion::kTls12;
};

struct SslCtxFree {
  void operator()(ssl_ctx_st* ctx) const;
};
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, SslCtxFree>;

// Session-ticket keys: the current one seals and opens, the previous one
// only opens (and asks for a fresh ticket). Thread-safe; the clock is passed
// in so tests can move it.
class TicketKeyRing {
 public:
  struct Key {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    uint64_t created_s = 0;
  };
  enum class Found : uint8_t { kNone, kCurrent, kPrevious };

  explicit TicketKeyRing(uint64_t rotate_seconds = 3600) : rotate_s_(rotate_seconds) {}

  // The key that seals a ticket issued at `now_s` (rotating first if the
  // current key is older than the interval).
  Key ForSealing(uint64_t now_s);
  // The key named `name`, if it is still held at `now_s`.
  Found ForOpening(const unsigned char name[16], uint64_t now_s, Key* out);

 private:
  void MaybeRotate(uint64_t now_s);  // mu_ held

  const uint64_t rotate_s_;
  std::mutex mu_;
  bool have_current_ = false;
  bool have_previous_ = false;
  Key current_{};
  Key previous_{};
};

class TlsContext {
 public:
  // Loads and checks the pair; an error names the file and OpenSSL's reason.
  static Result<std::unique_ptr<TlsContext>> Create(const TlsConfig& config);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Re-reads the same files into a new SSL_CTX and makes it the one new
  // handshakes use. On any error the current one stays and the error says
  // why. Thread-safe.
  Status Reload();

  // Bumped by every successful Reload. Cheap: one atomic load.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // A new reference to the current SSL_CTX and the generation it belongs to.
  SslCtxPtr Acquire(uint64_t* generation) const;
  // "subject ..., serial ..., expires ..." of the current certificate.
  std::string Describe() const;

  // For the ticket callback: the ring shared by every SSL_CTX this made.
  TicketKeyRing& tickets() { return tickets_; }

 private:
  explicit TlsContext(const TlsConfig& config) : config_(config) {}
  Result<SslCtxPtr> Build(std::string* describe);

  const TlsConfig config_;
  TicketKeyRing tickets_;
  mutable std::mutex mu_;
  SslCtxPtr ctx_;         // guarded by mu_
  std::string describe_;  // guarded by mu_
  std::atomic<uint64_t> generation_{1};
};

}  // namespace keel::core
