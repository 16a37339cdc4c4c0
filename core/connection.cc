#include "core/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <utility>

#include "core/tls_session.h"
#include "core/worker.h"

namespace keel::core {

Connection::Connection(Worker& worker) : worker_(worker) {
  tcp_.data = this;
  read_timer_.owner = this;
  write_timer_.owner = this;
}

Connection::~Connection() { worker_.OnConnectionFreed(); }

Buffer& Connection::out() {
  out_.Attach(&worker_.pool());
  return out_;
}

void Connection::RecordPeer() {
  sockaddr_storage ss{};
  int len = sizeof ss;
  remote_raw_len_ = 0;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
  const void* src = ss.ss_family == AF_INET6
                        ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr)
                        : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&ss)->sin_addr);
  remote_raw_len_ = ss.ss_family == AF_INET6 ? 16 : 4;
  std::memcpy(remote_raw_, src, remote_raw_len_);
}

void Connection::Start() {
  RecordPeer();
  uv_tcp_nodelay(&tcp_, 1);
  if (worker_.tls() != nullptr && !StartTls()) return;
  ArmReadTimeout(TimeoutKind::kHeader);
  ResumeReading();
}

void Connection::StartOverCapacity() {
  RecordPeer();
  if (worker_.tls() != nullptr) {
    // The protocol's refusal is plaintext and there is no session to
    // encrypt it (nor capacity for a handshake): just close.
    ++worker_.tls()->counters().over_capacity;
    Close();
    return;
  }
  OnOverCapacity();
}

void Connection::ResumeReading() {
  if (reading_ || closing_) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), OnAllocCb, OnReadCb) == 0) {
    reading_ = true;
  } else {
    Close();
  }
}

void Connection::PauseReading() {
  if (!reading_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  reading_ = false;
}

void Connection::OnAllocCb(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->tls_) {
    c->OnTlsAlloc(buf);
    return;
  }
  Buffer& in = c->in_;
  in.Attach(&c->worker_.pool());
  if (c->lingering_) in.Clear();
  if (in.writable() < kMinReadSpace) in.Reserve(kMinReadSpace);
  buf->base = in.write_ptr();
  buf->len = in.writable();
}

void Connection::OnReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread > 0) {
    if (c->lingering_) {
      c->in_.Clear();
      if (c->tls_) c->tls_->cipher_in().Clear();
    } else if (c->tls_) {
      c->tls_->cipher_in().Commit(static_cast<size_t>(nread));
      c->OnTlsRead();
    } else {
      c->in_.Commit(static_cast<size_t>(nread));
      c->OnRead();
    }
  } else if (nread == UV_EOF) {
    c->peer_eof_ = true;
    if (c->lingering_) {
      c->Close();
    } else {
      c->OnEof();
    }
  } else if (nread < 0) {
    c->Close();
  }
  // An idle connection keeps no block: this is what keeps 10k idle
  // keep-alive connections cheap.
  if (c->in_.empty() && !c->closed_) c->in_.Release();
  if (c->tls_) c->tls_->ReleaseIdle();
}

void Connection::Flush() {
  if (tls_) {
    FlushTls();
    return;
  }
  if (out_.empty() || closing_) return;
  if (write_in_flight_) {
    NoteBacklog();  // the running write will pick this up
    return;
  }
  Send(out_);
}

// Stops reading while the peer is not keeping up with what we owe it.
void Connection::NoteBacklog() {
  if (queued_bytes() > worker_.config().output_high_water && reading_) {
    PauseReading();
    paused_for_output_ = true;
  }
}

// `src` is out_ (cleartext) or the TLS session's wire buffer; no write is
// in flight.
void Connection::Send(Buffer& src) {
  uv_buf_t b = uv_buf_init(src.data(), static_cast<unsigned>(src.size()));
  int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1);
  if (n == static_cast<int>(src.size())) {
    // Written synchronously: no event for the protocol, which is still on
    // the stack that called Flush.
    src.Release();
    if (close_after_write_) BeginLinger();
    return;
  }
  if (n < 0 && n != UV_EAGAIN) {
    Close();
    return;
  }
  if (n > 0) src.Consume(static_cast<size_t>(n));
  StartAsyncWrite(src);
}

void Connection::StartAsyncWrite(Buffer& src) {
  std::swap(src, writing_);
  uv_buf_t b = uv_buf_init(writing_.data(), static_cast<unsigned>(writing_.size()));
  write_req_ = worker_.TakeWriteReq();
  write_req_->data = this;
  if (uv_write(write_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, OnWriteCb) != 0) {
    worker_.GiveWriteReq(write_req_);
    write_req_ = nullptr;
    Close();
    return;
  }
  write_in_flight_ = true;
  Hold();  // the request refers to this object until its callback
  worker_.timers(TimeoutKind::kWrite).Add(&write_timer_, worker_.now_ms());
  NoteBacklog();
}

void Connection::OnWriteCb(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->write_in_flight_ = false;
  c->worker_.GiveWriteReq(req);
  c->write_req_ = nullptr;
  c->writing_.Release();
  Disarm(&c->write_timer_);
  if (status < 0) {
    c->Close();
  } else if (!c->closing_) {
    if (c->HasUnsent()) c->Flush();
    // Flush may have written the rest at once (uv_try_write): the output is
    // drained all the same, and a connection that stopped reading or
    // parsing for backpressure must hear it, or both sides wait forever.
    if (!c->closing_ && !c->write_in_flight_ && !c->HasUnsent()) c->AfterOutputDrained();
  }
  c->Drop();
}

void Connection::AfterOutputDrained() {
  if (paused_for_output_) {
    paused_for_output_ = false;
    ResumeReading();
  }
  if (close_after_write_) {
    if (tls_) {
      FlushTls();  // close_notify (once), then it lingers
    } else {
      BeginLinger();
    }
    return;
  }
  OnWritten();
}

void Connection::CloseAfterWrite() {
  if (closing_ || close_after_write_) return;
  close_after_write_ = true;
  DisarmReadTimeout();
  if (write_in_flight_ || HasUnsent()) return;  // the write's end lingers
  if (tls_) {
    FlushTls();  // close_notify first; the write's end lingers
  } else {
    BeginLinger();
  }
}

void Connection::BeginLinger() {
  if (lingering_ || closing_) return;
  if (peer_eof_) {
    Close();  // the peer sends nothing more: no reset to avoid
    return;
  }
  lingering_ = true;
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&tcp_), OnShutdownCb) != 0) {
    delete req;
    Close();
    return;
  }
  Hold();
  worker_.timers(TimeoutKind::kLinger).Add(&write_timer_, worker_.now_ms());
  paused_for_output_ = false;
  ResumeReading();  // to see the peer's EOF; input is discarded
}

void Connection::OnShutdownCb(uv_shutdown_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  delete req;
  if (status < 0) c->Close();
  c->Drop();
}

void Connection::ArmReadTimeout(TimeoutKind kind) {
  worker_.timers(kind).Add(&read_timer_, worker_.now_ms());
}

void Connection::DisarmReadTimeout() { Disarm(&read_timer_); }

void Connection::Expire(TimeoutKind kind) {
  if (closing_) return;
  if (tls_ && kind == TimeoutKind::kHeader) NoteTlsHeaderTimeout();
  if (kind == TimeoutKind::kWrite || kind == TimeoutKind::kLinger) {
    Close();
    return;
  }
  OnTimeout(kind);
}

void Connection::ScheduleResume() {
  if (resume_scheduled || closing_) return;
  resume_scheduled = true;
  Hold();
  worker_.ScheduleResume(this);
}

void Connection::Resume() {
  resume_scheduled = false;
  if (!closing_) OnResume();
  Drop();
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  Disarm(&read_timer_);
  Disarm(&write_timer_);
  PauseReading();
  OnClosing();
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), OnCloseCb);
}

void Connection::OnCloseCb(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  c->closed_ = true;
  c->in_.Release();
  c->out_.Release();
  c->tls_.reset();  // the SSL and its buffers go now, not when the last Hold drops
  c->worker_.OnConnectionClosed(c);
  if (c->holds_ == 0) delete c;
}

void Connection::Drop() {
  --holds_;
  if (holds_ == 0 && closed_) delete this;
}

}  // namespace keel::core
