#include "auth/auth_metrics.h"

#include <memory>
#include <mutex>
#include <vector>

#include "core/metrics.h"

namespace keel::auth {
namespace {

struct ThreadCounters {
  core::Counter logins[4];
  core::Counter refreshes[3];
  core::Counter cache_hits;
  core::Counter cache_misses;
};

// Every thread's counters, kept for the life of the process (threads are
// few: the workers) so a scrape can still add up a thread that has ended.
struct Registry {
  std::mutex mu;
  std::vector<std::unique_ptr<ThreadCounters>> all;  // guarded by mu
};

Registry& GetRegistry() {
  static Registry* r = new Registry;  // never destroyed: threads may outlive main
  return *r;
}

ThreadCounters& Local() {
  thread_local ThreadCounters* mine = nullptr;
  if (mine == nullptr) {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.all.push_back(std::make_unique<ThreadCounters>());
    mine = r.all.back().get();
  }
  return *mine;
}

constexpr uint64_t kHashBoundsNs[] = {1'000'000,   2'500'000,     5'000'000,     10'000'000,
                                      25'000'000,  50'000'000,    100'000'000,   250'000'000,
                                      500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000};

core::Histogram& HashHistogram() {
  static core::Histogram* h = new core::Histogram(kHashBoundsNs);
  return *h;
}

}  // namespace

void CountLogin(LoginResult r) { Local().logins[static_cast<int>(r)].Add(); }
void CountRefresh(RefreshResult r) { Local().refreshes[static_cast<int>(r)].Add(); }
void CountTokenCache(bool hit) { (hit ? Local().cache_hits : Local().cache_misses).Add(); }
void ObserveHash(uint64_t ns) { HashHistogram().ObserveShared(ns); }

void AppendAuthMetrics(std::string& out, uint64_t hash_queue_depth) {
  uint64_t logins[4] = {}, refreshes[3] = {}, hits = 0, misses = 0;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& t : r.all) {
      for (int i = 0; i < 4; ++i) logins[i] += t->logins[i].Get();
      for (int i = 0; i < 3; ++i) refreshes[i] += t->refreshes[i].Get();
      hits += t->cache_hits.Get();
      misses += t->cache_misses.Get();
    }
  }
  core::PromText p(out);
  p.Family("keel_logins_total", "counter", "Login attempts, by result.");
  static constexpr std::string_view kLogin[] = {"success", "failure", "locked", "busy"};
  for (int i = 0; i < 4; ++i) p.Sample("keel_logins_total", {{"result", kLogin[i]}}, logins[i]);
  p.Family("keel_refreshes_total", "counter", "Refresh token uses, by result.");
  static constexpr std::string_view kRefresh[] = {"ok", "reuse", "invalid"};
  for (int i = 0; i < 3; ++i)
    p.Sample("keel_refreshes_total", {{"result", kRefresh[i]}}, refreshes[i]);
  p.Family("keel_token_cache_hits_total", "counter",
           "Access tokens found in a worker's verified-token cache.");
  p.Sample("keel_token_cache_hits_total", {}, hits);
  p.Family("keel_token_cache_misses_total", "counter",
           "Access tokens verified in full (not in the cache).");
  p.Sample("keel_token_cache_misses_total", {}, misses);
  core::HistogramTotals h(kHashBoundsNs);
  h.Add(HashHistogram());
  p.Family("keel_password_hash_duration_seconds", "histogram",
           "Time of one argon2id hash or verification.");
  p.HistogramSamples("keel_password_hash_duration_seconds", {}, h, 1e9);
  p.Family("keel_password_hash_queue_depth", "gauge",
           "Password hashes queued or running, over all workers.");
  p.Sample("keel_password_hash_queue_depth", {}, hash_queue_depth);
}

}  // namespace keel::auth
