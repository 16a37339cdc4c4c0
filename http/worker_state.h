// A protocol user's own per-worker state (the api layer's storage reader
// and token cache, say), owned by http's per-worker context and reachable
// from every request that worker handles (Request::worker_state). http only
// creates and destroys it; the user downcasts to its own type.
//
// Made by ServerConfig::make_worker_state on the thread that starts the
// server, before the worker runs; used afterwards only on that worker's
// thread; destroyed after the worker has stopped.
#pragma once

namespace keel::http {

class WorkerState {
 public:
  virtual ~WorkerState() = default;
};

}  // namespace keel::http
