// ASCII helpers for protocol text: header names and values, list headers,
// tokens, emails' index keys, option names. Only ASCII letters change case;
// every other byte (UTF-8 included) is kept, so results never depend on the
// locale or the Unicode version. Header-only and allocation-free except
// where a function returns a std::string.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace keel::core {

// Optional whitespace (RFC 9110 section 5.6.3): space or horizontal tab.
constexpr bool IsOws(char c) { return c == ' ' || c == '\t'; }

constexpr char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char UpperAscii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

constexpr std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// ASCII case-insensitive equality, for header names and tokens.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// `s` with ASCII letters lower-cased, written over `out` (its capacity is
// reused, so a caller with a long-lived string does not allocate).
inline void LowerAsciiInto(std::string_view s, std::string* out) {
  out->assign(s.size(), '\0');
  for (size_t i = 0; i < s.size(); ++i) (*out)[i] = LowerAscii(s[i]);
}

inline std::string LowerAsciiCopy(std::string_view s) {
  std::string out;
  LowerAsciiInto(s, &out);
  return out;
}

// Calls fn(element) for each non-empty, OWS-trimmed element of a
// comma-separated list (RFC 9110 section 5.6.1 lets recipients skip empty
// elements). Returns false as soon as fn does, true otherwise.
template <typename Fn>
bool ForEachListElement(std::string_view list, Fn fn) {
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = TrimOws(list.substr(0, comma));
    if (!item.empty() && !fn(item)) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// Buffer big enough for any FormatRetryAfter result.
inline constexpr size_t kRetryAfterBytes = 10;

// A Retry-After value (RFC 9110 section 10.2.3, delay-seconds): `seconds`,
// at least 1, as decimal digits in `buf`. Returns the text, a view of buf.
inline std::string_view FormatRetryAfter(uint32_t seconds, char (&buf)[kRetryAfterBytes]) {
  auto r = std::to_chars(buf, buf + kRetryAfterBytes, seconds == 0 ? 1u : seconds);
  return std::string_view(buf, static_cast<size_t>(r.ptr - buf));
}

}  // namespace keel::core
