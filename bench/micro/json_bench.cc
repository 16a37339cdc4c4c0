// JSON: writing the bodies Keel sends (a user, the TechEmpower hello),
// reading a sign-up body, and the UTF-8 check names go through.
//
// Every loop reuses its output string or its reader, as a worker does, so
// steady state allocates nothing.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "api/user_json.h"
#include "bench/micro/alloc_counter.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/utf8.h"
#include "storage/store.h"

namespace keel {
namespace {

void BM_JsonWriteUser(benchmark::State& state) {
  storage::UserRecord user;
  user.id = 123456;
  user.email = "zoe.lindqvist@example.com";
  user.name = "Zoë Lindqvist";  // one non-ASCII letter, as many names have
  user.role = std::string(storage::kRoleUser);
  user.created_at = 1735689600;  // 2025-01-01T00:00:00Z
  user.updated_at = 1738368000;
  user.revision = 3;
  user.token_version = 1;
  std::string out;
  api::AppendUserJson(out, user);  // warm-up: sizes the reused string
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    out.clear();
    api::AppendUserJson(out, user);
    benchmark::DoNotOptimize(out.data());
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonWriteUser);

// The body of GET /json.
void WriteHello(std::string& out) {
  core::JsonWriter w(out);
  w.BeginObject();
  w.Key("message");
  w.String("Hello, World!");
  w.EndObject();
}

void BM_JsonWriteHello(benchmark::State& state) {
  std::string out;
  WriteHello(out);  // warm-up: sizes the reused string
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    out.clear();
    WriteHello(out);
    benchmark::DoNotOptimize(out.data());
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonWriteHello);

constexpr std::string_view kSignUpBody =
    R"({"email":"zoe.lindqvist@example.com","name":"Zo\u00eb Lindqvist",)"
    R"("password":"correct horse battery staple"})";

// Reads every member as sign-up does; returns how many there were, or -1
// on an error.
int ReadSignUp(core::JsonReader& reader, std::string_view body, bool padded) {
  if (!reader.ParseObject(body, padded).ok()) return -1;
  int fields = 0;
  core::JsonField f;
  while (reader.NextField(f)) {
    core::Result<std::string_view> v = f.GetString();
    if (!v.ok()) return -1;
    benchmark::DoNotOptimize(v.value().data());
    ++fields;
  }
  return reader.status().ok() ? fields : -1;
}

// padded: the body has JsonReader::kPadding readable bytes after it, as a
// body read into a pool block usually does, and is parsed in place.
// unpadded: the reader first copies it into its padded scratch.
void BM_JsonReadSignUp(benchmark::State& state, bool padded) {
  std::string storage(kSignUpBody);
  storage.append(core::JsonReader::kPadding, ' ');
  const std::string_view body = std::string_view(storage).substr(0, kSignUpBody.size());
  core::JsonReader reader;
  (void)ReadSignUp(reader, body, padded);  // warm-up: sizes the parser's buffers
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    if (ReadSignUp(reader, body, padded) != 3) {
      state.SkipWithError("the sign-up body did not read back");
      break;
    }
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_JsonReadSignUp, padded, true);
BENCHMARK_CAPTURE(BM_JsonReadSignUp, unpadded, false);

// `size` bytes of text cut at a code point boundary. ascii: the fast path
// (eight bytes a step). mixed: Latin, Greek, CJK and an emoji among ASCII,
// as user-supplied names and free text may be.
std::string MakeText(size_t size, bool ascii) {
  constexpr std::string_view kAscii = "The quick brown fox jumps over the lazy dog 0123456789. ";
  constexpr std::string_view kMixed =
      "Zoë Ångström, Ελένη, 東京都の山田太郎 🚀 plain ASCII runs too. ";
  const std::string_view unit = ascii ? kAscii : kMixed;
  std::string text;
  while (text.size() < size) text += unit;
  size_t cut = size;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

void BM_Utf8Validate(benchmark::State& state, bool ascii) {
  const std::string text = MakeText(static_cast<size_t>(state.range(0)), ascii);
  if (!core::IsValidUtf8(text)) {
    state.SkipWithError("the input is not valid UTF-8");
    return;
  }
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(text.data());
    bool ok = core::IsValidUtf8(text);
    benchmark::DoNotOptimize(ok);
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
// 64: a name; 1 KiB: a long free-text field; 64 KiB: a large body.
BENCHMARK_CAPTURE(BM_Utf8Validate, ascii, true)->Arg(64)->Arg(1024)->Arg(64 * 1024);
BENCHMARK_CAPTURE(BM_Utf8Validate, mixed, false)->Arg(64)->Arg(1024)->Arg(64 * 1024);

}  // namespace
}  // namespace keel
