// One accepted TCP connection on a worker loop.
//
// The object embeds its uv_tcp_t (one allocation per connection) and is
// subclassed by a protocol (http::HttpSession) that implements the On*
// events. Ownership follows libuv's rule: the worker creates the object, the
// object frees itself in its close callback, never earlier; Close() from
// inside any callback is safe and only marks and starts the close. Async work
// that needs the object to outlive a close takes a Hold() and later Drop()s
// it; closing() tells it whether the connection is still there.
//
// Input: bytes land in in() (a pool block while anything is buffered; an idle
// connection gives its block back). Output: responses are appended to out()
// and sent by Flush() with uv_try_write first, uv_write for the rest; one
// uv_write is in flight at most, and while it is, new output collects in
// out(). When queued output passes the high-water mark, reading pauses until
// the write drains (backpressure).
//
// TLS (a worker with a TlsAcceptor): reads land in the session's ciphertext
// buffer and are decrypted into in(); Flush() encrypts out() into the
// session's wire buffer, which is sent the same way. The protocol above sees
// plaintext only and cannot tell the difference. The handshake runs under
// the header timeout the connection starts with. Cleartext connections have
// a null session and pay one pointer test for it.
//
// Timeouts: one read-side timer (header, body or idle) and one write-side
// timer (write or linger), both intrusive entries in the worker's lists.
// Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/buffer.h"
#include "core/timer_list.h"

namespace keel::core {

class Worker;
class TlsSession;

// kHandler bounds how long a request may wait for a deferred answer (a
// hash, a commit); it uses the read-side timer, which is free while a
// request is being handled.
enum class TimeoutKind : uint8_t { kHeader, kBody, kIdle, kWrite, kLinger, kHandler };
inline constexpr int kTimeoutKinds = 6;

class Connection {
 public:
  explicit Connection(Worker& worker);
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Worker& worker() { return worker_; }
  uv_tcp_t* tcp() { return &tcp_; }
  Buffer& in() { return in_; }
  // The output buffer, backed by a pool block once anything is written.
  Buffer& out();
  // The peer's address as raw network-order bytes (4 or 16), kept raw
  // because most requests never need it as text.
  std::string_view remote_key() const {
    return {reinterpret_cast<const char*>(remote_raw_), remote_raw_len_};
  }

  // Sends out(): uv_try_write first, uv_write for what is left.
  void Flush();
  bool write_in_flight() const { return write_in_flight_; }
  size_t queued_bytes() const {
    return out_.size() + writing_.size() + (tls_ ? TlsQueuedBytes() : 0);
  }
  bool tls() const { return tls_ != nullptr; }

  void PauseReading();
  void ResumeReading();
  bool reading() const { return reading_; }

  // Arms the read-side timer with one of kHeader, kBody, kIdle, kHandler, replacing
  // whichever was armed; DisarmReadTimeout cancels it.
  void ArmReadTimeout(TimeoutKind kind);
  void DisarmReadTimeout();

  // Closes now; output not yet written is dropped. Idempotent.
  void Close();
  // Closes once all output is written, then lingers: shuts down the write
  // side and discards input until EOF or the linger timeout, so a client
  // still sending (say, a body we refused) reads our response instead of a
  // reset.
  void CloseAfterWrite();
  bool closing() const { return closing_ || close_after_write_; }

  // Keeps the object alive past its close, for async work (offload).
  void Hold() { ++holds_; }
  void Drop();

  // Asks the worker to call OnResume on a later loop iteration (after other
  // connections had their turn): the fairness cap for deep pipelines.
  void ScheduleResume();

  // --- used by Worker ---
  void Start();
  void StartOverCapacity();
  void Expire(TimeoutKind kind);
  void Resume();
  void Drain() { OnDrain(); }
  Connection* next_in_worker = nullptr;
  Connection* prev_in_worker = nullptr;
  bool resume_scheduled = false;

 protected:
  // New bytes were appended to in().
  virtual void OnRead() = 0;
  // The peer closed its side. Default: close.
  virtual void OnEof() { Close(); }
  virtual void OnTimeout(TimeoutKind kind) = 0;
  // Output fully written after an asynchronous write.
  virtual void OnWritten() {}
  // The worker began draining: finish what is in flight, then close.
  virtual void OnDrain() = 0;
  // Scheduled by ScheduleResume.
  virtual void OnResume() {}
  // Accepted past --max-connections: write a refusal and CloseAfterWrite.
  virtual void OnOverCapacity() { Close(); }
  // Last event before the handle closes.
  virtual void OnClosing() {}

 private:
  // Reads are at least this large; a nearly full buffer grows rather than
  // reading a few bytes at a time.
  static constexpr size_t kMinReadSpace = 4096;

  static void OnAllocCb(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWriteCb(uv_write_t* req, int status);
  static void OnShutdownCb(uv_shutdown_t* req, int status);
  static void OnCloseCb(uv_handle_t* h);
  void NoteBacklog();
  void Send(Buffer& src);
  void StartAsyncWrite(Buffer& src);
  void AfterOutputDrained();
  void BeginLinger();
  void ReleaseIdleBuffers();
  void RecordPeer();
  // TLS (connection_tls.cc).
  bool StartTls();
  void OnTlsRead();
  void FlushTls();
  void FailTls(const char* what, std::string_view reply);
  void OnTlsAlloc(uv_buf_t* buf);
  void NoteTlsHeaderTimeout();
  size_t TlsQueuedBytes() const;
  bool HasUnsent() const;

  Worker& worker_;
  uv_tcp_t tcp_;
  uv_write_t* write_req_ = nullptr;  // from the worker's pool while writing
  Buffer in_;
  Buffer out_;
  Buffer writing_;                   // owned by the in-flight uv_write
  std::unique_ptr<TlsSession> tls_;  // null on a cleartext listener
  TimerEntry read_timer_;
  TimerEntry write_timer_;
  uint32_t holds_ = 0;
  bool reading_ = false;
  bool paused_for_output_ = false;
  bool write_in_flight_ = false;
  bool close_after_write_ = false;
  bool lingering_ = false;
  bool peer_eof_ = false;
  bool closing_ = false;
  bool closed_ = false;
  uint8_t remote_raw_len_ = 0;
  uint8_t remote_raw_[16];
};

}  // namespace keel::core
