// Strict UTF-8 validation and decoding (RFC 3629 / Unicode 15, section 3.9).
//
// "Strict" means: no overlong forms (C0 80, E0 80 80, ...), no surrogate code
// points U+D800..U+DFFF (ED A0 80 ...), nothing above U+10FFFF (F4 90 ...,
// F5..FF), no truncated sequences, no stray continuation bytes.
//
// Pure functions over caller-owned bytes; no allocation; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keel::core {

// True when every byte of `s` belongs to a well-formed UTF-8 sequence.
// The empty string is valid.
bool IsValidUtf8(std::string_view s);

// Number of code points in `valid_utf8`, which must already be valid (for
// example checked with IsValidUtf8); on invalid input the count is
// meaningless but the call is still memory-safe.
size_t CountCodePoints(std::string_view valid_utf8);

// One step of decoding: the sequence at the front of a string.
struct Utf8Sequence {
  // The decoded code point; 0 when !valid.
  uint32_t code_point = 0;
  // Bytes the step covers, always >= 1 for non-empty input. For a valid
  // sequence its length (1-4); for an invalid one the length of the
  // "maximal subpart" (Unicode 3.9, U+FFFD substitution): the longest prefix
  // that could still have begun a valid sequence, or 1 if none. Replacing
  // each such subpart with one U+FFFD is the Unicode-recommended practice.
  uint8_t length = 0;
  bool valid = false;
};

// Decodes the sequence at the front of `s`. `s` must not be empty.
Utf8Sequence DecodeUtf8(std::string_view s);

}  // namespace keel::core
