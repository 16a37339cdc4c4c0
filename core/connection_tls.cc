// Connection's TLS half: what the read, flush and timeout paths do when the
// connection has a TlsSession. Kept apart so connection.cc reads as the
// cleartext path it mostly is.
#include <string_view>

#include "core/connection.h"
#include "core/log.h"
#include "core/tls_session.h"
#include "core/worker.h"

namespace keel::core {
namespace {

// The answer to plain HTTP on the TLS port: a browser user sees why, and
// nothing of the API is reachable this way.
constexpr std::string_view kPlainHttpReply =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 43\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This port speaks HTTPS only: use https://.\n";
static_assert(kPlainHttpReply.size() - kPlainHttpReply.find("\r\n\r\n") - 4 == 43);

}  // namespace

bool Connection::StartTls() {
  tls_ = worker_.tls()->NewSession(&worker_.pool());
  if (tls_) return true;
  LOG_WARN("tls: cannot create a session (out of memory?)");
  Close();
  return false;
}

void Connection::OnTlsAlloc(uv_buf_t* buf) {
  Buffer& in = tls_->cipher_in();
  in.Attach(&worker_.pool());
  if (lingering_) in.Clear();
  if (in.writable() < kMinReadSpace) in.Reserve(kMinReadSpace);
  buf->base = in.write_ptr();
  buf->len = in.writable();
}

size_t Connection::TlsQueuedBytes() const { return tls_->wire().size(); }

bool Connection::HasUnsent() const { return !out_.empty() || (tls_ && !tls_->wire().empty()); }

void Connection::OnTlsRead() {
  TlsSession& t = *tls_;
  if (closing()) {
    t.cipher_in().Clear();  // as a closing cleartext connection ignores input
    return;
  }
  if (!t.handshake_done()) {
    TlsCounters& n = worker_.tls()->counters();
    switch (t.Handshake()) {
      case TlsSession::Step::kNeedMore:
        FlushTls();  // our half of the handshake, if this step made any
        return;
      case TlsSession::Step::kDone:
        ++n.handshakes;
        if (t.resumed()) ++n.resumed;
        break;
      case TlsSession::Step::kCleartextHttp:
        ++n.cleartext_http;
        FailTls("cleartext HTTP on the TLS port (answered 400)", kPlainHttpReply);
        return;
      case TlsSession::Step::kNotTls:
        ++n.not_tls;
        FailTls("first bytes are not a TLS handshake", {});
        return;
      case TlsSession::Step::kFailed:
        ++n.handshake_failed;
        FailTls("handshake failed", {});
        return;
    }
  }
  size_t before = in_.size();
  TlsSession::ReadEnd end = t.Decrypt(in_);
  if (end == TlsSession::ReadEnd::kFailed) {
    ++worker_.tls()->counters().record_errors;
    FailTls("bad record", {});
    return;
  }
  if (in_.size() > before) OnRead();
  if (end == TlsSession::ReadEnd::kPeerClosed && !closing_ && !peer_eof_) {
    // close_notify: the peer sends nothing more, as with a TCP EOF (whose
    // own callback then finds peer_eof_ already set and closing underway).
    peer_eof_ = true;
    OnEof();
  }
  // Whatever the protocol did not flush (a ticket, an alert) goes now; a
  // response was already flushed with it, in one write.
  if (!closing_ && !t.wire().empty()) FlushTls();
}

void Connection::FlushTls() {
  if (closing_) return;
  if (write_in_flight_) {
    NoteBacklog();  // the running write's end flushes again
    return;
  }
  TlsSession& t = *tls_;
  if (!out_.empty()) {
    // No protocol writes before the handshake is done (it has not read a
    // byte yet), so plaintext here is always sendable.
    if (t.handshake_done() && !t.Encrypt(out_)) {
      ++worker_.tls()->counters().record_errors;
      LOG_DEBUG("tls: encrypt failed: %s", t.last_error().c_str());
      Close();
      return;
    }
    out_.Release();
  }
  if (close_after_write_) t.Shutdown();
  if (!t.wire().empty()) {
    Send(t.wire());
  } else if (close_after_write_) {
    BeginLinger();
  }
}

void Connection::FailTls(const char* what, std::string_view reply) {
  TlsSession& t = *tls_;
  LOG_DEBUG("tls: %s%s%s; worker totals: %s", what, t.last_error().empty() ? "" : ": ",
            t.last_error().c_str(), worker_.tls()->counters().Format().c_str());
  t.cipher_in().Clear();
  if (!reply.empty()) {
    t.wire().Attach(&worker_.pool());
    t.wire().Append(reply);
  }
  // Any alert OpenSSL wrote (or the 400) goes out, then the usual lingering
  // close, bounded by the linger timeout.
  CloseAfterWrite();
  FlushTls();
}

void Connection::NoteTlsHeaderTimeout() {
  if (tls_->handshake_done()) return;
  TlsCounters& n = worker_.tls()->counters();
  ++n.handshake_timeout;
  LOG_DEBUG("tls: handshake not finished within the header timeout; worker totals: %s",
            n.Format().c_str());
}

}  // namespace keel::core
