// TLS on one connection, and the per-worker state that creates it.
//
// TlsSession wraps an OpenSSL SSL object whose only BIO is our own: reads
// come from cipher_in() (ciphertext the connection read from the socket into
// a pool block) and writes append to wire() (ciphertext the connection sends
// with its usual uv_try_write/uv_write path, also a pool block). So the only
// copies TLS adds are OpenSSL's own (into its record buffer, and the
// decrypt/encrypt), and an idle session holds no pool block: both buffers are
// released when empty, and SSL_MODE_RELEASE_BUFFERS lets OpenSSL free its
// record buffers too.
//
// Errors: every call clears the thread's OpenSSL error queue first and
// leaves it empty, so one connection's failure never shows up in another's
// SSL_get_error. Loop thread only (the worker that owns the connection).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/buffer.h"
#include "core/tls_context.h"

struct ssl_st;         // OpenSSL's SSL
struct bio_st;         // OpenSSL's BIO
struct bio_method_st;  // OpenSSL's BIO_METHOD

namespace keel::core {

class BufferPool;

// What happened to a worker's TLS connections, for logs and future metrics.
// Written on the worker's loop thread only.
struct TlsCounters {
  uint64_t handshakes = 0;         // completed
  uint64_t resumed = 0;            // of those, resumed from a ticket
  uint64_t cleartext_http = 0;     // first bytes were an HTTP request: plain 400, close
  uint64_t not_tls = 0;            // first bytes were neither TLS nor HTTP: close
  uint64_t handshake_failed = 0;   // OpenSSL refused the handshake (version, cipher, ALPN...)
  uint64_t handshake_timeout = 0;  // the header timeout fired mid-handshake
  uint64_t over_capacity = 0;      // closed before any handshake: past --max-connections
  uint64_t record_errors = 0;      // a bad record after the handshake

  // "handshakes=N resumed=N ..." for a log line.
  std::string Format() const;
};

class TlsSession {
 public:
  enum class Step : uint8_t {
    kNeedMore,       // waiting for the peer; send wire() if it holds anything
    kDone,           // handshake complete
    kCleartextHttp,  // the peer spoke plain HTTP
    kNotTls,         // the first byte was not a TLS handshake record
    kFailed,         // OpenSSL refused; wire() may hold an alert
  };
  enum class ReadEnd : uint8_t { kMore, kPeerClosed, kFailed };

  // Takes ownership of `ssl` (already in accept state, no BIO yet).
  TlsSession(ssl_st* ssl, BufferPool* pool);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  Buffer& cipher_in() { return cipher_in_; }
  Buffer& wire() { return wire_; }
  bool handshake_done() const { return handshake_done_; }
  bool resumed() const;

  // Runs the handshake over what cipher_in() holds.
  Step Handshake();
  // Decrypts everything cipher_in() holds into `plain` (attached to the
  // pool as needed). kPeerClosed: the peer sent close_notify.
  ReadEnd Decrypt(Buffer& plain);
  // Encrypts all of `plain` into wire(). False on an OpenSSL error.
  bool Encrypt(const Buffer& plain);
  // Appends close_notify to wire(), once, after a completed handshake.
  void Shutdown();
  // Gives cipher_in()'s block back when it holds no partial record.
  void ReleaseIdle() {
    if (cipher_in_.empty()) cipher_in_.Release();
  }
  // OpenSSL's reason for the last failure, for a debug log line.
  const std::string& last_error() const { return last_error_; }

 private:
  static int BioWrite(::bio_st* b, const char* data, int len);
  static int BioRead(::bio_st* b, char* out, int len);
  static long BioCtrl(::bio_st* b, int cmd, long num, void* ptr);
  static int BioCreate(::bio_st* b);
  static ::bio_method_st* BioMethod();
  void NoteError();

  ssl_st* ssl_;
  BufferPool* pool_;
  Buffer cipher_in_;
  Buffer wire_;
  std::string last_error_;
  bool started_ = false;
  bool handshake_done_ = false;
  bool shutdown_sent_ = false;
};

// One per worker: makes sessions from the current SSL_CTX, noticing reloads
// with one atomic load per accept. Loop thread only.
class TlsAcceptor {
 public:
  explicit TlsAcceptor(TlsContext* shared) : shared_(shared) {}
  ~TlsAcceptor();
  TlsAcceptor(const TlsAcceptor&) = delete;
  TlsAcceptor& operator=(const TlsAcceptor&) = delete;

  // Null if OpenSSL cannot make the SSL object (out of memory).
  std::unique_ptr<TlsSession> NewSession(BufferPool* pool);
  TlsCounters& counters() { return counters_; }
  const TlsCounters& counters() const { return counters_; }

 private:
  TlsContext* shared_;
  SslCtxPtr ctx_;
  uint64_t generation_ = 0;
  TlsCounters counters_;
};

}  // namespace keel::core
