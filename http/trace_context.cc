#include "http/trace_context.h"

#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace keel::http {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool AllLowerHexNotZero(std::string_view s) {
  bool nonzero = false;
  for (char c : s) {
    if (!IsLowerHex(c)) return false;
    if (c != '0') nonzero = true;
  }
  return nonzero;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void Hex64(uint64_t v, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xf];
    v >>= 4;
  }
}

uint64_t KernelSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
    // No entropy source: fall back on the clock; ids only need to differ.
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = static_cast<uint64_t>(ts.tv_sec) * 1000000007ull ^ static_cast<uint64_t>(ts.tv_nsec);
  }
  return seed;
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool ParseTraceparent(std::string_view v, Traceparent* out) {
  if (v.size() < kTraceparentBytes) return false;
  std::string_view version = v.substr(0, 2);
  if (!IsLowerHex(version[0]) || !IsLowerHex(version[1]) || version == "ff") return false;
  if (version == "00" && v.size() != kTraceparentBytes) return false;
  // A later version: its first 55 characters read as version 00, followed by
  // nothing or by '-' and fields we do not know.
  if (v.size() > kTraceparentBytes && v[kTraceparentBytes] != '-') return false;
  if (v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  std::string_view trace = v.substr(3, 32);
  std::string_view parent = v.substr(36, 16);
  std::string_view flags = v.substr(53, 2);
  if (!AllLowerHexNotZero(trace) || !AllLowerHexNotZero(parent)) return false;
  if (!IsLowerHex(flags[0]) || !IsLowerHex(flags[1])) return false;
  std::memcpy(out->trace_id, trace.data(), 32);
  std::memcpy(out->parent_id, parent.data(), 16);
  out->flags = static_cast<uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]));
  return true;
}

IdSource::IdSource() : IdSource(KernelSeed()) {}

IdSource::IdSource(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix(seed);
  Hex64(Next(), prefix_);
}

uint64_t IdSource::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

size_t IdSource::NextRequestId(char* out) {
  std::memcpy(out, prefix_, 16);
  out[16] = '-';
  Hex64(++counter_, out + 17);
  return 33;
}

void IdSource::RandomHex(char* out, size_t bytes) {
  for (;;) {
    bool nonzero = false;
    for (size_t i = 0; i < bytes; i += 8) {
      uint64_t v = Next();
      char tmp[16];
      Hex64(v, tmp);
      size_t n = std::min<size_t>(16, (bytes - i) * 2);
      std::memcpy(out + i * 2, tmp, n);
      if (v != 0) nonzero = true;
    }
    if (nonzero) return;  // an all-zero id is invalid in Trace Context
  }
}

void FormatTraceparent(const char trace_id[32], const char span_id[16], uint8_t flags, char* out) {
  std::memcpy(out, "00-", 3);
  std::memcpy(out + 3, trace_id, 32);
  out[35] = '-';
  std::memcpy(out + 36, span_id, 16);
  out[52] = '-';
  out[53] = kHex[flags >> 4];
  out[54] = kHex[flags & 0xf];
}

}  // namespace keel::http
