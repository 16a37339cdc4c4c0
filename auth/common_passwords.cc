#include "auth/common_passwords.h"

#include <string>
#include <unordered_set>

#include "core/ascii.h"

namespace keel::auth {

// One password per line, from the generated common_passwords_data.cc.
extern const std::string_view kCommonPasswordList;

namespace {

const std::unordered_set<std::string_view>& CommonSet() {
  // Views into the list, which is static: nothing is copied.
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> s;
    s.reserve(16384);
    std::string_view rest = kCommonPasswordList;
    while (!rest.empty()) {
      size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      if (!line.empty()) s.insert(line);
      if (eol == std::string_view::npos) break;
      rest.remove_prefix(eol + 1);
    }
    return s;
  }();
  return set;
}

}  // namespace

bool IsCommonPassword(std::string_view password) {
  // No entry is longer than this; longer passwords need no lower-casing.
  constexpr size_t kLongestEntry = 64;
  if (password.empty() || password.size() > kLongestEntry) return false;
  char lower[kLongestEntry];
  for (size_t i = 0; i < password.size(); ++i) lower[i] = core::LowerAscii(password[i]);
  return CommonSet().count(std::string_view(lower, password.size())) != 0;
}

size_t CommonPasswordCount() { return CommonSet().size(); }

}  // namespace keel::auth
