// HTTP request parsing: RequestParser::Parse + Build + Consume, the work a
// connection does for each request before routing.
//
// Each iteration first appends the request to the input buffer, as a read
// would; that memcpy is part of the measured cost (it is tiny next to
// parsing, and a real read pays it too). The buffer is a BufferPool block of
// the worker's default size, so the loop itself allocates nothing.
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <string_view>

#include "bench/micro/alloc_counter.h"
#include "core/buffer.h"
#include "core/buffer_pool.h"
#include "http/parser_limits.h"
#include "http/request.h"
#include "http/request_parser.h"

namespace keel::http {
namespace {

constexpr size_t kBlockSize = 32 * 1024;  // core::WorkerConfig's default
constexpr size_t kHeaderSlots = 100;      // http::WorkerContext::kMaxHeaders

// Headers a browser or API client commonly sends, added in this order while
// they fit. The access token has the shape and length of a Keel JWT.
constexpr std::string_view kOptionalHeaders[] = {
    "Accept: */*\r\n",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n",
    "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n",
    "Accept-Encoding: gzip, deflate, br\r\n",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJrZWVsIiwic3ViIjoxMjMs"
    "InJvbGUiOiJ1c2VyIiwidmVyIjoxLCJpYXQiOjE3MzU2ODk2MDAsIm5iZiI6MTczNTY4OTYwMCwiZXhwIjoxNzM1Njk"
    "wNTAwfQ.Xb6y3q0N9mN3Z0nqv5Zp2v0aH2hR0w3cYy6k1q2x3Zs\r\n",
    "Connection: keep-alive\r\n",
    "Referer: https://app.example.com/settings/profile\r\n",
    "Sec-Fetch-Dest: empty\r\n",
    "Sec-Fetch-Mode: cors\r\n",
    "Sec-Fetch-Site: same-site\r\n",
    "Origin: https://app.example.com\r\n",
    "X-Request-Id: 5f0c8a2e-3b1d-4c9e-8f7a-2d6b1e0c9a44\r\n",
};

// A GET whose request line and headers (the final CRLF included) take
// exactly `head_bytes`: realistic headers first, while they fit, then a
// Cookie header (a session id, then analytics-style pairs, as large real
// requests carry) fills the rest.
std::string MakeGet(size_t head_bytes) {
  std::string r = "GET /api/users/123 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n";
  constexpr std::string_view kCookie = "Cookie: ";
  constexpr size_t kMinCookie = kCookie.size() + 4 + 2;  // "id=7" and CRLF
  for (std::string_view h : kOptionalHeaders) {
    if (r.size() + h.size() + 2 <= head_bytes) r += h;
  }
  size_t room = head_bytes > r.size() + 2 ? head_bytes - r.size() - 2 : 0;
  if (room >= kMinCookie) {
    std::string value = "id=7f3a9c0e5b2d4a61";
    for (int i = 0; value.size() < room; ++i) {
      value += "; _ga_" + std::to_string(i) + "=GS1.1.1735689600." + std::to_string(i * 7919);
    }
    value.resize(room - kCookie.size() - 2);
    if (value.back() == ' ' || value.back() == ';' || value.back() == '=') value.back() = 'x';
    r += kCookie;
    r += value;
    r += "\r\n";
  }
  r += "\r\n";
  return r;
}

// Parses one complete request from `in` and drops it. Returns false when
// the parser did not produce exactly that request.
bool ParseOne(RequestParser& parser, core::Buffer& in, std::span<Header> slots, Request& req) {
  if (parser.Parse(in) != RequestParser::Event::kRequest) return false;
  if (!parser.Build(in, slots, req)) return false;
  benchmark::DoNotOptimize(req.headers.data());
  benchmark::DoNotOptimize(req.path.data());
  parser.Consume(in);
  return true;
}

void BM_ParseRequest(benchmark::State& state) {
  const std::string request = MakeGet(static_cast<size_t>(state.range(0)));
  ParserLimits limits;
  core::BufferPool pool(kBlockSize);
  core::Buffer in;
  in.Attach(&pool);
  RequestParser parser(&limits);
  std::array<Header, kHeaderSlots> slots{};
  Request req;
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    in.Append(request);
    if (!ParseOne(parser, in, slots, req)) {
      state.SkipWithError("the request did not parse");
      break;
    }
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(request.size()));
  state.SetItemsProcessed(state.iterations());
  state.counters["request_bytes"] = static_cast<double>(request.size());
  state.counters["headers"] = static_cast<double>(req.headers.size());
}
// 80: what wrk sends (request line, Host and one or two short headers);
// 1 KiB: a browser with a token and a few cookies; 4 KiB: heavy cookies.
BENCHMARK(BM_ParseRequest)->Arg(80)->Arg(1024)->Arg(4096);

// 16 pipelined small requests arriving in one read, as wrk's pipeline.lua
// sends them: one append, then 16 parse/build/consume rounds.
void BM_ParsePipelined16(benchmark::State& state) {
  constexpr int kDepth = 16;
  const std::string one = MakeGet(80);
  std::string batch;
  for (int i = 0; i < kDepth; ++i) batch += one;
  ParserLimits limits;
  core::BufferPool pool(kBlockSize);
  core::Buffer in;
  in.Attach(&pool);
  RequestParser parser(&limits);
  std::array<Header, kHeaderSlots> slots{};
  Request req;
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    in.Append(batch);
    for (int i = 0; i < kDepth; ++i) {
      if (!ParseOne(parser, in, slots, req)) {
        state.SkipWithError("a pipelined request did not parse");
        return;
      }
    }
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * kDepth);
}
BENCHMARK(BM_ParsePipelined16);

}  // namespace
}  // namespace keel::http
