// Auth: JWT signing and verifying, HS256 and EdDSA (every authenticated
// request verifies one, unless the worker's verified-token cache has it),
// base64url, the refresh-token hash, and argon2id at the
// cost the server is configured with.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/options.h"
#include "auth/eddsa.h"
#include "auth/jwt.h"
#include "auth/password_hasher.h"
#include "auth/tokens.h"
#include "bench/micro/alloc_counter.h"
#include "core/status.h"

namespace keel::auth {
namespace {

constexpr int64_t kNow = 1735689600;  // fixed, so every token is equally valid
constexpr std::string_view kPassword = "correct horse battery staple";

std::unique_ptr<TokenCodec> MakeHs256() {
  return std::make_unique<Hs256Codec>(std::string(32, 'k'), "keel");
}

// One fixed Ed25519 key, as a server with a fresh key directory has.
std::unique_ptr<TokenCodec> MakeEdDsa() {
  std::vector<Ed25519Key> keys;
  keys.push_back(Ed25519Key::FromSeed("20250101T000000Z-bench0", std::string(32, 's')).value());
  return EdDsaCodec::Create(std::move(keys), JwtSettings{}).value();
}

template <std::unique_ptr<TokenCodec> (*Make)()>
void BM_JwtSign(benchmark::State& state) {
  const std::unique_ptr<TokenCodec> codec = Make();
  const TokenCodec& jwt = *codec;
  size_t size = 0;
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    std::string token = jwt.Sign(123456, "user", 1, kNow);
    size = token.size();
    benchmark::DoNotOptimize(token.data());
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations());
  state.counters["token_bytes"] = static_cast<double>(size);
}
// The HS256 ones keep their old names, so earlier results still compare.
BENCHMARK(BM_JwtSign<MakeHs256>)->Name("BM_JwtSign");
BENCHMARK(BM_JwtSign<MakeEdDsa>)->Name("BM_JwtSignEdDSA");

template <std::unique_ptr<TokenCodec> (*Make)()>
void BM_JwtVerify(benchmark::State& state) {
  const std::unique_ptr<TokenCodec> codec = Make();
  const TokenCodec& jwt = *codec;
  const std::string token = jwt.Sign(123456, "user", 1, kNow);
  Claims claims;
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    core::Status s = jwt.Verify(token, kNow + 60, &claims);
    if (!s.ok()) {
      state.SkipWithError("a fresh token did not verify");
      break;
    }
    benchmark::DoNotOptimize(claims.sub);
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(token.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtVerify<MakeHs256>)->Name("BM_JwtVerify");
BENCHMARK(BM_JwtVerify<MakeEdDsa>)->Name("BM_JwtVerifyEdDSA");

// Raw bytes of a fixed pattern; the content does not change the cost.
std::string Bytes(size_t n) {
  std::string b(n, '\0');
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  return b;
}

void BM_Base64UrlEncode(benchmark::State& state) {
  const std::string raw = Bytes(static_cast<size_t>(state.range(0)));
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    std::string text = Base64UrlEncode(raw);
    benchmark::DoNotOptimize(text.data());
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(raw.size()));
}
// 32: a refresh token; 160: a JWT's claims.
BENCHMARK(BM_Base64UrlEncode)->Arg(32)->Arg(160);

// Base64UrlDecodeTo, the form JWT verification uses: it reuses `out`.
void BM_Base64UrlDecode(benchmark::State& state) {
  const std::string text = Base64UrlEncode(Bytes(static_cast<size_t>(state.range(0))));
  std::string out;
  (void)Base64UrlDecodeTo(text, out);  // warm-up: sizes the reused string
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    if (!Base64UrlDecodeTo(text, out)) {
      state.SkipWithError("the text did not decode");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Base64UrlDecode)->Arg(32)->Arg(160);

// The stored form of a refresh token (BLAKE2b), computed on every refresh
// and logout.
void BM_HashToken(benchmark::State& state) {
  const std::string token = NewRefreshToken();
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    std::string hash = HashToken(token);
    benchmark::DoNotOptimize(hash.data());
  }
  allocs.Stop();
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(token.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashToken);

// The cost keel would use: its defaults (libsodium INTERACTIVE: 2 passes,
// 64 MiB), or KEEL_ARGON2_OPS / KEEL_ARGON2_MEM_KIB when set, read by the
// server's own option parser. Other KEEL_ variables are not looked at.
PasswordCost ConfiguredCost() {
  auto only_argon2 = [](const char* name) -> const char* {
    if (std::strcmp(name, "KEEL_ARGON2_OPS") != 0 && std::strcmp(name, "KEEL_ARGON2_MEM_KIB") != 0)
      return nullptr;
    return api::ProcessEnv(name);
  };
  const char* argv[] = {"keel_micro_bench"};
  core::Result<api::Options> opts = api::ParseOptions(1, argv, only_argon2);
  if (!opts.ok()) {
    std::fprintf(stderr, "keel_micro_bench: %s; argon2id uses the defaults\n",
                 opts.status().message().c_str());
  }
  api::Options o = opts.ok() ? opts.value() : api::Options{};
  return o.password_cost;
}

const PasswordHasher& Hasher() {
  static const PasswordHasher hasher(ConfiguredCost());
  return hasher;
}

std::string CostLabel(const PasswordCost& c) {
  return "ops:" + std::to_string(c.ops_limit) + " mem:" + std::to_string(c.mem_limit >> 20) + "MiB";
}

// Tens of milliseconds each by design: a fixed, small iteration count keeps
// the suite short whatever --min-time says.
void BM_Argon2idHash(benchmark::State& state) {
  const PasswordHasher& hasher = Hasher();
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    core::Result<std::string> hash = hasher.Hash(kPassword);
    if (!hash.ok()) {
      state.SkipWithError("hashing failed");
      break;
    }
    benchmark::DoNotOptimize(hash.value().data());
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(CostLabel(hasher.cost()));
}
BENCHMARK(BM_Argon2idHash)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_Argon2idVerify(benchmark::State& state) {
  const PasswordHasher& hasher = Hasher();
  core::Result<std::string> hash = hasher.Hash(kPassword);
  if (!hash.ok()) {
    state.SkipWithError("hashing failed");
    return;
  }
  bench::AllocCounter allocs(state);
  for (auto _ : state) {
    if (!hasher.Verify(hash.value(), kPassword)) {
      state.SkipWithError("the password did not verify");
      break;
    }
  }
  allocs.Stop();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(CostLabel(hasher.cost()));
}
BENCHMARK(BM_Argon2idVerify)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace keel::auth
