#include "core/offload.h"

#include <uv.h>

#include "core/connection.h"
#include "core/worker.h"

namespace keel::core {
namespace {

struct Work {
  uv_work_t req;
  std::unique_ptr<OffloadJob> job;
  Connection* conn;
};

void RunCb(uv_work_t* req) { static_cast<Work*>(req->data)->job->Run(); }

void AfterCb(uv_work_t* req, int /*status: never cancelled, Keel does not uv_cancel*/) {
  std::unique_ptr<Work> w(static_cast<Work*>(req->data));
  Connection* c = w->conn;
  c->worker().ReleaseOffload();
  w->job->Complete(c->closing() ? nullptr : c);
  w->job.reset();
  c->Drop();
}

}  // namespace

Status Offload(Connection& conn, std::unique_ptr<OffloadJob> job, uint32_t keep_free) {
  Worker& worker = conn.worker();
  if (!worker.TryReserveOffload(keep_free)) return Status::Busy("too many jobs in flight");
  auto w = std::make_unique<Work>();
  w->req.data = w.get();
  w->job = std::move(job);
  w->conn = &conn;
  int rc = uv_queue_work(worker.loop(), &w->req, RunCb, AfterCb);
  if (rc != 0) {
    worker.ReleaseOffload();
    return Status::IoError(uv_strerror(rc));
  }
  conn.Hold();
  w.release();  // owned by the request until AfterCb
  return Status::Ok();
}

}  // namespace keel::core
