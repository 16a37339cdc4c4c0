#include "core/tls_session.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

#include "core/buffer_pool.h"

namespace keel::core {
namespace {

// Plaintext reads reserve at least this much; a TLS record holds at most
// 16 KiB, so a smaller space only means another SSL_read call.
constexpr size_t kMinPlainSpace = 4096;
constexpr unsigned char kHandshakeRecord = 0x16;

}  // namespace

std::string TlsCounters::Format() const {
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "handshakes=%llu resumed=%llu cleartext_http=%llu not_tls=%llu "
      "handshake_failed=%llu handshake_timeout=%llu over_capacity=%llu "
      "record_errors=%llu",
      static_cast<unsigned long long>(handshakes), static_cast<unsigned long long>(resumed),
      static_cast<unsigned long long>(cleartext_http), static_cast<unsigned long long>(not_tls),
      static_cast<unsigned long long>(handshake_failed),
      static_cast<unsigned long long>(handshake_timeout),
      static_cast<unsigned long long>(over_capacity),
      static_cast<unsigned long long>(record_errors));
  return buf;
}

// --- The BIO: OpenSSL reads cipher_in_ and appends to wire_ --------------

BIO_METHOD* TlsSession::BioMethod() {
  // Made once, never freed: OpenSSL keeps using it until exit.
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "keel buffer");
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    BIO_meth_set_create(m, BioCreate);
    return m;
  }();
  return method;
}

int TlsSession::BioCreate(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

// Never short and never "retry": the bytes wait in wire_ until the
// connection writes them, and backpressure is the connection's business.
int TlsSession::BioWrite(BIO* b, const char* data, int len) {
  BIO_clear_retry_flags(b);
  auto* s = static_cast<TlsSession*>(BIO_get_data(b));
  s->wire_.Attach(s->pool_);
  s->wire_.Append(data, static_cast<size_t>(len));
  return len;
}

int TlsSession::BioRead(BIO* b, char* out, int len) {
  BIO_clear_retry_flags(b);
  auto* s = static_cast<TlsSession*>(BIO_get_data(b));
  Buffer& in = s->cipher_in_;
  if (in.empty()) {
    BIO_set_retry_read(b);  // WANT_READ: the next socket read brings more
    return -1;
  }
  size_t n = std::min(in.size(), static_cast<size_t>(len));
  std::memcpy(out, in.data(), n);
  in.Consume(n);
  return static_cast<int>(n);
}

long TlsSession::BioCtrl(BIO* b, int cmd, long, void*) {
  auto* s = static_cast<TlsSession*>(BIO_get_data(b));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(std::min<size_t>(s->cipher_in_.size(), LONG_MAX));
    case BIO_CTRL_WPENDING:
      return static_cast<long>(std::min<size_t>(s->wire_.size(), LONG_MAX));
    default:
      return 0;
  }
}

// --- TlsSession -----------------------------------------------------------

TlsSession::TlsSession(SSL* ssl, BufferPool* pool) : ssl_(ssl), pool_(pool) {
  BIO* bio = BIO_new(BioMethod());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one reference, owned by ssl_ from here
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

bool TlsSession::resumed() const { return SSL_session_reused(ssl_) == 1; }

void TlsSession::NoteError() {
  unsigned long e = ERR_peek_last_error();
  char buf[256] = "no OpenSSL reason";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  last_error_ = buf;
  ERR_clear_error();
}

TlsSession::Step TlsSession::Handshake() {
  if (!started_) {
    if (cipher_in_.empty()) return Step::kNeedMore;
    // Sorted out before OpenSSL sees a byte: a browser or curl sent
    // http:// to this port, or something else entirely.
    unsigned char first = static_cast<unsigned char>(cipher_in_.data()[0]);
    if (first != kHandshakeRecord) {
      return first >= 'A' && first <= 'Z' ? Step::kCleartextHttp : Step::kNotTls;
    }
    started_ = true;
  }
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    handshake_done_ = true;
    return Step::kDone;
  }
  int err = SSL_get_error(ssl_, rc);
  if (err == SSL_ERROR_WANT_READ) {
    ERR_clear_error();
    return Step::kNeedMore;
  }
  NoteError();
  return Step::kFailed;
}

TlsSession::ReadEnd TlsSession::Decrypt(Buffer& plain) {
  ERR_clear_error();
  plain.Attach(pool_);
  for (;;) {
    if (plain.writable() < kMinPlainSpace) plain.Reserve(kMinPlainSpace);
    int want = static_cast<int>(std::min<size_t>(plain.writable(), INT_MAX));
    int n = SSL_read(ssl_, plain.write_ptr(), want);
    if (n > 0) {
      plain.Commit(static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ) {
      ERR_clear_error();
      return ReadEnd::kMore;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      ERR_clear_error();
      return ReadEnd::kPeerClosed;
    }
    NoteError();
    return ReadEnd::kFailed;
  }
}

bool TlsSession::Encrypt(const Buffer& plain) {
  if (plain.empty()) return true;
  ERR_clear_error();
  // Our BIO never refuses a write, so SSL_write takes everything at once.
  size_t size = plain.size();
  const char* p = plain.data();
  while (size > 0) {
    int chunk = static_cast<int>(std::min<size_t>(size, INT_MAX));
    int n = SSL_write(ssl_, p, chunk);
    if (n <= 0) {
      NoteError();
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void TlsSession::Shutdown() {
  if (!handshake_done_ || shutdown_sent_) return;
  shutdown_sent_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // 0: ours is sent; the peer's is not awaited
  ERR_clear_error();
}

// --- TlsAcceptor -----------------------------------------------------------

TlsAcceptor::~TlsAcceptor() = default;

std::unique_ptr<TlsSession> TlsAcceptor::NewSession(BufferPool* pool) {
  if (!ctx_ || shared_->generation() != generation_) ctx_ = shared_->Acquire(&generation_);
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx_.get());  // takes its own reference to the SSL_CTX
  if (ssl == nullptr) {
    ERR_clear_error();
    return nullptr;
  }
  return std::make_unique<TlsSession>(ssl, pool);
}

}  // namespace keel::core
