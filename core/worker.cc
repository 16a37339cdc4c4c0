#include "core/worker.h"

#include <unistd.h>

#include "core/log.h"
#include "core/tls_session.h"

namespace keel::core {
namespace {

// The tick drives timeouts and the Date cache. A quarter second bounds how
// late a timeout fires and costs four wakeups a second.
constexpr uint64_t kTickMs = 250;

}  // namespace

Worker::Worker(const WorkerConfig& config, ConnectionFactory* factory)
    : config_(config), factory_(factory), pool_(config.block_size) {
  if (config_.tls != nullptr) tls_ = std::make_unique<TlsAcceptor>(config_.tls);
  uv_loop_init(&loop_);
  loop_.data = this;
  const uint64_t durations[kTimeoutKinds] = {config_.header_timeout_ms, config_.body_timeout_ms,
                                             config_.idle_timeout_ms, config_.write_timeout_ms,
                                             config_.linger_timeout_ms,
                                             config_.handler_timeout_ms};
  for (int i = 0; i < kTimeoutKinds; ++i) timers_[i] = std::make_unique<TimerList>(durations[i]);
  uv_tcp_init(&loop_, &listener_);
  listener_.data = this;
  uv_timer_init(&loop_, &tick_);
  tick_.data = this;
  uv_async_init(&loop_, &drain_async_, OnDrainCb);
  drain_async_.data = this;
  uv_idle_init(&loop_, &resume_idle_);
  resume_idle_.data = this;
  uv_idle_init(&loop_, &expire_idle_);
  expire_idle_.data = this;
  uv_async_init(&loop_, &post_async_, OnPostCb);
  post_async_.data = this;
}

Worker::~Worker() {
  if (!finishing_) {
    // Never run to the end (a Listen failure elsewhere): close the handles
    // and let the loop run their close callbacks so uv_loop_close succeeds.
    MaybeFinish();
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  if (uv_loop_close(&loop_) != 0) LOG_WARN("worker loop closed with live handles");
  if (tls_) LOG_DEBUG("tls: worker totals: %s", tls_->counters().Format().c_str());
}

Status Worker::Listen() {
  Result<int> fd = OpenListenSocket(config_.address, config_.backlog);
  if (!fd.ok()) return fd.status();
  Result<uint16_t> port = BoundPort(fd.value());
  if (!port.ok()) {
    ::close(fd.value());
    return port.status();
  }
  int rc = uv_tcp_open(&listener_, fd.value());
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), config_.backlog, OnConnectionCb);
  if (rc != 0) return Status::IoError(std::string("listen: ") + uv_strerror(rc));
  bound_port_ = port.value();
  return Status::Ok();
}

void Worker::Start() {
  uv_update_time(&loop_);
  uv_timer_start(&tick_, OnTickCb, kTickMs, kTickMs);
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::RequestDrain() { uv_async_send(&drain_async_); }

void Worker::OnConnectionCb(uv_stream_t* server, int status) {
  auto* w = static_cast<Worker*>(server->data);
  if (status < 0) {
    LOG_WARN("accept: %s", uv_strerror(status));
    return;
  }
  w->Accept();
}

void Worker::Accept() {
  Connection* c = factory_->Create(*this);
  uv_tcp_init(&loop_, c->tcp());
  // Link first: from here on the connection is closed through Close(),
  // whose callback unlinks it.
  ++live_connections_;
  c->next_in_worker = connections_;
  if (connections_ != nullptr) connections_->prev_in_worker = c;
  connections_ = c;
  ++connection_count_;
  uint32_t open = config_.open_connections->fetch_add(1, std::memory_order_relaxed) + 1;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&listener_),
                reinterpret_cast<uv_stream_t*>(c->tcp())) != 0) {
    c->Close();
    return;
  }
  if (open > config_.max_connections || draining_) {
    c->StartOverCapacity();
    return;
  }
  c->Start();
}

void Worker::OnConnectionClosed(Connection* c) {
  if (c->prev_in_worker != nullptr) {
    c->prev_in_worker->next_in_worker = c->next_in_worker;
  } else {
    connections_ = c->next_in_worker;
  }
  if (c->next_in_worker != nullptr) c->next_in_worker->prev_in_worker = c->prev_in_worker;
  c->next_in_worker = c->prev_in_worker = nullptr;
  --connection_count_;
  config_.open_connections->fetch_sub(1, std::memory_order_relaxed);
  if (draining_) MaybeFinish();
}

void Worker::OnConnectionFreed() {
  --live_connections_;
  if (draining_) MaybeFinish();
}

void Worker::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    posted_.push_back(std::move(fn));
  }
  uv_async_send(&post_async_);
}

void Worker::OnPostCb(uv_async_t* a) {
  auto* w = static_cast<Worker*>(a->data);
  {
    std::lock_guard<std::mutex> lock(w->post_mu_);
    w->posted_running_.swap(w->posted_);
  }
  for (auto& fn : w->posted_running_) fn();
  w->posted_running_.clear();
}

void Worker::ScheduleResume(Connection* c) {
  if (resume_queue_.empty()) uv_idle_start(&resume_idle_, OnResumeCb);
  resume_queue_.push_back(c);
}

// Runs the connections that hit the per-iteration fairness cap. The queue is
// swapped out first so a connection that re-schedules itself waits for the
// next iteration, after I/O for everyone else has been polled. Two vectors
// swap back and forth so their capacity is kept (no allocation per pass).
void Worker::OnResumeCb(uv_idle_t* i) {
  auto* w = static_cast<Worker*>(i->data);
  w->resume_running_.swap(w->resume_queue_);
  for (Connection* c : w->resume_running_) c->Resume();
  w->resume_running_.clear();
  if (w->resume_queue_.empty()) uv_idle_stop(&w->resume_idle_);
}

void Worker::OnTickCb(uv_timer_t* t) {
  auto* w = static_cast<Worker*>(t->data);
  w->date_.UpdateNow();
  w->ExpireTimers();
  if (w->draining_ && w->now_ms() >= w->drain_deadline_ms_) {
    for (Connection* c = w->connections_; c != nullptr;) {
      Connection* next = c->next_in_worker;
      c->Close();
      c = next;
    }
  }
}

// At most kMaxExpiriesPerTurn timeouts are handled per loop iteration. When
// thousands of connections time out in the same tick (a slowloris wave all
// reaching --header-timeout together), answering and closing them all at
// once would stall every other request on this loop for tens of
// milliseconds; in slices, requests on live connections are served between
// them. The rest are expired on the following iterations (an idle handle
// keeps the loop from blocking meanwhile), so a late 408 is late by loop
// turns, not by ticks.
void Worker::ExpireTimers() {
  uint64_t now = now_ms();
  size_t budget = kMaxExpiriesPerTurn;
  for (int k = 0; k < kTimeoutKinds && budget > 0; ++k) {
    while (budget > 0) {
      TimerEntry* e = timers_[k]->PopExpired(now);
      if (e == nullptr) break;
      static_cast<Connection*>(e->owner)->Expire(static_cast<TimeoutKind>(k));
      --budget;
    }
  }
  if (budget == 0) {
    uv_idle_start(&expire_idle_, OnExpireIdleCb);
  } else {
    uv_idle_stop(&expire_idle_);
  }
}

void Worker::OnExpireIdleCb(uv_idle_t* h) { static_cast<Worker*>(h->data)->ExpireTimers(); }

uv_write_t* Worker::TakeWriteReq() {
  if (free_write_reqs_.empty()) return new uv_write_t;
  uv_write_t* req = free_write_reqs_.back().release();
  free_write_reqs_.pop_back();
  return req;
}

void Worker::GiveWriteReq(uv_write_t* req) { free_write_reqs_.emplace_back(req); }

bool Worker::TryReserveOffload(uint32_t keep_free) {
  uint32_t n = offload_in_flight_.load(std::memory_order_relaxed);
  if (n + keep_free >= config_.max_offload) return false;
  SetOffload(n + 1);
  return true;
}

void Worker::OnDrainCb(uv_async_t* a) { static_cast<Worker*>(a->data)->BeginDrain(); }

void Worker::BeginDrain() {
  if (draining_) return;
  draining_ = true;
  drain_deadline_ms_ = now_ms() + config_.drain_timeout_ms;
  CloseListener();
  for (Connection* c = connections_; c != nullptr;) {
    Connection* next = c->next_in_worker;  // Drain may close c
    c->Drain();
    c = next;
  }
  MaybeFinish();
}

// Once the last connection is gone, close the worker's own handles so
// uv_run returns. Offloaded jobs still running keep the loop alive until
// their completions have run.
void Worker::MaybeFinish() {
  if (connection_count_ != 0 || live_connections_ != 0 || finishing_) return;
  finishing_ = true;
  CloseListener();
  uv_close(reinterpret_cast<uv_handle_t*>(&post_async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&resume_idle_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&expire_idle_), nullptr);
}

void Worker::CloseListener() {
  if (listener_closed_) return;
  listener_closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
}

}  // namespace keel::core
