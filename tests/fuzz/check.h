// Invariant checks for the fuzz targets. A broken invariant prints what
// broke and aborts, which libFuzzer reports as a crash, saving the input.
//
// KEEL_FUZZ_IGNORE lists, separated by '|', the `what` messages of findings
// already reported and not yet fixed, so a long campaign can step over them
// and look for others (tools/fuzz --ignore sets it). The smoke run in
// tools/test never sets it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace keel::fuzz {

inline bool Ignored(std::string_view what) {
  static const std::vector<std::string> ignored = [] {
    std::vector<std::string> out;
    const char* env = std::getenv("KEEL_FUZZ_IGNORE");
    std::string_view list = env ? env : "";
    while (!list.empty()) {
      size_t bar = list.find('|');
      if (bar != 0) out.emplace_back(list.substr(0, bar));
      list.remove_prefix(bar == std::string_view::npos ? list.size() : bar + 1);
    }
    return out;
  }();
  for (const std::string& s : ignored)
    if (s == what) return true;
  return false;
}

[[noreturn]] inline void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "keel fuzz check failed: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok && !Ignored(what)) Fail(what, detail);
}

}  // namespace keel::fuzz
