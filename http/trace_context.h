// Request ids (X-Request-Id) and W3C Trace Context level 1 (traceparent).
//
// Request id: an incoming X-Request-Id of 1-128 characters from
// [A-Za-z0-9._:-] is kept as it is; anything else is replaced by one the
// worker makes: its random prefix, drawn once, and a counter, so making one
// is a few stores and no system call.
//
// traceparent (https://www.w3.org/TR/trace-context/, "traceparent Header"):
// "00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>", lower-case hex
// only. Version ff is invalid; an all-zero trace-id or parent-id is invalid;
// version 00 must be exactly 55 characters. A later version is parsed by
// its version 00 prefix and must then end or continue with '-'. An invalid
// header is ignored (as if absent) and a new trace starts. A valid one is
// continued: same trace-id, a new span id of ours, the sampled flag kept
// (other flag bits are not ours to forward: level 1 defines only sampled).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keel::http {

inline constexpr size_t kMaxRequestIdBytes = 128;
// "00-" + 32 + "-" + 16 + "-" + 2.
inline constexpr size_t kTraceparentBytes = 55;

// True for 1-128 characters, each of [A-Za-z0-9._:-].
bool IsValidRequestId(std::string_view id);

struct Traceparent {
  char trace_id[32];  // lower-case hex
  char parent_id[16];
  uint8_t flags = 0;
};

// Parses one traceparent header value; false when it is invalid.
bool ParseTraceparent(std::string_view value, Traceparent* out);

// Per-worker source of request ids and span/trace ids: xoshiro256** seeded
// once from the kernel's random source. Not for secrets; one thread only.
class IdSource {
 public:
  IdSource();  // seeds from getrandom(2), once
  explicit IdSource(uint64_t seed);

  // Writes a fresh request id ("<16 hex prefix>-<16 hex counter>", 33
  // bytes) into out and returns its length.
  size_t NextRequestId(char* out);
  // Lower-case hex of n random bytes, never all zero, into out[2n].
  void RandomHex(char* out, size_t bytes);

 private:
  uint64_t Next();

  uint64_t s_[4];
  char prefix_[16];
  uint64_t counter_ = 0;
};

// "00-<trace_id>-<span_id>-<flags>" into out[kTraceparentBytes].
void FormatTraceparent(const char trace_id[32], const char span_id[16], uint8_t flags, char* out);

}  // namespace keel::http
