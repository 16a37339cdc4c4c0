#include "core/utf8.h"

#include <bit>
#include <cstring>

namespace keel::core {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

uint64_t Load8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));  // unaligned-safe; compiles to one load
  return word;
}

// The allowed range of the byte after a lead byte. Only the second byte is
// constrained beyond 80..BF; these ranges are what exclude overlongs
// (E0, F0), surrogates (ED) and code points above U+10FFFF (F4). Table 3-7
// of the Unicode standard.
struct LeadInfo {
  uint8_t continuation_bytes;  // 0 means the byte cannot start a sequence
  uint8_t second_lo;
  uint8_t second_hi;
  uint8_t payload_mask;  // bits of the lead byte that carry the code point
};

LeadInfo InfoForLead(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return {1, 0x80, 0xBF, 0x1F};
  if (b == 0xE0) return {2, 0xA0, 0xBF, 0x0F};
  if (b == 0xED) return {2, 0x80, 0x9F, 0x0F};
  if (b >= 0xE1 && b <= 0xEF) return {2, 0x80, 0xBF, 0x0F};
  if (b == 0xF0) return {3, 0x90, 0xBF, 0x07};
  if (b == 0xF4) return {3, 0x80, 0x8F, 0x07};
  if (b >= 0xF1 && b <= 0xF3) return {3, 0x80, 0xBF, 0x07};
  return {0, 0, 0, 0};  // 80..C1 (continuation or overlong lead), F5..FF
}

}  // namespace

Utf8Sequence DecodeUtf8(std::string_view s) {
  const auto b0 = static_cast<uint8_t>(s[0]);
  if (b0 < 0x80) return {b0, 1, true};
  const LeadInfo info = InfoForLead(b0);
  if (info.continuation_bytes == 0) return {0, 1, false};

  uint32_t cp = b0 & info.payload_mask;
  for (uint8_t i = 1; i <= info.continuation_bytes; ++i) {
    const uint8_t lo = i == 1 ? info.second_lo : 0x80;
    const uint8_t hi = i == 1 ? info.second_hi : 0xBF;
    // Stopping at the first bad byte makes `i` exactly the maximal subpart:
    // every byte before it was a legal continuation of a possible sequence.
    if (i >= s.size()) return {0, i, false};
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < lo || b > hi) return {0, i, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, static_cast<uint8_t>(info.continuation_bytes + 1), true};
}

bool IsValidUtf8(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p < end) {
    // ASCII dominates real input (JSON keys, emails): skip it a word at a time.
    while (end - p >= 8 && (Load8(p) & kHighBits) == 0) p += 8;
    if (p == end) break;
    if (static_cast<uint8_t>(*p) < 0x80) {
      ++p;
      continue;
    }
    const Utf8Sequence seq = DecodeUtf8({p, static_cast<size_t>(end - p)});
    if (!seq.valid) return false;
    p += seq.length;
  }
  return true;
}

size_t CountCodePoints(std::string_view valid_utf8) {
  // Every code point has exactly one byte that is not a continuation byte
  // (10xxxxxx), so count those; a word at a time with popcount.
  const char* p = valid_utf8.data();
  const char* const end = p + valid_utf8.size();
  size_t count = 0;
  for (; end - p >= 8; p += 8) {
    const uint64_t w = Load8(p);
    // A byte is a continuation byte iff bit 7 is set and bit 6 is clear.
    const uint64_t continuation = w & ~(w << 1) & kHighBits;
    count += 8 - static_cast<size_t>(std::popcount(continuation));
  }
  for (; p < end; ++p) {
    if ((static_cast<uint8_t>(*p) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace keel::core
