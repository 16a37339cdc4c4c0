#include "tests/fuzz/json_reference.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/utf8.h"

namespace keel::fuzz {
namespace {

class Checker {
 public:
  Checker(std::string_view text, int max_nesting) : s_(text), max_(max_nesting) {}

  bool Document() {
    SkipWs();
    if (Peek() != '{') return false;
    if (!Value(1)) return false;
    SkipWs();
    return i_ == s_.size();
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool AtEnd() const { return i_ >= s_.size(); }

  void SkipWs() {
    while (!AtEnd() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  // `depth` is the nesting level a container starting here would have.
  bool Value(int depth) {
    if (AtEnd()) return false;
    switch (s_[i_]) {
      case '{':
        return depth <= max_ && Object(depth);
      case '[':
        return depth <= max_ && Array(depth);
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  bool Object(int depth) {
    ++i_;  // '{'
    SkipWs();
    if (Peek() == '}') {
      ++i_;
      return true;
    }
    while (true) {
      SkipWs();
      if (Peek() != '"' || !String()) return false;
      SkipWs();
      if (Peek() != ':') return false;
      ++i_;
      SkipWs();
      if (!Value(depth + 1)) return false;
      SkipWs();
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      if (Peek() != '}') return false;
      ++i_;
      return true;
    }
  }

  bool Array(int depth) {
    ++i_;  // '['
    SkipWs();
    if (Peek() == ']') {
      ++i_;
      return true;
    }
    while (true) {
      SkipWs();
      if (!Value(depth + 1)) return false;
      SkipWs();
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      if (Peek() != ']') return false;
      ++i_;
      return true;
    }
  }

  bool Hex4(unsigned& out) {
    if (s_.size() - i_ < 4) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      unsigned v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
      } else {
        return false;
      }
      out = out * 16 + v;
    }
    return true;
  }

  bool String() {
    ++i_;  // '"'
    while (true) {
      if (AtEnd()) return false;
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;
      if (c != '\\') {
        ++i_;  // UTF-8 validity is checked over the whole text
        continue;
      }
      ++i_;
      if (AtEnd()) return false;
      char e = s_[i_++];
      if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) continue;
      if (e != 'u') return false;
      unsigned unit;
      if (!Hex4(unit)) return false;
      if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // lone low surrogate
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        unsigned low;
        if (!Literal("\\u") || !Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      }
    }
  }

  bool Digits() {
    size_t start = i_;
    while (!AtEnd() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  bool Number() {
    size_t start = i_;
    if (Peek() == '-') ++i_;
    if (Peek() == '0') {
      ++i_;
    } else if (Peek() >= '1' && Peek() <= '9') {
      Digits();
    } else {
      return false;
    }
    if (Peek() == '.') {
      ++i_;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++i_;
      if (Peek() == '+' || Peek() == '-') ++i_;
      if (!Digits()) return false;
    }
    std::string text(s_.substr(start, i_ - start));
    return std::isfinite(std::strtod(text.c_str(), nullptr));
  }

  std::string_view s_;
  int max_;
  size_t i_ = 0;
};

}  // namespace

bool IsAcceptableJsonObject(std::string_view text, int max_nesting) {
  if (!core::IsValidUtf8(text)) return false;
  return Checker(text, max_nesting).Document();
}

}  // namespace keel::fuzz
