#include "core/json_writer.h"

#include <cassert>
#include <charconv>
#include <cstring>

#include "core/utf8.h"

namespace keel::core {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Nonzero iff some byte of `w` is zero (exact as an "any" test).
constexpr uint64_t HasZeroByte(uint64_t w) { return (w - kOnes) & ~w & kHighBits; }

// Nonzero iff some byte of `w` needs more than a plain copy: < 0x20, '"',
// '\\', DEL, or >= 0x80 (UTF-8 to validate, maybe U+2028/9).
constexpr uint64_t NeedsAttention(uint64_t w) {
  return (w & kHighBits) | ((w - 0x20 * kOnes) & ~w & kHighBits) | HasZeroByte(w ^ ('"' * kOnes)) |
         HasZeroByte(w ^ ('\\' * kOnes)) | HasZeroByte(w ^ (0x7F * kOnes));
}

// Advances `p` over whole 8-byte words that need no escaping.
const char* SkipPlainWords(const char* p, const char* end) {
  for (uint64_t w; end - p >= 8; p += 8) {
    std::memcpy(&w, p, sizeof(w));
    if (NeedsAttention(w) != 0) break;
  }
  return p;
}

bool IsPlainAscii(uint8_t b) { return b >= 0x20 && b < 0x7F && b != '"' && b != '\\'; }

void AppendHexEscape(std::string& out, uint32_t unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char esc[6] = {'\\',
                       'u',
                       kHex[(unit >> 12) & 0xF],
                       kHex[(unit >> 8) & 0xF],
                       kHex[(unit >> 4) & 0xF],
                       kHex[unit & 0xF]};
  out.append(esc, sizeof(esc));
}

void AppendAsciiEscape(std::string& out, uint8_t b) {
  switch (b) {
    case '"':
      out.append("\\\"");
      return;
    case '\\':
      out.append("\\\\");
      return;
    case '\b':
      out.append("\\b");
      return;
    case '\f':
      out.append("\\f");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\t':
      out.append("\\t");
      return;
    default:
      AppendHexEscape(out, b);
      return;  // other controls and DEL
  }
}

template <typename Int>
void AppendInt(std::string& out, Int v) {
  char buf[24];  // 20 digits for UINT64_MAX, 19 + sign for INT64_MIN
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  // [run, p) is a span that can be copied verbatim; it is flushed with one
  // append whenever an escape or replacement interrupts it. Valid multi-byte
  // sequences join the run, so non-ASCII text is not copied byte by byte.
  const char* run = begin;
  const char* p = begin;
  while (p < end) {
    p = SkipPlainWords(p, end);
    if (p == end) break;
    const auto b = static_cast<uint8_t>(*p);
    if (IsPlainAscii(b)) {
      ++p;
      continue;
    }
    if (b >= 0x80) {
      const Utf8Sequence seq = DecodeUtf8({p, static_cast<size_t>(end - p)});
      if (seq.valid && seq.code_point != 0x2028 && seq.code_point != 0x2029) {
        p += seq.length;
        continue;
      }
      out.append(run, static_cast<size_t>(p - run));
      if (seq.valid) {
        AppendHexEscape(out, seq.code_point);
      } else {
        out.append(kReplacement);
      }
      p += seq.length;
      run = p;
      continue;
    }
    out.append(run, static_cast<size_t>(p - run));
    AppendAsciiEscape(out, b);
    run = ++p;
  }
  out.append(run, static_cast<size_t>(end - run));
  out.push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0 || depth_ > kMaxDepth) return;
  const uint64_t bit = uint64_t{1} << (depth_ - 1);
  if (has_member_ & bit) out_.push_back(',');
  has_member_ |= bit;
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  ++depth_;
  assert(depth_ <= kMaxDepth && "JsonWriter nesting too deep");
  if (depth_ <= kMaxDepth) has_member_ &= ~(uint64_t{1} << (depth_ - 1));
}

void JsonWriter::Close(char bracket) {
  assert(depth_ > 0 && "JsonWriter End without Begin");
  assert(!after_key_ && "JsonWriter Key without a value");
  out_.push_back(bracket);
  if (depth_ > 0) --depth_;
}

void JsonWriter::BeginObject() { Open('{'); }
void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::BeginArray() { Open('['); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::Key(std::string_view key) {
  assert(!after_key_ && "JsonWriter Key after Key");
  BeforeValue();
  AppendJsonString(out_, key);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  AppendInt(out_, v);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  AppendInt(out_, v);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_.append(v ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
}

}  // namespace keel::core
