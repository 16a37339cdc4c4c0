// An answer that comes later: what Response::Defer hands a handler.
//
// A Pending keeps its connection object alive (not its socket: the client
// may still hang up) until it is resumed or destroyed. Resume may be called
// from any thread, typically the storage writer thread reporting a durable
// commit: `fn` then runs on the connection's own loop with the request's
// Response, or with nullptr when the connection closed meanwhile (or the
// request was already answered), in which case there is nobody to answer.
// Move-only; resuming consumes it. Destroying an unresumed Pending releases
// the connection without answering. A request not answered within the
// handler timeout (WorkerConfig::handler_timeout_ms, --handler-timeout) gets
// a 503 and its connection closes; a later Resume then finds nothing to
// answer and gets nullptr. Handlers still always resume.
#pragma once

#include <cstdint>
#include <functional>

namespace keel::core {
class Connection;
}

namespace keel::http {

class Response;

class Pending {
 public:
  Pending() = default;
  ~Pending();
  Pending(Pending&& other) noexcept : conn_(other.conn_), seq_(other.seq_) {
    other.conn_ = nullptr;
  }
  Pending& operator=(Pending&& other) noexcept;
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;

  explicit operator bool() const { return conn_ != nullptr; }
  // Thread-safe; see above.
  void Resume(std::function<void(Response*)> fn);

 private:
  friend class Response;
  // Loop thread: holds `conn` for request number `seq`.
  Pending(core::Connection* conn, uint64_t seq);
  void Release();

  core::Connection* conn_ = nullptr;
  uint64_t seq_ = 0;
};

}  // namespace keel::http
