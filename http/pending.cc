#include "http/pending.h"

#include <utility>

#include "core/connection.h"
#include "core/offload.h"
#include "core/worker.h"
#include "http/http_session.h"
#include "http/response.h"

namespace keel::http {
namespace {

// The deferred Response of request `seq`, or null when the connection has
// closed or that request is no longer the one waiting.
Response* Find(core::Connection* c, uint64_t seq) {
  if (c == nullptr || c->closing()) return nullptr;
  return static_cast<HttpSession*>(c)->DeferredFor(seq);
}

class OffloadedWork final : public core::OffloadJob {
 public:
  OffloadedWork(std::function<void()> work, std::function<void(Response*)> then, uint64_t seq)
      : work_(std::move(work)), then_(std::move(then)), seq_(seq) {}
  void Run() override { work_(); }
  void Complete(core::Connection* conn) override { then_(Find(conn, seq_)); }

 private:
  std::function<void()> work_;
  std::function<void(Response*)> then_;
  uint64_t seq_;
};

}  // namespace

Pending::Pending(core::Connection* conn, uint64_t seq) : conn_(conn), seq_(seq) { conn_->Hold(); }

Pending::~Pending() { Release(); }

Pending& Pending::operator=(Pending&& other) noexcept {
  if (this != &other) {
    Release();
    conn_ = other.conn_;
    seq_ = other.seq_;
    other.conn_ = nullptr;
  }
  return *this;
}

// The hold must be dropped on the loop thread, and this may be any thread.
void Pending::Release() {
  core::Connection* c = std::exchange(conn_, nullptr);
  if (c != nullptr) c->worker().Post([c] { c->Drop(); });
}

void Pending::Resume(std::function<void(Response*)> fn) {
  core::Connection* c = std::exchange(conn_, nullptr);
  if (c == nullptr) return;
  uint64_t seq = seq_;
  c->worker().Post([c, seq, fn = std::move(fn)] {
    fn(Find(c, seq));
    c->Drop();
  });
}

Pending Response::Defer() {
  deferred_ = true;
  return Pending(ctx_.conn, ctx_.seq);
}

core::Status Response::Offload(std::function<void()> work, std::function<void(Response*)> then,
                               uint32_t keep_free) {
  core::Status s =
      core::Offload(*ctx_.conn,
                    std::make_unique<OffloadedWork>(std::move(work), std::move(then), ctx_.seq),
                    keep_free);
  if (s.ok()) deferred_ = true;
  return s;
}

}  // namespace keel::http
