// Response writing: Response::Reset + SendJson into a pooled output buffer,
// the bytes a worker writes for a 200 JSON answer. The buffer is emptied
// after each response, as a completed write leaves it.
#include <benchmark/benchmark.h>

#include <ctime>
#include <string>
#include <string_view>

#include "api/user_json.h"
#include "bench/micro/alloc_counter.h"
#include "core/buffer.h"
#include "core/buffer_pool.h"
#include "core/date_cache.h"
#include "http/response.h"

namespace keel::http {
namespace {

constexpr size_t kBlockSize = 32 * 1024;  // core::WorkerConfig's default

constexpr std::string_view kHelloJson = R"({"message":"Hello, World!"})";
constexpr std::string_view kUserJson =
    R"({"id":123456,"email":"zoe.lindqvist@example.com","name":"Zoë Lindqvist",)"
    R"("role":"user","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-02-01T00:00:00Z"})";

// with_etag: as GET /api/users/{id} answers (an ETag header from the user's
// revision); without: as GET /json does.
void BM_ResponseBuild(benchmark::State& state, std::string_view body, bool with_etag) {
  core::DateCache date;
  date.Update(std::time(nullptr));
  core::BufferPool pool(kBlockSize);
  core::Buffer out;
  out.Attach(&pool);
  std::string scratch;
  Response::Context ctx;
  ctx.out = &out;
  ctx.scratch = &scratch;
  ctx.date_block = date.header_block();
  ctx.timestamp = date.rfc3339();
  Response res;
  size_t written = 0;
  char etag[24];  // AddHeader keeps a view: it must outlive SendJson
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    res.Reset(ctx);
    if (with_etag) res.AddHeader("ETag", api::FormatEtag(3, etag));
    res.SendJson(200, body);
    written = out.size();
    benchmark::DoNotOptimize(out.data());
    out.Clear();
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(written));
  state.SetItemsProcessed(state.iterations());
  state.counters["response_bytes"] = static_cast<double>(written);
}
BENCHMARK_CAPTURE(BM_ResponseBuild, json_hello, kHelloJson, false);
BENCHMARK_CAPTURE(BM_ResponseBuild, user_etag, kUserJson, true);

}  // namespace
}  // namespace keel::http
