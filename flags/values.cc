#include "flags/values.h"

#include <charconv>
#include <cstdio>
#include <limits>

#include "core/ascii.h"

namespace keel::flags {

bool ParseDecimal(std::string_view text, uint64_t* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

bool ParseByteSize(std::string_view text, uint64_t* out) {
  // K, M, G, T -> shifts of 10, 20, 30, 40 bits.
  constexpr std::string_view kSuffixes = "KMGT";
  int shift = 0;
  if (!text.empty()) {
    size_t at = kSuffixes.find(core::UpperAscii(text.back()));
    if (at != std::string_view::npos) {
      shift = 10 * static_cast<int>(at + 1);
      text.remove_suffix(1);
    }
  }
  uint64_t n = 0;
  if (!ParseDecimal(text, &n) || n > (std::numeric_limits<uint64_t>::max() >> shift)) return false;
  *out = n << shift;
  return true;
}

bool ParseBool(std::string_view text, bool* out) {
  std::string v = core::LowerAsciiCopy(text);
  if (v == "1" || v == "true" || v == "yes") {
    *out = true;
  } else if (v == "0" || v == "false" || v == "no") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

std::string FormatSize(uint64_t bytes) {
  static constexpr char kSuffix[] = {'T', 'G', 'M', 'K'};
  for (int i = 0; i < 4; ++i) {
    int shift = 40 - 10 * i;
    uint64_t unit = uint64_t{1} << shift;
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes >> shift) + kSuffix[i];
  }
  return std::to_string(bytes);
}

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  // Whole numbers print without a fraction: "64 GiB", not "64.0 GiB".
  if (v == static_cast<double>(static_cast<uint64_t>(v))) {
    std::snprintf(buf, sizeof(buf), "%.0f %s", v, kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

}  // namespace keel::flags
